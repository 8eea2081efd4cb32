package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

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
  -                                         standard input (cat img.tar | strata analyze -)
  REF                                       the Docker Engine if it has it, else Podman, else containerd, else the registry

On a terminal, strata IMAGE opens the interactive browser (press ? for its keys).
Without a terminal, or with CI=true|1|yes or DIVE_CI=true in the environment, it
prints the text report instead.

Note: docker:// means the Docker daemon, as in dive (skopeo uses it for registries;
use registry:// here).`,
		Args:          rootArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion().short(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd)
		},
		ValidArgsFunction: imageArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			cfg, err := commandConfig(cmd, true, stderr)
			if err != nil {
				return err
			}
			lf.config = &cfg
			if ciMode() {
				return runRootCI(cmd.Context(), args[0], lf, stdout, stderr)
			}
			return runBrowse(cmd.Context(), args[0], lf, bf, stdout, stderr)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.PersistentFlags().String("config", "", configUsage)
	root.SetVersionTemplate("{{.Version}}\n")
	lf.register(root)
	root.Flags().BoolVar(&bf.noColor, "no-color", false, "draw the browser without colours (as NO_COLOR does)")
	root.AddCommand(newAnalyzeCmd(stdout, stderr), newCICmd(stdout, stderr), newVersionCmd(stdout))
	root.AddCommand(newDiffCmd(stdout, stderr), newExtractCmd(stdout, stderr), newFixCmd(stdout, stderr))
	root.AddCommand(newManCmd(stdout))
	root.CompletionOptions.HiddenDefaultCmd = false
	wrapArgs(root)
	return root
}

// rootArgs accepts no argument (strata prints its help) or one IMAGE. A
// first argument that is no file and looks like a mistyped command is
// refused with the command it resembles, rather than looked up as an image
// in every source.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if s := suggest(cmd, args[0]); len(s) > 0 && !exists(args[0]) {
			return usageError(fmt.Errorf("unknown command %q: did you mean %s?\n(to open an image of that name, write docker://%s or ./%s)",
				args[0], orList(quoted(s)), args[0], args[0]))
		}
	}
	if len(args) > 1 {
		return fmt.Errorf("accepts 1 IMAGE, received %d arguments (%s)", len(args), strings.Join(quoted(args), " "))
	}
	return nil
}

// suggest returns the commands a word is a likely typo of: within one edit
// of a name (two for names of six letters or more), or the start of one
// (three letters or more).
func suggest(root *cobra.Command, word string) []string {
	var out []string
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() {
			continue
		}
		for _, name := range append([]string{c.Name()}, c.Aliases...) {
			limit := 1
			if len(name) >= 6 {
				limit = 2
			}
			if editDistance(word, name) <= limit || (len(word) >= 3 && strings.HasPrefix(name, word)) {
				out = append(out, c.Name())
				break
			}
		}
	}
	return out
}

// editDistance is the Levenshtein distance between two words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func quoted(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// exists reports whether a path names something on this machine.
func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
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
