package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envPrefix starts the environment variable of every flag: --platform is
// STRATA_PLATFORM, --fail-on STRATA_FAIL_ON. A flag on the command line wins.
const envPrefix = "STRATA_"

// envName returns the environment variable that sets a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv gives every visible flag of cmd that the command line did not set
// the value of its STRATA_* environment variable, if that is set and not
// empty. A value the flag refuses is a usage error naming the variable.
// Flags registered by any command take part without further code.
func bindEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Hidden || f.Name == "help" || f.Name == "version" {
			return
		}
		name := envName(f.Name)
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return
		}
		if serr := cmd.Flags().Set(f.Name, v); serr != nil {
			err = usageError(fmt.Errorf("%s=%q (--%s): %w", name, v, f.Name, serr))
		}
	})
	return err
}

// formatFlag registers --format/-f with the formats a command writes, the
// first being the default, and completes them.
func formatFlag(c *cobra.Command, p *string, formats []string, usage string) {
	c.Flags().StringVarP(p, "format", "f", formats[0], usage+": "+orList(formats))
	completeValues(c, "format", formats)
}

// completeValues makes the shell complete a flag with fixed values.
func completeValues(c *cobra.Command, flag string, values []string) {
	_ = c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// orList writes "a, b or c".
func orList(vs []string) string {
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

// imageArgs completes IMAGE arguments with files and directories (archives
// and OCI layouts); the transports are typed by hand.
func imageArgs(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveDefault
}
