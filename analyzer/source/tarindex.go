package source

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// maxLinkHops bounds symlink chains inside an archive.
const maxLinkHops = 16

// maxJSON bounds the size of a JSON member read into memory (manifests,
// configs, indexes), whatever the source.
const maxJSON = 64 << 20

// metadataTooLarge is the error for a piece of metadata past maxJSON.
func metadataTooLarge(what string, size int64) error {
	return &kindError{kind: ErrNotImage, msg: fmt.Sprintf("its %s is %d bytes: strata reads at most %d MiB of metadata per file", what, size, maxJSON>>20)}
}

// tarEntry locates one regular member's content inside the archive file.
type tarEntry struct {
	offset, size int64
}

// tarIndex maps member names of a tar file to their content, so members are
// served in place through io.SectionReader without extraction.
type tarIndex struct {
	f       *os.File
	size    int64
	entries map[string]tarEntry
}

// cleanName normalises a member name: no leading "./" or "/", no trailing "/".
func cleanName(name string) string {
	name = path.Clean("/" + name)
	return strings.TrimPrefix(name, "/")
}

// indexTar reads the headers of a tar file once and records where every
// regular member's content lies. Symbolic and hard links to regular members
// (used by multi-image archives to share layers) resolve to their targets.
func indexTar(f *os.File) (*tarIndex, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("is a directory, not a tar archive")
	}
	if st.Size() == 0 {
		return nil, notImagef("empty file")
	}
	idx := &tarIndex{f: f, size: st.Size(), entries: map[string]tarEntry{}}
	sr := io.NewSectionReader(f, 0, st.Size())
	tr := tar.NewReader(sr)
	type link struct {
		target string
		hard   bool
	}
	links := map[string]link{}
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, tarError(f, n, err)
		}
		name := cleanName(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse:
			off, err := sr.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, err
			}
			if off+hdr.Size > idx.size {
				return nil, errors.New("truncated tar: member " + name + " ends past the end of the file")
			}
			idx.entries[name] = tarEntry{offset: off, size: hdr.Size}
			delete(links, name)
		case tar.TypeSymlink:
			target := hdr.Linkname
			if !strings.HasPrefix(target, "/") {
				target = path.Join(path.Dir(name), target)
			}
			links[name] = link{target: cleanName(target)}
		case tar.TypeLink:
			links[name] = link{target: cleanName(hdr.Linkname), hard: true}
		}
	}
	if len(idx.entries) == 0 && len(links) == 0 {
		return nil, notImagef("the tar archive holds no files")
	}
	for name, l := range links {
		target := l.target
		for hop := 0; hop < maxLinkHops; hop++ {
			if e, ok := idx.entries[target]; ok {
				idx.entries[name] = e
				break
			}
			next, ok := links[target]
			if !ok {
				break
			}
			target = next.target
		}
	}
	return idx, nil
}

// tarError turns a tar reading error into a concrete cause.
func tarError(f *os.File, n int, err error) error {
	if n == 0 {
		var head [512]byte
		m, _ := f.ReadAt(head[:], 0)
		switch sniffCompression(head[:m]) {
		case compGzip:
			return notImagef("gzip-compressed file; decompress it first (gunzip) or pass the tar inside")
		case compZstd:
			return notImagef("zstd-compressed file; decompress it first (unzstd) or pass the tar inside")
		}
		if m < len(head) {
			return notImagef("not a tar archive (%d bytes, shorter than one tar header)", m)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			return notImagef("not a tar archive (%v)", err)
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated tar: the file ends inside a member")
	}
	return fmt.Errorf("reading tar: %w", err)
}

// has reports whether a member exists.
func (t *tarIndex) has(name string) bool {
	_, ok := t.entries[cleanName(name)]
	return ok
}

// section returns the content of a member, read in place.
func (t *tarIndex) section(name string) (*io.SectionReader, error) {
	e, ok := t.entries[cleanName(name)]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, os.ErrNotExist)
	}
	return io.NewSectionReader(t.f, e.offset, e.size), nil
}

// readAll reads a small member (JSON) into memory.
func (t *tarIndex) readAll(name string) ([]byte, error) {
	sr, err := t.section(name)
	if err != nil {
		return nil, err
	}
	if sr.Size() > maxJSON {
		return nil, fmt.Errorf("%s is %d bytes, too large for metadata", name, sr.Size())
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(sr); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return b.Bytes(), nil
}
