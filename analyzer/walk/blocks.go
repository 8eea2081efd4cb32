package walk

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// The walk of one layer runs as two goroutines joined by a bounded ring of
// blocks. The reader (the caller's goroutine) fills blocks with the
// uncompressed stream, decompressing and reading syscalls as it goes, and
// parses the tar headers out of them; it never copies file content: the tar
// reader seeks past it. The hasher receives every block and, for every
// regular file, the range of the stream its content occupies, and hashes
// (and hands to the rules' inspector) that content straight out of the
// blocks. Blocks return to the ring once both are past them, so memory stays
// at blockCount × blockSize per walk whatever the layer's size.

const (
	blockSize  = 1 << 20
	blockCount = 6
)

// block is one piece of the uncompressed stream, [off, off+len(data)).
type block struct {
	off  int64
	data []byte
}

func (b *block) end() int64 { return b.off + int64(len(b.data)) }

// blockReader serves the uncompressed stream to the tar reader out of
// blocks, handing each block to the hasher as it is filled. Seek (forward,
// relative, lazy) lets the tar reader skip file content without copying it.
type blockReader struct {
	r      io.Reader
	failed <-chan struct{} // closed when the hasher fails
	free   chan *block
	out    chan<- message
	// cur is the bytes of the last block filled, [curOff, end) of the
	// stream. They are kept here rather than read from the block: once the
	// reader is past it, the hasher may return the block to the ring, where
	// a read-ahead lane refills it.
	cur    []byte
	curOff int64
	pos    int64 // the logical position; may lie beyond cur after a Seek
	err    error // the fill error, returned once pos reaches errAt
	// errAt is where the stream stopped (its end or the failure).
	errAt int64
	// end is the offset just past the last block filled.
	end int64
	// taken is how many blocks came from the pool.
	taken atomic.Int32
	// ahead, when set, reads the blocks in place of r.
	ahead *readAhead
	// files are the files found since the last message; spare holds
	// lists the hasher is done with.
	files []fileJob
	spare chan []fileJob
}

// blockPool keeps blocks between walks: images of thousands of small
// layers would otherwise allocate fresh blocks for each.
var blockPool = sync.Pool{New: func() any { return &block{data: make([]byte, 0, blockSize)} }}

func newBlockReader(r io.Reader, out chan<- message, failed <-chan struct{}) *blockReader {
	return &blockReader{r: r, failed: failed, free: make(chan *block, blockCount), out: out, errAt: -1,
		spare: make(chan []fileJob, 2*blockCount+2)}
}

// get returns a free block: one returned by the hasher, else a new one
// while fewer than blockCount are out, else the next one returned. The
// read-ahead lanes call it side by side; stop (nil for the reader) ends
// their wait.
func (br *blockReader) get(stop <-chan struct{}) (*block, error) {
	select {
	case b := <-br.free:
		return b, nil
	default:
	}
	if br.taken.Add(1) <= blockCount {
		return blockPool.Get().(*block), nil
	}
	br.taken.Add(-1)
	select {
	case b := <-br.free:
		return b, nil
	case <-br.failed:
		return nil, errHasherFailed
	case <-stop:
		return nil, errStopped
	}
}

// announce queues a file for the hasher; it goes with the next block.
func (br *blockReader) announce(j fileJob) {
	if br.files == nil {
		select {
		case br.files = <-br.spare:
		default:
			br.files = make([]fileJob, 0, 64)
		}
	}
	br.files = append(br.files, j)
}

// send hands the hasher the files announced since the last message and
// block b (nil to send only the files).
func (br *blockReader) send(b *block) error {
	if b == nil && len(br.files) == 0 {
		return nil
	}
	select {
	case br.out <- message{files: br.files, block: b}:
		br.files = nil
		return nil
	case <-br.failed:
		return errHasherFailed
	}
}

// put returns a block no one holds; the ring never holds more than
// blockCount, so it never waits.
func (br *blockReader) put(b *block) { br.free <- b }

// release returns the blocks to the pool once the hasher has stopped.
func (br *blockReader) release() {
	keep := br.end < poolBelow
	for {
		select {
		case b := <-br.free:
			if keep {
				b.data = b.data[:0]
				blockPool.Put(b)
			}
		default:
			return
		}
	}
}

// poolBelow is the size of the largest walk whose blocks go back to the
// pool. The pool spares images of many layers an allocation of blocks per
// layer (120 MB for 20 layers); after a layer of gigabytes, the next walk
// allocating its blocks anew costs nothing in comparison, and blocks kept
// in the pool would count as live heap (and make the heap grow by twice as
// much before the next collection) all through the merge that follows.
const poolBelow = 256 << 20

// fill reads the next block of the stream and sends it to the hasher.
func (br *blockReader) fill() error {
	if br.err != nil {
		return br.err
	}
	if br.ahead != nil {
		return br.fillAhead()
	}
	b, err := br.get(nil)
	if err != nil {
		return err
	}
	b.off = br.end
	n, err := io.ReadFull(br.r, b.data[:blockSize])
	b.data = b.data[:n]
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	if n > 0 {
		br.end += int64(n)
		br.cur, br.curOff = b.data, b.off
		if err := br.send(b); err != nil {
			return err
		}
	} else {
		br.free <- b
	}
	if err != nil {
		br.err, br.errAt = err, br.end
		if n == 0 {
			return err
		}
	}
	return nil
}

