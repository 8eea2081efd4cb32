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

	"github.com/stratascan/strata/analyzer/bug"
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
	// Inspect, when set, is called for every regular file with content,
	// with its clean path and size, before the content is read. A non-nil
	// writer receives the content in order as it streams by, while it is
	// hashed; the first error the writer returns stops the feeding (the rest
	// is still hashed, nothing fails). Close is called once the file has been
	// read. One layer's walk calls Inspect and its writers from a single
	// goroutine, one file at a time. Keep Inspect cheap: it runs for every file.
	Inspect func(path string, size int64) io.WriteCloser
	// HashDiffID makes the walk compute Result.DiffID (a SHA-256 pass over
	// the uncompressed stream), for callers that learn the diffID only later.
	HashDiffID bool
	// SizeHint is the stored size of the layer, when known: the entry list
	// starts from a size guessed from it.
	SizeHint int64

	// archiveTarOnly reads every header with archive/tar, and inOrder
	// reads the stream in order even when it could be read ahead at
	// offsets: the references the tests compare the walk with.
	archiveTarOnly, inOrder bool
	// readAheadFrom, when set, replaces minReadAhead.
	readAheadFrom int64
}

// Result is what one layer walk records.
type Result struct {
	// Entries are in tar order.
	Entries []Entry
	// Compression is the stored blob's compression.
	Compression Compression
	// StoredBytes is how many stored (possibly compressed) bytes were read.
	StoredBytes int64
	// DiffID is "sha256:<hex>" of the uncompressed stream, with HashDiffID
	// or VerifyDiffID.
	DiffID string
}

// ErrDiffIDMismatch reports a layer whose content does not match its diffID.
var ErrDiffIDMismatch = errors.New("layer content does not match its diffID")

// ErrSparseTooLarge reports a layer whose sparse files declare more bytes
// than MaxSparseBytes: a few bytes of tar can declare exabytes of holes.
var ErrSparseTooLarge = errors.New("sparse files too large")

// MaxSparseBytes bounds the sum of the logical sizes of one layer's sparse
// files (1 TiB), so that sums over an image never overflow.
const MaxSparseBytes = 1 << 40

const progressStep = 1 << 20

// Layer reads the stored layer stream r to its end and records its entries.
func Layer(ctx context.Context, r io.Reader, opts Options) (*Result, error) {
	if opts.VerifyDiffID == "" && !opts.HashDiffID && !opts.inOrder {
		if ahead := newReadAhead(ctx, r, opts.Progress, opts.readAheadFrom); ahead != nil {
			return layerAhead(ctx, r.(io.Seeker), ahead, opts)
		}
	}
	cr := &countingReader{ctx: ctx, r: r, report: opts.Progress}
	plain, comp, release, err := Decompress(cr)
	if err != nil {
		return nil, err
	}
	defer release()

	var sum hash.Hash
	if opts.VerifyDiffID != "" || opts.HashDiffID {
		sum = sha256.New()
		plain = io.TeeReader(plain, sum)
	}
	res := &Result{Compression: comp}
	if err := readTar(ctx, plain, nil, res, opts); err != nil {
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
		res.DiffID = got
		if opts.VerifyDiffID != "" && got != opts.VerifyDiffID {
			return nil, fmt.Errorf("%w: expected %s, content hashes to %s", ErrDiffIDMismatch, opts.VerifyDiffID, got)
		}
	}
	res.StoredBytes = cr.n
	if opts.Progress != nil {
		opts.Progress(cr.n)
	}
	return res, nil
}

// layerAhead is Layer for an uncompressed stream read at offsets.
func layerAhead(ctx context.Context, s io.Seeker, ahead *readAhead, opts Options) (*Result, error) {
	res := &Result{Compression: None}
	if err := readTar(ctx, nil, ahead, res, opts); err != nil {
		return nil, err
	}
	// As if read in order: the stream is consumed.
	if _, err := s.Seek(0, io.SeekEnd); err != nil {
		return nil, fmt.Errorf("reading the end of the layer blob: %w", err)
	}
	res.StoredBytes = ahead.read
	if opts.Progress != nil {
		opts.Progress(ahead.read)
	}
	return res, nil
}

// firstChunk is the length of the first chunk of a layer's entry list:
// about one entry per 16 KiB stored (typical images hold one per 8 to 32
// KiB), within bounds. The chunks after double; the list is copied to its
// exact length at the end.
func firstChunk(sizeHint int64) int {
	if sizeHint <= 0 {
		return 256
	}
	return int(min(max(sizeHint/16384, 64), 4096))
}

func withCompression(c Compression, err error) error {
	if c == None || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s layer: %w", c, err)
}

