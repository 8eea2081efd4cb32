package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeOutput renders a report to stdout, or to a file that it replaces
// whole: the report is written to a temporary file beside it and renamed
// over it only once complete, so a failure never leaves a partial file.
// A path that is not a regular file (/dev/null, /dev/stdout, a pipe) is
// written in place: renaming over it would replace the device itself.
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(stdout)
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return usageError(fmt.Errorf("-o %s: %w", path, err))
		}
		if err := render(f); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return usageError(fmt.Errorf("-o %s: %w", path, err))
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return usageError(fmt.Errorf("-o %s: %w", path, err))
	}
	return nil
}
