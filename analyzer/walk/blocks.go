package walk

import (
	"errors"
	"fmt"
	"io"
	"sync"
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
	cur    *block
	pos    int64 // the logical position; may lie beyond cur after a Seek
	err    error // the fill error, returned once pos reaches errAt
	// errAt is where the stream stopped (its end or the failure).
	errAt int64
	// end is the offset just past the last block filled.
	end int64
	// taken is how many blocks came from the pool.
	taken int
}

// blockPool keeps blocks between walks: images of thousands of small
// layers would otherwise allocate fresh blocks for each.
var blockPool = sync.Pool{New: func() any { return &block{data: make([]byte, 0, blockSize)} }}

func newBlockReader(r io.Reader, out chan<- message, failed <-chan struct{}) *blockReader {
	return &blockReader{r: r, failed: failed, free: make(chan *block, blockCount), out: out, errAt: -1}
}

// get returns a free block: one returned by the hasher, else a new one
// while fewer than blockCount are out, else the next one returned.
func (br *blockReader) get() (*block, error) {
	select {
	case b := <-br.free:
		return b, nil
	default:
	}
	if br.taken < blockCount {
		br.taken++
		return blockPool.Get().(*block), nil
	}
	select {
	case b := <-br.free:
		return b, nil
	case <-br.failed:
		return nil, errHasherFailed
	}
}

// release returns the blocks to the pool once the hasher has stopped.
func (br *blockReader) release() {
	for {
		select {
		case b := <-br.free:
			b.data = b.data[:0]
			blockPool.Put(b)
		default:
			return
		}
	}
}

// fill reads the next block of the stream and sends it to the hasher.
func (br *blockReader) fill() error {
	if br.err != nil {
		return br.err
	}
	b, err := br.get()
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
		br.cur = b
		select {
		case br.out <- message{block: b}:
		case <-br.failed:
			return errHasherFailed
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

func (br *blockReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for br.cur == nil || br.pos >= br.cur.end() {
		if br.pos < br.end {
			// A seek left pos inside a block not filled yet: impossible, as
			// blocks are filled in order up to end.
			return 0, fmt.Errorf("walk: position %d inside consumed stream", br.pos)
		}
		if err := br.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, br.cur.data[br.pos-br.cur.off:])
	br.pos += int64(n)
	return n, nil
}

// reach fills blocks until the byte at offset off is in one, as Read would
// to return it; it returns the fill error if the stream stops before.
func (br *blockReader) reach(off int64) error {
	for br.cur == nil || off >= br.cur.end() {
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
	if br.reach(br.pos+511) != nil || br.pos < br.cur.off {
		return nil
	}
	return br.cur.data[br.pos-br.cur.off:][:512]
}

// Seek moves forward from the current position only; the bytes skipped are
// filled (and handed to the hasher) by the next Read.
func (br *blockReader) Seek(offset int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || offset < 0 {
		return br.pos, errors.New("walk: only forward relative seeks")
	}
	br.pos += offset
	return br.pos, nil
}

// errHasherFailed stops the reader when the hasher has panicked; the panic
// itself is raised again once the reader has stopped.
var errHasherFailed = errors.New("walk: the content hasher failed")

// message is what the reader sends the hasher, in stream order: a block
// just filled, or a file whose content starts at the reader's position.
type message struct {
	block *block
	file  *fileJob
}

// fileJob is one regular file's content, [start, start+size) of the stream.
type fileJob struct {
	entry int // index in Result.Entries
	path  string
	start int64
	size  int64
}

// fileHash is the content hash of one entry.
type fileHash struct {
	entry int
	hash  uint64
}
