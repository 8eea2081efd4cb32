package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stratascan/strata/analyzer/inputfile"
)

// store serves the files of an image layout or archive by slash-separated
// name: a directory on disk or the members of a tar file read in place.
type store interface {
	// size returns a file's size; the error wraps os.ErrNotExist when absent.
	size(name string) (int64, error)
	// open returns a file's content.
	open(name string) (io.ReadCloser, error)
	// readerAt returns random access to a file's content and a closer.
	readerAt(name string) (io.ReaderAt, io.Closer, error)
	// readAll reads a small file (JSON) into memory.
	readAll(name string) ([]byte, error)
}

// tarStore is a store over an indexed tar file.
type tarStore struct{ idx *tarIndex }

func (s tarStore) size(name string) (int64, error) {
	sr, err := s.idx.section(name)
	if err != nil {
		return 0, err
	}
	return sr.Size(), nil
}

func (s tarStore) open(name string) (io.ReadCloser, error) {
	sr, err := s.idx.section(name)
	if err != nil {
		return nil, err
	}
	return sectionCloser{sr}, nil
}

// sectionCloser is a member's content, which the layer walk may also read
// at offsets (an uncompressed layer is read ahead on two cores).
type sectionCloser struct{ *io.SectionReader }

func (sectionCloser) Close() error { return nil }

func (s tarStore) readerAt(name string) (io.ReaderAt, io.Closer, error) {
	sr, err := s.idx.section(name)
	if err != nil {
		return nil, nil, err
	}
	return sr, io.NopCloser(nil), nil
}

func (s tarStore) readAll(name string) ([]byte, error) { return s.idx.readAll(name) }

// dirStore is a store over a directory.
type dirStore struct{ dir string }

func (s dirStore) path(name string) string {
	return filepath.Join(s.dir, filepath.FromSlash(cleanName(name)))
}

func (s dirStore) size(name string) (int64, error) {
	st, err := os.Stat(s.path(name))
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file", name)
	}
	return st.Size(), nil
}

func (s dirStore) open(name string) (io.ReadCloser, error) { return inputfile.Open(s.path(name)) }

func (s dirStore) readerAt(name string) (io.ReaderAt, io.Closer, error) {
	f, err := inputfile.Open(s.path(name))
	if err != nil {
		return nil, nil, err
	}
	return f, f, nil
}

func (s dirStore) readAll(name string) ([]byte, error) {
	b, err := inputfile.ReadFile(s.path(name), maxJSON)
	var tl *inputfile.TooLargeError
	if errors.As(err, &tl) {
		return nil, metadataTooLarge(name, tl.Size)
	}
	if err != nil {
		return nil, unwrapPathError(err)
	}
	return b, nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose message repeats the
// path the caller names anyway.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
