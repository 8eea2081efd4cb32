package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/stratascan/strata/analyzer/fix"
)

// fixFlags are the flags of strata fix.
type fixFlags struct {
	output string
	write  bool
	format string
	fix    []string
}

func newFixCmd(stdout, stderr io.Writer) *cobra.Command {
	lf, ff := &loadFlags{}, &fixFlags{}
	c := &cobra.Command{
		Use:   "fix IMAGE --dockerfile PATH",
		Short: "Write a patch of the Dockerfile that fixes the image's findings",
		Long: `Analyse the image, map its layers to the Dockerfile that built it, and write a
unified diff of the Dockerfile that fixes every finding with a mechanical fix:
apt lists and caches cleaned in the RUN that made them (and an update-alone RUN
merged into the install), --no-install-recommends, apk --no-cache, dnf/yum
clean all, pip --no-cache-dir, npm cache clean and the other caches, files
deleted in the RUN that creates them, COPY --chown instead of RUN chown -R,
exec-form CMD. Each hunk says what it fixes and what it should save. With
--fix security, a root image also gets an unprivileged USER. The findings that
need a human are listed on stderr with their lines and advice.

The patch applies with ` + "`patch -p1`" + ` or ` + "`git apply`" + ` from the current directory.`,
		Example: `  strata fix docker://app:latest --dockerfile Dockerfile > fix.patch && git apply fix.patch
  strata fix docker://app:latest --dockerfile Dockerfile --write
  strata fix docker://app:latest --dockerfile Dockerfile --format json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: imageArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := commandConfig(cmd, lf.quiet, stderr)
			if err != nil {
				return err
			}
			lf.config = &cfg
			lf.dockerfile.config = cfg.Dockerfile
			return runFix(cmd.Context(), args[0], lf, ff, stdout, stderr)
		},
	}
	lf.register(c)
	fl := c.Flags()
	fl.StringVarP(&ff.output, "output", "o", "", "write the patch (or the JSON) to this file instead of stdout")
	fl.BoolVar(&ff.write, "write", false, "edit the Dockerfile in place, keeping the original as PATH.orig")
	formatFlag(c, &ff.format, []string{"diff", "json"}, "output format")
	fl.StringSliceVar(&ff.fix, "fix", nil, "also apply the fixes that can change behaviour: security (an unprivileged USER)")
	return c
}

// runFix analyses the image and writes the patch.
func runFix(ctx context.Context, ref string, lf *loadFlags, ff *fixFlags, stdout, stderr io.Writer) error {
	if ff.format != "diff" && ff.format != "json" {
		return usageError(fmt.Errorf("--format %q: unknown format (use diff or json)", ff.format))
	}
	var opts fix.Options
	for _, f := range ff.fix {
		if f != "security" {
			return usageError(fmt.Errorf("--fix %q: unknown group (use security)", f))
		}
		opts.Security = true
	}
	if ff.write && ff.output != "" {
		return usageError(errors.New("--write and -o: give one (--write edits the Dockerfile, -o writes the patch)"))
	}
	if lf.dockerfile.path == "" && lf.dockerfile.config.Path == "" {
		return usageError(errors.New("strata fix needs the Dockerfile: give it with --dockerfile PATH (or dockerfile: in .strata.yaml)"))
	}
	if err := checkOutputs(append(inputPaths(ref), lf.dockerfile.path), []output{{"-o", ff.output}}); err != nil {
		return err
	}
	df, err := lf.dockerfile.parse()
	if err != nil {
		return err
	}
	if ff.write {
		if _, err := os.Lstat(df.Path + ".orig"); err == nil {
			return usageError(fmt.Errorf("--write: %s.orig exists: move it away first (it would be replaced by the backup)", df.Path))
		}
	}
	a, err := load(ctx, ref, lf, stderr)
	if err != nil {
		return err
	}
	in := fix.Input{File: df, Findings: a.Findings, Tree: a.Tree}
	for _, l := range a.Layers {
		in.LayerBytes = append(in.LayerBytes, l.SizeBytes)
	}
	if a.Config != nil {
		in.Mapping = df.Map(a.Config.History, len(a.Layers))
	}
	plan, err := fix.Make(in, opts)
	if err != nil {
		return fmt.Errorf("planning the fixes: %w", err)
	}
	if ff.write {
		return writeInPlace(df.Path, plan, stderr)
	}
	err = writeOutput(ff.output, stdout, func(w io.Writer) error {
		if ff.format == "json" {
			return plan.WriteJSON(w)
		}
		return plan.WriteDiff(w, diffName(df.Path))
	})
	if err != nil {
		return err
	}
	if ff.format == "diff" {
		summarizeFix(stderr, plan)
	}
	return nil
}

// diffName names the Dockerfile in the patch: its path relative to the
// current directory when it is below it, else its base name.
func diffName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(filepath.Base(path))
	}
	wd, err := os.Getwd()
	if err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(filepath.Base(path))
}

// writeInPlace replaces the Dockerfile with the patched one, keeping the
// original as PATH.orig.
func writeInPlace(path string, plan *fix.Plan, stderr io.Writer) error {
	if len(plan.Hunks) == 0 {
		summarizeFix(stderr, plan)
		return nil
	}
	backup := path + ".orig"
	if _, err := os.Lstat(backup); err == nil {
		return usageError(fmt.Errorf("--write: %s exists: move it away first (it would be replaced by the backup)", backup))
	}
	st, err := os.Stat(path)
	if err != nil {
		return usageError(fmt.Errorf("--write: %w", err))
	}
	if err := os.WriteFile(backup, plan.Original, st.Mode().Perm()); err != nil {
		return fmt.Errorf("--write: keeping the backup: %w", err)
	}
	if err := writeOutput(path, io.Discard, func(w io.Writer) error {
		_, err := w.Write(plan.Patched)
		return err
	}); err != nil {
		return err
	}
	if err := os.Chmod(path, st.Mode().Perm()); err != nil {
		return fmt.Errorf("--write: %w", err)
	}
	fmt.Fprintf(stderr, "strata: wrote %s (the original is %s)\n", path, backup)
	summarizeFix(stderr, plan)
	return nil
}

// summarizeFix tells on stderr what the patch saves and what needs a human.
func summarizeFix(w io.Writer, plan *fix.Plan) {
	fmt.Fprintf(w, "strata: %d change(s), predicted saving %s\n", len(plan.Hunks), humanize.Bytes(uint64(plan.PredictedSavingsBytes)))
	for _, a := range plan.Advice {
		where := ""
		if a.Line > 0 {
			where = fmt.Sprintf("%s:%d: ", plan.Path, a.Line)
		}
		fmt.Fprintf(w, "strata: %snot patched: %s (%s): %s. %s\n", where, a.Rule, a.Title, a.Why, a.Advice)
	}
}
