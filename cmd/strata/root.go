package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer/bug"
)

// run builds the command tree and executes it; it returns the exit code. A
// panic is an internal error (exit code 3), reported with its stack.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(execute(ctx, newRootCmd(stdout, stderr), args), stderr)
}

// execute runs a command tree, a panic in it returned as a *bug.Error.
func execute(ctx context.Context, root *cobra.Command, args []string) (err error) {
	defer bug.Catch(&err)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	lf, bf := &loadFlags{}, &browseFlags{}
	root := &cobra.Command{
		Use:   "strata IMAGE",
		Short: "Show what is inside a container image, layer by layer, and what is wasted",
		Long: `strata opens a container image and shows, layer by layer, what is inside it,
what is wasted, and how to fix the Dockerfile that built it.

IMAGE is one of:
  docker://NAME[:TAG], docker-daemon:NAME   the Docker Engine (DOCKER_HOST, docker context)
  podman://NAME                             Podman (its API socket, else podman image save)
  containerd://NAME                         containerd's content store (--containerd-address, --containerd-namespace)
  docker-archive:PATH[:TAG|@N]              a docker save tarball
  oci:DIR[:TAG]                             an OCI image layout directory
  oci-archive:PATH                          an OCI image layout packed in a tar
  registry://REF                            a registry, without any daemon
  PATH                                      a file or directory, its format sniffed
  REF                                       the Docker Engine if it has it, else Podman, else containerd, else the registry

On a terminal, strata IMAGE opens the interactive browser (press ? for its keys).
Without a terminal, or with CI=true|1|yes or DIVE_CI=true in the environment, it
prints the text report instead.

Note: docker:// means the Docker daemon, as in dive (skopeo uses it for registries;
use registry:// here).`,
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if ciMode() {
				return runRootCI(cmd.Context(), args[0], lf, stdout, stderr)
			}
			return runBrowse(cmd.Context(), args[0], lf, bf, stdout, stderr)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	lf.register(root)
	root.Flags().BoolVar(&bf.noColor, "no-color", false, "draw the browser without colours (as NO_COLOR does)")
	root.AddCommand(newAnalyzeCmd(stdout, stderr), newCICmd(stdout, stderr), newVersionCmd(stdout))
	root.AddCommand(newDiffCmd(stdout, stderr), newFixCmd(stdout, stderr))
	root.AddCommand(newManCmd(stdout))
	root.CompletionOptions.HiddenDefaultCmd = false
	wrapArgs(root)
	return root
}

// wrapArgs makes argument-count errors usage errors (exit code 2).
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		inner := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := inner(cmd, args); err != nil {
				return usageError(fmt.Errorf("%s: %w", cmd.CommandPath(), err))
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}