// readTar iterates the tar headers and records the entries while a second
// goroutine hashes the regular files' content and hands the files inspect
// selects to their writers (see blocks.go). It decodes the common headers
// itself and hands the others to archive/tar (see header.go); with ahead,
// the stream's blocks come from the read-ahead lanes (see readahead.go).
func readTar(ctx context.Context, r io.Reader, ahead *readAhead, res *Result, opts Options) (err error) {
	msgs := make(chan message, 2*blockCount)
	failed := make(chan struct{})
	br := newBlockReader(r, msgs, failed)
	if ahead != nil {
		br.ahead = ahead
		ahead.start(br.get, br.put)
	}
	hs := &hasher{in: msgs, free: br.free, spare: br.spare, inspect: opts.Inspect}
	type outcome struct {
		hashes *chunks[fileHash]
		panic  *bug.Error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// A bug in the hasher or an inspector: stop the reader, take
				// what it still sends, and panic again in its goroutine.
				close(failed)
				for range msgs {
				}
				done <- outcome{panic: bug.From(r)}
			}
		}()
		done <- outcome{hashes: hs.run()}
	}()
	entries := chunks[Entry]{cur: make([]Entry, 0, firstChunk(opts.SizeHint))}
	last := fileJob{entry: -1} // the last file announced
	defer func() {
		br.send(nil) // the files found after the last block, if any
		close(msgs)
		out := <-done
		if ahead != nil {
			ahead.close()
		}
		if out.panic != nil {
			panic(out.panic)
		}
		br.release()
		if err == nil {
			res.Entries = entries.slice()
			out.hashes.each(func(fh *fileHash) { res.Entries[fh.entry].Hash = fh.hash })
		}
	}()

	var (
		// slow is archive/tar, reading the header at hand and the ones after
		// it while they are not plain (a sparse file's content).
		slow     *tar.Reader
		onlySlow = opts.archiveTarOnly || insecurePathsRejected()
		// skipN and skipPad are the content and padding of the last entry
		// parsed here, to pass before the next header.
		skipN, skipPad int64
		scratch        = make([]byte, 0, 512)
		sparse         int64 // Σ logical sizes of the sparse files so far
	)
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var hdr header
		var err error
		if slow == nil {
			err = br.skip(skipN, skipPad)
			skipN, skipPad = 0, 0
			if err == nil {
				ok := false
				if b := br.header(); b != nil && !onlySlow {
					hdr, ok = parseHeader(b, &scratch)
				}
				if ok {
					br.pos += 512
					skipN = dataSize(hdr.typeflag, hdr.size)
					skipPad = padding(skipN)
				} else {
					slow = tar.NewReader(br)
				}
			}
		}
		if slow != nil && err == nil {
			var th *tar.Header
			if th, err = slow.Next(); err == nil {
				hdr = fromTar(th)
				if !onlySlow && plainType(th.Typeflag) && !hdr.sparse {
					// Back to parsing here after its content.
					slow = nil
					skipN = dataSize(th.Typeflag, th.Size)
					skipPad = padding(skipN)
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return br.drain()
		}
		if err != nil {
			if last.entry >= 0 && br.errAt >= 0 && br.errAt < last.start+last.size {
				// The stream stopped inside the last file's content.
				if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(br.err, io.EOF) {
					return fmt.Errorf("reading %q: truncated tar stream", last.path)
				}
				return fmt.Errorf("reading %q: %w", last.path, br.err)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("reading tar entry %d: truncated tar stream", n+1)
			}
			return fmt.Errorf("reading tar entry %d: %w", n+1, err)
		}
		e, ok := newEntry(&hdr)
		if !ok {
			continue
		}
		switch {
		case e.Kind == File && hdr.size > 0 && hdr.sparse:
			// A sparse file's holes read back as zeros: a few bytes of tar can
			// declare exabytes. Record the size extraction would materialise
			// without expanding the holes; Next skips only the stored fragments.
			if sparse += hdr.size; sparse > MaxSparseBytes || sparse < 0 {
				return fmt.Errorf("%w: the sparse files of the layer declare more than %d bytes (at %q)", ErrSparseTooLarge, int64(MaxSparseBytes), e.Path)
			}
			e.Size = hdr.size
			e.Hash = xxh3.HashString("sparse\x00" + e.Path)
		case e.Kind == File && hdr.size > 0:
			// The content follows the header: the hasher reads it from the
			// blocks while the reader skips it.
			e.Size = hdr.size
			last = fileJob{entry: entries.n, path: e.Path, start: br.pos, size: hdr.size}
			br.announce(last)
		}
		entries.add(e)
	}
}

// newEntry converts a tar header; ok is false for entries that are not part
// of the filesystem (the root itself, AUFS metadata).
func newEntry(hdr *header) (Entry, bool) {
	p := hdr.path
	if p == "/" {
		return Entry{}, false
	}
	e := Entry{
		Path:       p,
		HeaderSize: hdr.size,
		Mode:       uint32(hdr.mode) & 07777,
		UID:        uint32(hdr.uid),
		GID:        uint32(hdr.gid),
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
	switch hdr.typeflag {
	case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
		e.Kind = File
	case tar.TypeDir:
		e.Kind = Dir
	case tar.TypeSymlink:
		e.Kind, e.Link = Symlink, hdr.link
	case tar.TypeLink:
		e.Kind, e.Link = HardLink, Normalize(hdr.link)
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
	if isClean(name) {
		if name[0] == '/' {
			return name
		}
		return "/" + name
	}
	return path.Clean("/" + name)
}

// isClean reports whether a name needs nothing but a leading slash: no
// empty, "." or ".." element, no trailing slash. Most tar names are so, and
// this is cheaper than path.Clean.
func isClean[S string | []byte](name S) bool {
	if len(name) == 0 || len(name) == 1 && name[0] == '/' {
		return false
	}
	start := 0
	if name[0] == '/' {
		start = 1
	}
	elem := start
	for i := start; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			continue
		}
		switch seg := name[elem:i]; len(seg) {
		case 0:
			return false
		case 1, 2:
			if seg[0] == '.' && seg[len(seg)-1] == '.' {
				return false
			}
		}
		elem = i + 1
	}
	return true
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
