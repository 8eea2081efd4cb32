package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
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

// applyConfig makes an analysis show what the configuration asks: rules
// turned off or given another severity (the savings and the Dockerfile
// follow), finding paths under ignore-paths left out.
func applyConfig(a *analyzer.Analysis, cfg policy.Config) {
	a.ApplyRules(cfg.RuleOptions())
	index := make([]int, len(a.Findings)) // old index → new, or -1
	kept := make([]findings.Finding, 0, len(a.Findings))
	for i, f := range a.Findings {
		index[i] = -1
		if f, ok := cfg.Apply(f); ok {
			index[i] = len(kept)
			kept = append(kept, f)
		}
	}
	a.Findings = kept
	for s := range a.Dockerfile.Steps {
		step := &a.Dockerfile.Steps[s]
		var refs []int
		for _, i := range step.Findings {
			if i >= 0 && i < len(index) && index[i] >= 0 {
				refs = append(refs, index[i])
			}
		}
		step.Findings = refs
	}
}
