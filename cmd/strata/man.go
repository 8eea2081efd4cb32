package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newManCmd is the hidden `strata man DIR`: it writes one man page per
// command into DIR (strata.1, strata-analyze.1, ...). The release build runs
// it to ship the pages in its archives.
func newManCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the man pages of every command into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return usageError(fmt.Errorf("creating %s: %w", dir, err))
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			hdr := &doc.GenManHeader{Title: "STRATA", Section: "1", Source: "strata " + version, Manual: "strata manual"}
			if err := doc.GenManTree(root, hdr, dir); err != nil {
				return fmt.Errorf("writing the man pages into %s: %w", dir, err)
			}
			_, err := fmt.Fprintf(stdout, "man pages written to %s\n", dir)
			return err
		},
	}
}
