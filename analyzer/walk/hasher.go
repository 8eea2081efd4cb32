package walk

import (
	"io"

	"github.com/zeebo/xxh3"
)

// hasher hashes the content of the files the reader announces, out of the
// blocks it sends, and feeds the inspector. It runs in its own goroutine;
// the inspector is only ever called from it, one file at a time, in order.
type hasher struct {
	in      <-chan message
	free    chan<- *block
	spare   chan<- []fileJob // announcement lists back to the reader
	inspect func(string, int64) io.WriteCloser

	blocks []*block // received, not yet returned, in stream order
	job    *fileJob // the file being hashed, or nil
	pos    int64    // how far job's content has been hashed
	h      *xxh3.Hasher
	w      io.WriteCloser // job's inspector, or nil
	feed   bool           // w still accepts content
	cur    fileJob        // job points here
	queue  []fileJob      // files announced, not yet started
	next   int            // the first of queue not started
	hashes chunks[fileHash]
}

// run consumes messages until the channel closes and returns the hashes of
// the files whose content was complete, in stream order.
func (hs *hasher) run() *chunks[fileHash] {
	hs.h = xxh3.New()
	for m := range hs.in {
		if len(m.files) > 0 {
			if hs.next == len(hs.queue) {
				hs.queue, hs.next = hs.queue[:0], 0
			}
			hs.queue = append(hs.queue, m.files...)
			select {
			case hs.spare <- m.files[:0]:
			default:
			}
		}
		if m.block != nil {
			hs.blocks = append(hs.blocks, m.block)
		}
		hs.work()
		hs.release()
	}
	if hs.w != nil { // the stream ended inside this file
		hs.w.Close()
	}
	for _, b := range hs.blocks {
		hs.free <- b
	}
	return &hs.hashes
}

// work hashes the files in order as far as the blocks received go.
func (hs *hasher) work() {
	for {
		if hs.job == nil {
			if hs.next == len(hs.queue) {
				return
			}
			hs.cur = hs.queue[hs.next]
			hs.next++
			hs.start(&hs.cur)
		}
		hs.advance()
		if hs.job != nil {
			return // the rest of its content is yet to come
		}
	}
}

func (hs *hasher) start(j *fileJob) {
	hs.job, hs.pos = j, j.start
	hs.w, hs.feed = nil, false
	if hs.inspect != nil {
		if w := hs.inspect(j.path, j.size); w != nil {
			hs.w, hs.feed = w, true
		}
	}
	hs.h.Reset()
}

// advance hashes as much of the current file as the blocks hold.
func (hs *hasher) advance() {
	j := hs.job
	if j == nil {
		return
	}
	end := j.start + j.size
	for _, b := range hs.blocks {
		if hs.pos >= end {
			break
		}
		if b.end() <= hs.pos {
			continue
		}
		from, to := hs.pos-b.off, min(end, b.end())-b.off
		data := b.data[from:to]
		if hs.pos == j.start && to+b.off == end {
			// The whole file in one block: hash it in one call.
			hs.finish(xxh3.Hash(data), data)
			return
		}
		hs.h.Write(data)
		hs.write(data)
		hs.pos += int64(len(data))
	}
	if hs.pos == end {
		hs.finish(hs.h.Sum64(), nil)
	}
}

// write feeds the inspector; its first error stops the feeding.
func (hs *hasher) write(p []byte) {
	if hs.feed {
		if _, err := hs.w.Write(p); err != nil {
			hs.feed = false
		}
	}
}

func (hs *hasher) finish(sum uint64, whole []byte) {
	if whole != nil {
		hs.write(whole)
	}
	if hs.w != nil {
		hs.w.Close()
		hs.w = nil
	}
	hs.hashes.add(fileHash{entry: hs.job.entry, hash: sum})
	hs.pos = hs.job.start + hs.job.size
	hs.job = nil
}

// release returns the blocks no one needs any more: those before the
// current file's hashed position, or, with no file pending, all but the
// newest (the reader may still be parsing headers out of it, and announces
// the files it finds there with the next block).
func (hs *hasher) release() {
	n := 0
	for n < len(hs.blocks) {
		b := hs.blocks[n]
		if hs.job != nil && b.end() > hs.pos {
			break
		}
		if hs.job == nil && n == len(hs.blocks)-1 {
			break
		}
		hs.free <- b
		n++
	}
	if n > 0 {
		hs.blocks = append(hs.blocks[:0], hs.blocks[n:]...)
	}
}
