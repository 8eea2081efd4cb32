package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/policy"
)

// configUsage describes --config, which every command has.
const configUsage = "configuration file: rules turned off, severities, ignore-paths and the policy (default: ./.strata.yaml, else $XDG_CONFIG_HOME/strata/config.yaml, else ./.dive-ci with dive's meaning)"

// configFlag returns the --config given to cmd (or by STRATA_CONFIG), or "".
func configFlag(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup("config"); f != nil {
		return f.Value.String()
	}
	return ""
}

// loadConfig finds and reads the configuration: the explicit file, else
// the first of the default places, else the built-in defaults.
func loadConfig(explicit string) (policy.Config, error) {
	path, format, err := policy.Locate(explicit, policy.Env{})
	if err != nil {
		return policy.Config{}, usageError(err)
	}
	cfg, err := policy.Load(path, format)
	if err != nil {
		return policy.Config{}, usageError(err)
	}
	return cfg, nil
}

// commandConfig loads the configuration of a command that shows findings
// (analyze, diff, the browser) and says on stderr which file it read.
func commandConfig(cmd *cobra.Command, quiet bool, stderr io.Writer) (policy.Config, error) {
	cfg, err := loadConfig(configFlag(cmd))
	if err != nil {
		return cfg, err
	}
	if cfg.Path != "" && !quiet {
		fmt.Fprintf(stderr, "strata: configuration: %s\n", cfg.Path)
	}
	return cfg, nil
}

// configOptions makes an analysis show what the configuration asks: rules
// turned off or given another severity, finding paths under ignore-paths
// left out (the savings and the Dockerfile follow).
func configOptions(cfg *policy.Config) []analyzer.Option {
	if cfg == nil {
		return nil
	}
	ro := cfg.RuleOptions()
	ro.IgnorePaths = cfg.IgnorePaths
	return []analyzer.Option{analyzer.WithRuleOptions(ro)}
}
