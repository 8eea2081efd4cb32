package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/stratascan/strata/analyzer/inputfile"
	"golang.org/x/term"
)

// Stdin is the image path that means standard input: `cat img.tar |
// strata analyze -`. The stream is spooled to a temporary file (archives
// are read out of order), under the context, and the file is removed when
// the image is closed.
const Stdin = "-"

// openImageFile opens the file an image path names. A regular file is
// opened in place; standard input ("-") and named pipes (`<(…)`,
// /dev/stdin on a pipe) are spooled to a temporary file in dir under ctx;
// devices and sockets are refused. cleanup removes the spooled copy.
func openImageFile(ctx context.Context, path, dir string) (f *os.File, cleanup func() error, err error) {
	noop := func() error { return nil }
	if path == Stdin {
		st, err := os.Stdin.Stat()
		if err != nil {
			return nil, nil, fmt.Errorf("standard input: %w", err)
		}
		if st.Mode()&fs.ModeCharDevice != 0 && term.IsTerminal(int(os.Stdin.Fd())) {
			return nil, nil, errors.New("standard input is a terminal: pipe an image into it (cat img.tar | strata analyze -)")
		}
		return spool(ctx, os.Stdin, func() {}, "standard input", dir)
	}
	src, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fileError(err)
	}
	st, err := src.Stat()
	if err != nil {
		src.Close()
		return nil, nil, err
	}
	switch m := st.Mode(); {
	case m.IsRegular():
		return src, noop, nil
	case m&fs.ModeNamedPipe != 0:
		defer src.Close()
		return spool(ctx, src, func() { src.Close() }, "the pipe", dir)
	default:
		src.Close()
		return nil, nil, fmt.Errorf("is %s, not an image file", inputfile.Kind(m))
	}
}

// spool copies a stream into a new temporary file in dir and returns it
// open, rewound. When ctx ends first, stop is called (to unblock a read
// that can be) and the copy is abandoned and removed.
func spool(ctx context.Context, r io.Reader, stop func(), what, dir string) (*os.File, func() error, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "strata-stdin-*.tar")
	if err != nil {
		return nil, nil, fmt.Errorf("creating a temporary file for %s: %w", what, err)
	}
	remove := func() error {
		f.Close()
		if err := os.Remove(f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	done := make(chan error, 1)
	var n int64
	go func() {
		var err error
		n, err = io.Copy(f, r)
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		stop()
		remove()
		return nil, nil, ctx.Err()
	}
	if err != nil {
		remove()
		return nil, nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if n == 0 {
		remove()
		return nil, nil, notImagef("%s is empty", what)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		remove()
		return nil, nil, err
	}
	return f, remove, nil
}
