package walk

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"

	"github.com/zeebo/xxh3"
)

// Options tune a layer walk.
type Options struct {
	// VerifyDiffID, when set ("sha256:<hex>"), makes the walk hash the
	// uncompressed stream and fail when it differs. Off by default: a full
	// SHA-256 pass costs more than the walk itself.
	VerifyDiffID string
	// Progress, when set, is called with the number of stored bytes read so
	// far, at most every 1 MiB and once at the end.
	Progress func(read int64)
}

// Result is what one layer walk records.
type Result struct {
	// Entries are in tar order.
	Entries []Entry
	// Compression is the stored blob's compression.
	Compression Compression
	// StoredBytes is how many stored (possibly compressed) bytes were read.
	StoredBytes int64
}

// ErrDiffIDMismatch reports a layer whose content does not match its diffID.
var ErrDiffIDMismatch = errors.New("layer content does not match its diffID")

const progressStep = 1 << 20

// Layer reads the stored layer stream r to its end and records its entries.
func Layer(ctx context.Context, r io.Reader, opts Options) (*Result, error) {
	cr := &countingReader{ctx: ctx, r: r, report: opts.Progress}
	plain, comp, release, err := Decompress(cr)
	if err != nil {
		return nil, err
	}
	defer release()

	var sum hash.Hash
	if opts.VerifyDiffID != "" {
		sum = sha256.New()
		plain = io.TeeReader(plain, sum)
	}
	res := &Result{Compression: comp}
	if err := readTar(ctx, plain, res); err != nil {
		return nil, withCompression(comp, err)
	}
	// Drain what follows the tar end blocks so that the decompressor checks
	// its trailer and a verifying reader underneath sees the end of the blob.
	if _, err := io.Copy(io.Discard, plain); err != nil {
		return nil, withCompression(comp, fmt.Errorf("reading past the end of the tar: %w", err))
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return nil, fmt.Errorf("reading the end of the layer blob: %w", err)
	}
	if sum != nil {
		got := "sha256:" + hex.EncodeToString(sum.Sum(nil))
		if got != opts.VerifyDiffID {
			return nil, fmt.Errorf("%w: expected %s, content hashes to %s", ErrDiffIDMismatch, opts.VerifyDiffID, got)
		}
	}
	res.StoredBytes = cr.n
	if opts.Progress != nil {
		opts.Progress(cr.n)
	}
	return res, nil
}

func withCompression(c Compression, err error) error {
	if c == None || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s layer: %w", c, err)
}

// readTar iterates the tar headers, hashing regular file content.
func readTar(ctx context.Context, r io.Reader, res *Result) error {
	tr := tar.NewReader(r)
	h := xxh3.New()
	buf := make([]byte, 256<<10)
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("reading tar entry %d: truncated tar stream", n+1)
			}
			return fmt.Errorf("reading tar entry %d: %w", n+1, err)
		}
		e, ok := newEntry(hdr)
		if !ok {
			continue
		}
		if e.Kind == File && hdr.Size > 0 {
			h.Reset()
			copied, err := io.CopyBuffer(h, tr, buf)
			if err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					return fmt.Errorf("reading %q: truncated tar stream", e.Path)
				}
				return fmt.Errorf("reading %q: %w", e.Path, err)
			}
			e.Size = copied
			e.Hash = h.Sum64()
		}
		res.Entries = append(res.Entries, e)
	}
}

// newEntry converts a tar header; ok is false for entries that are not part
// of the filesystem (the root itself, AUFS metadata).
func newEntry(hdr *tar.Header) (Entry, bool) {
	p := Normalize(hdr.Name)
	if p == "/" {
		return Entry{}, false
	}
	e := Entry{
		Path:       p,
		HeaderSize: hdr.Size,
		Mode:       uint32(hdr.Mode) & 07777,
		UID:        uint32(hdr.Uid),
		GID:        uint32(hdr.Gid),
	}
	dir, base := path.Split(p)
	if strings.Contains(dir, "/.wh..wh.") {
		return Entry{}, false // inside AUFS metadata such as .wh..wh.plnk/
	}
	if strings.HasPrefix(base, ".wh.") {
		if base == ".wh..wh..opq" {
			e.Kind, e.Path = Opaque, path.Clean(dir)
			return e, true
		}
		if strings.HasPrefix(base, ".wh..wh.") {
			return Entry{}, false // AUFS metadata such as .wh..wh.plnk
		}
		e.Kind, e.Path = Whiteout, path.Join(dir, base[len(".wh."):])
		return e, true
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeCont, tar.TypeGNUSparse:
		e.Kind = File
	case tar.TypeDir:
		e.Kind = Dir
	case tar.TypeSymlink:
		e.Kind, e.Link = Symlink, hdr.Linkname
	case tar.TypeLink:
		e.Kind, e.Link = HardLink, Normalize(hdr.Linkname)
	case tar.TypeChar:
		e.Kind = CharDevice
	case tar.TypeBlock:
		e.Kind = BlockDevice
	case tar.TypeFifo:
		e.Kind = FIFO
	default:
		e.Kind = Other
	}
	return e, true
}

// Normalize turns a tar entry name ("./a/b/", "a//b", "/a") into an absolute
// clean path ("/a/b").
func Normalize(name string) string {
	if len(name) > 1 && name[0] == '/' && !strings.Contains(name, "//") && !strings.Contains(name, "/.") && name[len(name)-1] != '/' {
		return name
	}
	return path.Clean("/" + name)
}

// countingReader counts stored bytes, reports progress and stops on
// cancellation.
type countingReader struct {
	ctx    context.Context
	r      io.Reader
	n      int64
	last   int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.report != nil && c.n-c.last >= progressStep {
		c.last = c.n
		c.report(c.n)
	}
	return n, err
}
