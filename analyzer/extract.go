package analyzer

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer/walk"
)

// ErrNotInLayer reports a path that has no entry in the layer read.
var ErrNotInLayer = errors.New("no such entry in the layer")

// ErrNotRegular reports an entry whose content cannot be read (a directory,
// a symlink, a device, a whiteout).
var ErrNotRegular = errors.New("not a regular file")

// maxLinkHops bounds how many hard links ReadFile follows.
const maxLinkHops = 8

// ReadFile streams one layer's tar (and only that layer's) to the entry at p
// and returns at most limit bytes of its content (limit < 0 means no limit).
// A hard link is followed to its target in the same layer. Only the stored
// blob of that layer is read, decompressed on the fly.
func ReadFile(ctx context.Context, img v1.Image, layer int, p string, limit int64) ([]byte, error) {
	var out []byte
	err := CopyFile(ctx, img, layer, p, writerFunc(func(b []byte) (int, error) {
		if limit >= 0 && int64(len(out)+len(b)) > limit {
			out = append(out, b[:limit-int64(len(out))]...)
			return 0, errLimit
		}
		out = append(out, b...)
		return len(b), nil
	}))
	if errors.Is(err, errLimit) {
		err = nil
	}
	return out, err
}

// CopyFile streams one layer's tar to the entry at p and copies its whole
// content to w. It returns the error of the first failing step, wrapped with
// the layer and path.
func CopyFile(ctx context.Context, img v1.Image, layer int, p string, w io.Writer) error {
	p = walk.Normalize(p)
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("listing the image layers: %w", err)
	}
	if layer < 0 || layer >= len(layers) {
		return fmt.Errorf("layer %d: the image has %d layers", layer, len(layers))
	}
	want := p
	for hop := 0; hop <= maxLinkHops; hop++ {
		target, err := copyEntry(ctx, layers[layer], want, w)
		if err != nil {
			return fmt.Errorf("reading %s from layer %d: %w", p, layer, err)
		}
		if target == "" {
			return nil
		}
		want = target
	}
	return fmt.Errorf("reading %s from layer %d: too many hard links", p, layer)
}

// copyEntry reads the layer to the last entry at want (the last one wins, as
// on extraction) and copies its content, or returns the hard link target to
// follow instead.
func copyEntry(ctx context.Context, l v1.Layer, want string, w io.Writer) (string, error) {
	rc, err := l.Compressed()
	if err != nil {
		return "", fmt.Errorf("opening the layer: %w", err)
	}
	defer rc.Close()
	plain, _, release, err := walk.Decompress(ctxReader{ctx, rc})
	if err != nil {
		return "", err
	}
	defer release()
	tr := tar.NewReader(plain)
	var found *tar.Header
	var content []byte // a copy of the last match's content, kept only when a later match may follow
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the layer tar: %w", err)
		}
		if walk.Normalize(hdr.Name) != want {
			continue
		}
		found = hdr
		content = content[:0]
		if isContent(hdr.Typeflag) {
			// Keep reading: a later entry at the same path would win. Buffer
			// only when it is small; large files are streamed below by a
			// second pass.
			if hdr.Size <= 1<<20 {
				b, err := io.ReadAll(tr)
				if err != nil {
					return "", fmt.Errorf("reading the layer tar: %w", err)
				}
				content = b
			} else {
				content = nil
			}
		}
	}
	if found == nil {
		return "", ErrNotInLayer
	}
	switch found.Typeflag {
	case tar.TypeLink:
		return walk.Normalize(found.Linkname), nil
	default:
		if !isContent(found.Typeflag) {
			return "", ErrNotRegular
		}
	}
	if content != nil || found.Size == 0 {
		_, err := w.Write(content)
		return "", err
	}
	return "", streamLast(ctx, l, want, w)
}

// streamLast copies the content of the last entry at want without buffering.
func streamLast(ctx context.Context, l v1.Layer, want string, w io.Writer) error {
	// Count the matches first, then copy the last one on a second pass.
	count := 0
	if err := scan(ctx, l, func(hdr *tar.Header, _ io.Reader) (bool, error) {
		if walk.Normalize(hdr.Name) == want {
			count++
		}
		return false, nil
	}); err != nil {
		return err
	}
	seen := 0
	return scan(ctx, l, func(hdr *tar.Header, r io.Reader) (bool, error) {
		if walk.Normalize(hdr.Name) != want {
			return false, nil
		}
		seen++
		if seen < count {
			return false, nil
		}
		_, err := io.Copy(w, r)
		return true, err
	})
}

// scan calls fn on every header of the layer until it returns stop.
func scan(ctx context.Context, l v1.Layer, fn func(*tar.Header, io.Reader) (bool, error)) error {
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("opening the layer: %w", err)
	}
	defer rc.Close()
	plain, _, release, err := walk.Decompress(ctxReader{ctx, rc})
	if err != nil {
		return err
	}
	defer release()
	tr := tar.NewReader(plain)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the layer tar: %w", err)
		}
		stop, err := fn(hdr, tr)
		if err != nil || stop {
			return err
		}
	}
}

// splitPath splits a relative path on "/".
func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// isContent reports whether a tar entry type holds a regular file's
// content: a regular file, a contiguous file ('7') or a GNU sparse file
// ('S'), whose holes the tar reader fills with zeros.
func isContent(typ byte) bool {
	switch typ {
	case tar.TypeReg, '\x00', tar.TypeCont, tar.TypeGNUSparse:
		return true
	}
	return false
}

var errLimit = errors.New("limit reached")

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// ctxReader stops reading once the context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// EachFile streams one layer's tar once and calls fn with the content of
// every regular file whose normalized path is in paths (a path present twice
// in the layer is passed twice, the last one last, as extraction would).
func EachFile(ctx context.Context, img v1.Image, layer int, paths map[string]bool, fn func(p string, r io.Reader) error) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("listing the image layers: %w", err)
	}
	if layer < 0 || layer >= len(layers) {
		return fmt.Errorf("layer %d: the image has %d layers", layer, len(layers))
	}
	err = scan(ctx, layers[layer], func(hdr *tar.Header, r io.Reader) (bool, error) {
		if !isContent(hdr.Typeflag) {
			return false, nil
		}
		p := walk.Normalize(hdr.Name)
		if !paths[p] {
			return false, nil
		}
		return false, fn(p, r)
	})
	if err != nil {
		return fmt.Errorf("reading layer %d: %w", layer, err)
	}
	return nil
}
