package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// How a blob streams from containerd: in chunks of blobChunk bytes, each a
// ReadAt (one read stream over the API, which containerd answers in 1 MiB
// messages), with up to blobAhead chunks read ahead while the caller
// consumes the current one. A chunk that takes longer than blobStall fails
// the read instead of hanging.
const (
	blobChunk = 4 << 20
	blobAhead = 1
)

// blobStall is a variable so that tests can shorten it.
var blobStall = time.Minute

// chunk is one ReadAt's result.
type chunk struct {
	buf []byte
	err error
}

// blobReader streams one blob from containerd's content store in place.
type blobReader struct {
	cancel context.CancelFunc
	ra     content.ReaderAt
	ready  chan chunk  // filled chunks, in order
	free   chan []byte // consumed buffers, for reuse
	done   chan struct{}

	cur []byte
	buf []byte // cur's backing buffer, returned to free once consumed
	err error
}

// newBlobReader opens blob d and starts reading it ahead.
func newBlobReader(s *contentStore, d digest.Digest) (*blobReader, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	ra, err := s.cs.ReaderAt(ctx, ocispec.Descriptor{Digest: d})
	if err != nil {
		cancel()
		return nil, s.readError(d, err)
	}
	r := &blobReader{
		cancel: cancel,
		ra:     ra,
		ready:  make(chan chunk, blobAhead),
		free:   make(chan []byte, blobAhead+2),
		done:   make(chan struct{}),
	}
	go r.fill(ctx, s, d)
	return r, nil
}

// fill reads the blob chunk by chunk until its end, an error or Close.
func (r *blobReader) fill(ctx context.Context, s *contentStore, d digest.Digest) {
	defer close(r.done)
	defer close(r.ready)
	size := r.ra.Size()
	var stalled atomic.Bool
	watchdog := time.AfterFunc(blobStall, func() { stalled.Store(true); r.cancel() })
	watchdog.Stop()
	defer watchdog.Stop()
	for off := int64(0); off < size; {
		var buf []byte
		select {
		case buf = <-r.free:
		default:
			buf = make([]byte, min(blobChunk, size))
		}
		want := int(min(int64(len(buf)), size-off))
		watchdog.Reset(blobStall)
		n, err := r.ra.ReadAt(buf[:want], off)
		watchdog.Stop()
		if errors.Is(err, io.EOF) && n == want {
			err = nil
		}
		switch {
		case err != nil && stalled.Load():
			err = fmt.Errorf("reading blob %s from %s: no data for %s", d, s.t.where(), blobStall)
		case err != nil && ctx.Err() != nil:
			err = ctx.Err()
		case errors.Is(err, io.EOF):
			err = fmt.Errorf("blob %s from %s ended after %d of %d bytes", d, s.t.where(), off+int64(n), size)
		case err != nil:
			err = s.readError(d, err)
		}
		off += int64(n)
		select {
		case r.ready <- chunk{buf: buf[:n], err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

func (r *blobReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.buf != nil {
			select {
			case r.free <- r.buf[:cap(r.buf)]:
			default:
			}
			r.buf = nil
		}
		c, ok := <-r.ready
		if !ok {
			r.err = io.EOF
			return 0, io.EOF
		}
		r.cur, r.buf, r.err = c.buf, c.buf, c.err
		if len(r.cur) == 0 && r.err == nil {
			continue
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// Close stops the read-ahead and waits for it.
func (r *blobReader) Close() error {
	r.cancel()
	<-r.done
	return r.ra.Close()
}
