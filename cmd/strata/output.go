package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// output is one document a command writes: to stdout when path is "" or
// "-", else to the file, named in errors by the flag that gave it.
type output struct {
	flag, path string
}

// toStdout reports whether the document goes to standard output.
func (o output) toStdout() bool {
	switch o.path {
	case "", "-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return true
	}
	return false
}

// checkOutputs refuses, before any work, outputs that would destroy an
// input or each other: an output naming an input (an image archive, a
// file inside an image directory, the configuration, a baseline), two
// outputs naming one file, two documents both sent to stdout, and an
// output naming a directory.
func checkOutputs(inputs []string, outs []output) error {
	var toStdout []string
	for i, o := range outs {
		if o.toStdout() {
			toStdout = append(toStdout, o.flag)
			continue
		}
		if strings.HasSuffix(o.path, "/") || isDir(o.path) {
			return usageError(fmt.Errorf("%s %s: is a directory; name a file to write", o.flag, o.path))
		}
		for _, in := range inputs {
			if names(o.path, in) {
				return usageError(fmt.Errorf("%s %s: is the input %s; strata never writes what it reads", o.flag, o.path, in))
			}
		}
		for _, prev := range outs[:i] {
			if !prev.toStdout() && sameFile(prev.path, o.path) {
				return usageError(fmt.Errorf("%s %s and %s %s: both name one file", prev.flag, prev.path, o.flag, o.path))
			}
		}
	}
	if len(toStdout) > 1 {
		return usageError(fmt.Errorf("%s: each sends a document to stdout; give all but one a file", strings.Join(toStdout, " and ")))
	}
	return nil
}

// inputPaths returns the files an image reference reads, with and without
// its transport prefix and tag.
func inputPaths(ref string) []string {
	out := []string{ref}
	for _, prefix := range []string{"docker-archive:", "docker-tar:", "oci-archive:", "oci:"} {
		if rest, ok := strings.CutPrefix(ref, prefix); ok {
			out = append(out, rest)
			for i := range len(rest) {
				if i > 0 && (rest[i] == ':' || rest[i] == '@') {
					out = append(out, rest[:i])
				}
			}
		}
	}
	return out
}

// names reports whether writing path would write the input in: the same
// file, or a file inside it when it is a directory (an OCI layout).
func names(path, in string) bool {
	if in == "" || in == "-" {
		return false
	}
	if sameFile(path, in) {
		return true
	}
	if !isDir(in) {
		return false
	}
	dir, err := realAbs(in)
	if err != nil {
		return false
	}
	parent, err := realAbs(filepath.Dir(path))
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, parent)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// realAbs returns the absolute path of p with its links resolved.
func realAbs(p string) (string, error) {
	p, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

// sameFile reports whether two paths name one file: equal once absolute
// and clean, or the same file on disk (through links).
func sameFile(a, b string) bool {
	if aa, err := filepath.Abs(a); err == nil {
		if bb, err := filepath.Abs(b); err == nil && aa == bb {
			return true
		}
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// writeOutput writes a document for -o; see writeFileOutput.
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	return writeFileOutput(output{flag: "-o", path: path}, stdout, render)
}

// writeFileOutput renders a document to stdout, or to a file that it
// replaces whole: the document is written to a temporary file beside the
// file (beside the file a symbolic link leads to, which stays) and renamed
// over it only once complete, so a failure never leaves a partial file. A
// file that exists keeps its permissions; a new one gets 0666 less the
// umask. A path that is not a regular file (/dev/null, a pipe) is written
// in place: renaming over it would replace the device itself.
func writeFileOutput(o output, stdout io.Writer, render func(io.Writer) error) error {
	if o.toStdout() {
		return render(stdout)
	}
	fail := func(err error) error { return fmt.Errorf("%s %s: %w", o.flag, o.path, err) }
	target := o.path
	if real, err := filepath.EvalSymlinks(target); err == nil {
		target = real
	}
	st, err := os.Stat(target)
	if err == nil && st.IsDir() {
		return usageError(fail(errors.New("is a directory; name a file to write")))
	}
	if err == nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return usageError(fail(unwrapPath(err)))
		}
		if err := render(f); err != nil {
			f.Close()
			return fail(err)
		}
		if err := f.Close(); err != nil {
			return fail(err)
		}
		return nil
	}
	tmp, err := createBeside(target)
	if err != nil {
		return usageError(fail(unwrapPath(err)))
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return fail(err)
	}
	if st != nil {
		// Keep the mode of the file replaced (umask applied to new ones).
		if err := tmp.Chmod(st.Mode().Perm()); err != nil {
			tmp.Close()
			return fail(err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return usageError(fail(unwrapPath(err)))
	}
	return nil
}

// createBeside creates a new temporary file in the directory of path, with
// mode 0666 less the umask, as the file itself would be created.
func createBeside(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 100 {
		var b [6]byte
		_, _ = rand.Read(b[:])
		f, err := os.OpenFile(filepath.Join(dir, "."+base+"."+hex.EncodeToString(b[:])+".tmp"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free temporary name in %s", dir)
}

// unwrapPath drops the *PathError around an error whose path the message
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