// fillAhead is fill taking the next block the read-ahead lanes read.
func (br *blockReader) fillAhead() error {
	b, err := br.ahead.take(br.failed)
	if b != nil {
		br.end += int64(len(b.data))
		br.cur, br.curOff = b.data, b.off
		if err := br.send(b); err != nil {
			return err
		}
	}
	if err != nil {
		br.err, br.errAt = err, br.end
		if b == nil {
			return err
		}
	}
	return nil
}

// drain reads what follows the end of the tar, as the caller does for a
// stream read in order.
func (br *blockReader) drain() error {
	if br.ahead == nil {
		return nil
	}
	var err error
	for err == nil {
		err = br.fill()
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("reading past the end of the tar: %w", err)
}

func (br *blockReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for br.pos >= br.end {
		if err := br.fill(); err != nil {
			return 0, err
		}
	}
	if br.pos < br.curOff {
		// Impossible: the position only moves forward.
		return 0, fmt.Errorf("walk: position %d inside consumed stream", br.pos)
	}
	n := copy(p, br.cur[br.pos-br.curOff:])
	br.pos += int64(n)
	return n, nil
}

// reach fills blocks until the byte at offset off is in one, as Read would
// to return it; it returns the fill error if the stream stops before.
func (br *blockReader) reach(off int64) error {
	for off >= br.end {
		if err := br.fill(); err != nil {
			return err
		}
	}
	return nil
}

// skip passes over n bytes of content and pad bytes of padding with the
// reads and the errors of archive/tar's Reader.Next: a stream that stops in
// the content is truncated (io.ErrUnexpectedEOF), one that stops in the
// padding has ended (io.EOF), and other read errors are returned as they
// are.
func (br *blockReader) skip(n, pad int64) error {
	if n > 1 && br.pos+(n-1) < br.pos {
		return io.ErrUnexpectedEOF // a size no stream can hold, as Seek says
	}
	if n > 0 {
		if err := br.reach(br.pos + n - 1); err != nil {
			if err == io.EOF { //nolint:errorlint // as archive/tar compares
				return io.ErrUnexpectedEOF
			}
			return err
		}
		br.pos += n
	}
	if pad > 0 {
		if err := br.reach(br.pos + pad - 1); err != nil {
			return err
		}
		br.pos += pad
	}
	return nil
}

// header returns the 512 bytes at the position when one block holds them
// all, or nil: at the end of the stream, on a read error, or if they
// straddle two blocks (which tar's alignment on 512 bytes rules out).
func (br *blockReader) header() []byte {
	if br.reach(br.pos+511) != nil || br.pos < br.curOff {
		return nil
	}
	return br.cur[br.pos-br.curOff:][:512]
}

// Seek moves forward from the current position only; the bytes skipped are
// filled (and handed to the hasher) by the next Read.
func (br *blockReader) Seek(offset int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || offset < 0 {
		return br.pos, errors.New("walk: only forward relative seeks")
	}
	if br.pos+offset < br.pos {
		return br.pos, io.ErrUnexpectedEOF // a size no stream can hold
	}
	br.pos += offset
	return br.pos, nil
}

// errStopped ends a read-ahead lane's wait for a block when the walk ends.
var errStopped = errors.New("walk: stopped")

// errHasherFailed stops the reader when the hasher has panicked; the panic
// itself is raised again once the reader has stopped.
var errHasherFailed = errors.New("walk: the content hasher failed")

// message is what the reader sends the hasher, in stream order: the files
// it found since the last message (whose content starts after their
// headers, in blocks already sent or to come), then the block it has just
// filled, if any. Files go with the next block rather than one by one: a
// layer of a million small files would otherwise cost two million channel
// operations. The hasher keeps the newest block while it has no file to
// hash, so the content of files not announced yet is never returned early.
type message struct {
	files []fileJob
	block *block
}

// fileJob is one regular file's content, [start, start+size) of the stream.
type fileJob struct {
	entry int // index in Result.Entries; -1 for none
	path  string
	start int64
	size  int64
}

// fileHash is the content hash of one entry.
type fileHash struct {
	entry int
	hash  uint64
}

// chunks is a list that grows by chunks of doubling size rather than by
// copying: a layer's entries and hashes are appended one by one, and a
// growing slice would leave about as much garbage as it holds.
type chunks[T any] struct {
	full [][]T
	cur  []T
	n    int
}

// maxChunk bounds a chunk's length.
const maxChunk = 1 << 16

func (c *chunks[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		size := 256
		if c.cur != nil {
			c.full = append(c.full, c.cur)
			size = min(2*cap(c.cur), maxChunk)
		}
		c.cur = make([]T, 0, size)
	}
	c.cur = append(c.cur, v)
	c.n++
}

// each calls f with every item in order.
func (c *chunks[T]) each(f func(*T)) {
	for _, ch := range append(c.full, c.cur) {
		for i := range ch {
			f(&ch[i])
		}
	}
}

// slice returns the items as one slice of their exact length. The first
// chunk is returned as it is when it holds them all and is at least half
// full.
func (c *chunks[T]) slice() []T {
	if len(c.full) == 0 && 2*len(c.cur) >= cap(c.cur) {
		return c.cur
	}
	out := make([]T, 0, c.n)
	for _, ch := range append(c.full, c.cur) {
		out = append(out, ch...)
	}
	return out
}
