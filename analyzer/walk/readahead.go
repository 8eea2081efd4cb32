package walk

import (
	"context"
	"errors"
	"io"
	"sync"
)

// An uncompressed layer read out of a file (a docker-archive member, an OCI
// layout blob) costs little but the copies out of the page cache, and one
// goroutine making them is slower than the rest of the walk together. When
// the stored stream can be read at offsets, two goroutines read the blocks
// ahead of the reader, every other block each, so that the copies run on
// both cores; the reader takes the blocks in order and everything after is
// as with one stream. Memory stays at blockCount blocks.

// minReadAhead is the smallest layer read ahead: below it the goroutines
// cost more than they save.
const minReadAhead = 8 * blockSize

const lanes = 2

// readerAtSeeker is a stored stream that can also be read at offsets.
type readerAtSeeker interface {
	io.ReaderAt
	io.Seeker
}

// readAhead reads [base, base+size) of ra in blocks, lane w reading the
// blocks w, w+lanes, w+2·lanes...
type readAhead struct {
	ctx    context.Context
	ra     io.ReaderAt
	base   int64
	size   int64
	get    func(stop <-chan struct{}) (*block, error)
	put    func(*block)
	lanes  [lanes]chan filled
	stop   chan struct{}
	wg     sync.WaitGroup
	next   int64 // the next block fill takes
	read   int64 // bytes taken so far
	last   int64 // read at the last progress report
	report func(int64)
}

// filled is one block read, or the error that ended a lane.
type filled struct {
	b   *block
	err error
}

// newReadAhead returns a read-ahead over r when r can be read at offsets,
// holds at least minReadAhead bytes from its position and is an
// uncompressed stream strata reads (everything else, including a stream
// Decompress rejects, takes the ordinary path, which reports it).
func newReadAhead(ctx context.Context, r io.Reader, report func(int64), from int64) *readAhead {
	if from <= 0 {
		from = minReadAhead
	}
	s, ok := r.(readerAtSeeker)
	if !ok {
		return nil
	}
	base, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil
	}
	end, err := s.Seek(0, io.SeekEnd)
	if _, err2 := s.Seek(base, io.SeekStart); err != nil || err2 != nil || end-base < from {
		return nil
	}
	head := make([]byte, 512)
	if n, err := s.ReadAt(head, base); n < len(head) || err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	if Detect(head) != None || sniffUnsupported(head) != nil {
		return nil
	}
	return &readAhead{ctx: ctx, ra: s, base: base, size: end - base, report: report}
}

// start runs the lanes; get and put take and return free blocks.
func (a *readAhead) start(get func(stop <-chan struct{}) (*block, error), put func(*block)) {
	a.get, a.put = get, put
	a.stop = make(chan struct{})
	for w := range lanes {
		a.lanes[w] = make(chan filled, 1)
		a.wg.Add(1)
		go a.lane(w)
	}
}

// lane reads its blocks until the end of the stream, an error or stop.
func (a *readAhead) lane(w int) {
	defer a.wg.Done()
	for i := int64(w); ; i += lanes {
		f := a.readBlock(i)
		select {
		case a.lanes[w] <- f:
		case <-a.stop:
			if f.b != nil {
				a.put(f.b)
			}
			return
		}
		if f.err != nil {
			return
		}
	}
}

// readBlock reads block i as io.ReadFull reading the stream in order would
// fill it: whole blocks, then a short last one or an empty one with io.EOF.
func (a *readAhead) readBlock(i int64) filled {
	if err := a.ctx.Err(); err != nil {
		return filled{err: err}
	}
	off := i * blockSize
	if off >= a.size {
		return filled{err: io.EOF}
	}
	b, err := a.get(a.stop)
	if err != nil {
		return filled{err: err}
	}
	want := min(blockSize, a.size-off)
	n, err := a.ra.ReadAt(b.data[:want], a.base+off)
	b.off, b.data = off, b.data[:n]
	switch {
	case int64(n) == want && want == blockSize:
		err = nil
	case int64(n) == want || errors.Is(err, io.EOF) || err == nil:
		err = io.EOF // the last block, or the stream stopped early
	}
	return filled{b: b, err: err}
}

// take returns the next block in stream order (nil with an error at the
// end), reporting progress.
func (a *readAhead) take(failed <-chan struct{}) (*block, error) {
	var f filled
	select {
	case f = <-a.lanes[a.next%lanes]:
	case <-failed:
		return nil, errHasherFailed
	}
	a.next++
	if f.b != nil {
		if len(f.b.data) == 0 {
			a.put(f.b)
			f.b = nil
		} else {
			a.read += int64(len(f.b.data))
			if a.report != nil && a.read-a.last >= progressStep {
				a.last = a.read
				a.report(a.read)
			}
		}
	}
	return f.b, f.err
}

// close stops the lanes and returns the blocks they hold.
func (a *readAhead) close() {
	if a.stop == nil {
		return
	}
	close(a.stop)
	a.wg.Wait()
	for _, l := range a.lanes {
		select {
		case f := <-l:
			if f.b != nil {
				a.put(f.b)
			}
		default:
		}
	}
	a.stop = nil
}
