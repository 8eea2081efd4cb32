package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/analyzer/walk"
)

// extractFlags are the flags of strata extract.
type extractFlags struct {
	layer int
	dir   string
}

func newExtractCmd(stdout, stderr io.Writer) *cobra.Command {
	lf, xf := &loadFlags{}, &extractFlags{}
	c := &cobra.Command{
		Use:   "extract IMAGE PATH",
		Short: "Copy a file or directory out of an image, as of a layer, without running it",
		Long: `strata extract writes PATH of the image (a file, a link, or a directory with all
it holds) into DIR (-C, default: the current directory), as the filesystem stands
after layer N (--layer, default: the last layer; 0 is the first).

It never writes outside DIR and never replaces anything: the name written is
PATH's last element, suffixed .1, .2, ... when DIR already has it, and "rootfs"
for /. Control characters in names become "_" (suffixed when two names then
collide). A symbolic link is kept only when it resolves inside DIR as the tree
stands after extraction; an absolute one is made relative when its target is
extracted too. A hard link gets its target's content. Devices, FIFOs and sockets
are skipped. Files get their permission bits (no setuid, setgid or sticky bit)
under the umask; owners and times are not kept.

It prints what it wrote on stdout, each path it skipped and why on stderr, and
exits 0; 2 when the image, PATH, the layer or DIR cannot be used.`,
		Example: `  strata extract myapp.tar /etc/os-release
  strata extract docker://myapp:latest /app -C /tmp/app-files
  strata extract myapp.tar /app/config.yaml --layer 3   # as it was after layer 3`,
		Args: cobra.ExactArgs(2),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtract(cmd.Context(), args[0], args[1], lf, xf, stdout, stderr)
		},
	}
	lf.register(c)
	c.Flags().IntVarP(&xf.layer, "layer", "l", -1, "extract PATH as it stands after this layer (0 is the first; default: the last)")
	c.Flags().StringVarP(&xf.dir, "directory", "C", ".", "write into this directory")
	_ = c.MarkFlagDirname("directory")
	return c
}

// runExtract loads the image and extracts one path of it.
func runExtract(ctx context.Context, ref, p string, lf *loadFlags, xf *extractFlags, stdout, stderr io.Writer) error {
	if xf.layer < -1 {
		return usageError(fmt.Errorf("--layer %d: want a layer index (0 is the first)", xf.layer))
	}
	if st, err := os.Stat(xf.dir); err != nil {
		return usageError(fmt.Errorf("-C %s: %w", xf.dir, unwrapPath(err)))
	} else if !st.IsDir() {
		return usageError(fmt.Errorf("-C %s: not a directory", xf.dir))
	}
	if names(xf.dir, ref) || names(filepath.Join(xf.dir, "x"), ref) {
		return usageError(fmt.Errorf("-C %s: is inside the input %s; strata never writes what it reads", xf.dir, ref))
	}
	opts, err := lf.options(stderr)
	if err != nil {
		return err
	}
	img, err := source.Open(ctx, ref, opts)
	if err != nil {
		return inputError(ref, err)
	}
	defer img.Close()
	aopts := []analyzer.Option{analyzer.WithBaseLayers(lf.baseLayers), analyzer.WithVerify(lf.verify), analyzer.WithRules(false)}
	var prog *progress
	if !lf.quiet {
		prog = newProgress(stderr, ref)
		aopts = append(aopts, analyzer.WithProgress(prog.update))
	}
	a, err := analyzer.Analyze(ctx, img, aopts...)
	if prog != nil {
		prog.finish(a, err)
	}
	if err != nil {
		return inputError(ref, err)
	}
	layer := xf.layer
	if layer == -1 {
		layer = len(a.Layers) - 1
	}
	if layer >= len(a.Layers) {
		return usageError(fmt.Errorf("--layer %d: %s has %d layers (0 to %d)", layer, ref, len(a.Layers), len(a.Layers)-1))
	}
	clean := walk.Normalize(p)
	n, ok := a.Tree.Lookup(clean)
	if !ok {
		return usageError(fmt.Errorf("%s: no such path in %s", termtext.Escape(p), ref))
	}
	if !analyzer.Present(a.Tree, n, layer) {
		msg := fmt.Sprintf("%s: not in %s as of layer %d", termtext.Escape(clean), ref, layer)
		for l := len(a.Layers) - 1; l >= 0; l-- {
			if analyzer.Present(a.Tree, n, l) {
				msg += fmt.Sprintf(" (it is there after layer %d: --layer %d)", l, l)
				break
			}
		}
		return usageError(errors.New(msg))
	}
	x, err := analyzer.Extract(ctx, img.Image, a.Tree, n, layer, xf.dir)
	if err != nil {
		return fmt.Errorf("extracting %s: %w", termtext.Escape(clean), err)
	}
	for _, s := range x.Skipped {
		fmt.Fprintf(stderr, "strata: skipped %s: %s\n", termtext.Escape(s.Path), s.Reason)
	}
	_, err = fmt.Fprintf(stdout, "extracted %s (layer %d) to %s: %s\n", termtext.Escape(clean), layer,
		termtext.Escape(filepath.Join(xf.dir, x.Name)), x.Detail())
	if cerr := img.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("removing temporary files: %w", cerr)
	}
	return err
}
