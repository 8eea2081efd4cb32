// Package inputfile reads the small files a user names (policies,
// baselines, .dive-ci, Dockerfiles, CA bundles, the metadata inside an
// image layout): only regular files, and never more than a bound. A named
// pipe, a device or a socket where a file is expected is refused at once,
// without blocking on it: opening a pipe with no writer, or reading
// /dev/zero, would otherwise hang or fill the memory.
package inputfile

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The bounds of the files strata reads whole.
const (
	// MaxConfig bounds policy files (.strata.yaml, .dive-ci).
	MaxConfig = 1 << 20
	// MaxMetadata bounds image metadata (manifests, configs, indexes) and
	// baselines.
	MaxMetadata = 64 << 20
	// MaxCA bounds a PEM bundle of certificate authorities.
	MaxCA = 4 << 20
)

// NotRegularError is a path that names something other than a regular file.
type NotRegularError struct {
	// Kind says what it is ("a named pipe (FIFO)").
	Kind string
}

func (e *NotRegularError) Error() string { return "is " + e.Kind + ", not a regular file" }

// TooLargeError is a file larger than its bound.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("is larger than %d bytes, the most strata reads of such a file", e.Limit)
}

// Kind describes a file mode that is not a regular file: "a directory",
// "a named pipe (FIFO)", "a character device", "a block device", "a socket",
// or "" for a regular file.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// Open opens a regular file for reading. Anything else is refused with a
// *fs.PathError holding a *NotRegularError; the open itself never blocks
// (a named pipe is opened non-blocking, then refused).
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if k := Kind(st.Mode()); k != "" {
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: path, Err: &NotRegularError{Kind: k}}
	}
	return f, nil
}

// ReadFile reads a whole regular file of at most limit bytes. Anything else
// is refused with a *fs.PathError holding a *NotRegularError or a
// *TooLargeError, before reading more than limit+1 bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Size: st.Size(), Limit: limit}}
	}
	var b bytes.Buffer
	n, err := b.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if n > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Size: n, Limit: limit}}
	}
	return b.Bytes(), nil
}
