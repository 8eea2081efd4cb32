package analyzer_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stratascan/strata/analyzer/source"
)

// This file builds hostile layers byte by byte, where tar.Writer refuses to
// (NUL in names, sparse maps, sizes beyond the data), and streams huge ones
// from generators so that the tests themselves stay small.

// rawHeader returns one 512-byte ustar header block with a valid checksum.
// Sizes of 8 GiB and more use the base-256 encoding.
func rawHeader(name string, typ byte, size int64, link string) []byte {
	b := make([]byte, 512)
	copy(b[0:100], name)
	copy(b[100:108], "0000644\x00")
	copy(b[108:116], "0000000\x00")
	copy(b[116:124], "0000000\x00")
	if size < 1<<33 {
		copy(b[124:136], fmt.Sprintf("%011o\x00", size))
	} else {
		b[124] = 0x80
		binary.BigEndian.PutUint64(b[128:136], uint64(size))
	}
	copy(b[136:148], "00000000000\x00")
	b[156] = typ
	copy(b[157:257], link)
	copy(b[257:263], "ustar\x00")
	copy(b[263:265], "00")
	copy(b[148:156], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// paxRecord encodes one PAX record: "<len> key=value\n", len counting itself.
func paxRecord(k, v string) string {
	body := " " + k + "=" + v + "\n"
	n := len(body) + 1
	for len(strconv.Itoa(n))+len(body) != n {
		n++
	}
	return strconv.Itoa(n) + body
}

// paxHeader returns a PAX extended header ('x') with the records, padded.
func paxHeader(records ...[2]string) []byte {
	var data string
	for _, r := range records {
		data += paxRecord(r[0], r[1])
	}
	return append(rawHeader("PaxHeaders/x", tar.TypeXHeader, int64(len(data)), ""), pad([]byte(data))...)
}

// pad pads b with zeros to a multiple of 512 bytes.
func pad(b []byte) []byte {
	if r := len(b) % 512; r != 0 {
		b = append(b, make([]byte, 512-r)...)
	}
	return b
}

// endBlocks is the two zero blocks that end a tar stream.
var endBlocks = make([]byte, 1024)

// blobLayer is a v1.Layer whose stored blob is produced by open on every
// call, so that multi-gigabyte layers need no memory. Its digests are
// derived from its name: nothing here verifies them.
type blobLayer struct {
	name string
	size int64
	open func() io.ReadCloser
}

var _ v1.Layer = (*blobLayer)(nil)

// bytesLayer is a layer stored as b (whatever b holds).
func bytesLayer(name string, b []byte) *blobLayer {
	return &blobLayer{name: name, size: int64(len(b)), open: func() io.ReadCloser {
		return io.NopCloser(bytes.NewReader(b))
	}}
}

func (l *blobLayer) hash(kind string) v1.Hash {
	sum := sha256.Sum256([]byte(kind + l.name))
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

func (l *blobLayer) Digest() (v1.Hash, error)             { return l.hash("digest"), nil }
func (l *blobLayer) DiffID() (v1.Hash, error)             { return l.hash("diffid"), nil }
func (l *blobLayer) Compressed() (io.ReadCloser, error)   { return l.open(), nil }
func (l *blobLayer) Uncompressed() (io.ReadCloser, error) { return l.open(), nil }
func (l *blobLayer) Size() (int64, error)                 { return l.size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error)  { return types.OCILayer, nil }

// imageOf stacks layers into an image ready for analyzer.Analyze.
func imageOf(t *testing.T, layers ...v1.Layer) *source.Image {
	t.Helper()
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		adds[i] = mutate.Addendum{Layer: l, History: v1.History{CreatedBy: fmt.Sprintf("/bin/sh -c step %d", i)}}
	}
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		t.Fatal(err)
	}
	return &source.Image{Image: img, Reference: "hostile", Source: source.OCI, Name: "hostile"}
}

// generated streams a tar written by fill on the fly through a pipe; closing
// the reader stops the writer.
func generated(name string, fill func(tw *tar.Writer) error) *blobLayer {
	return &blobLayer{name: name, open: func() io.ReadCloser {
		pr, pw := io.Pipe()
		go func() {
			tw := tar.NewWriter(pw)
			err := fill(tw)
			if err == nil {
				err = tw.Close()
			}
			pw.CloseWithError(err)
		}()
		return pr
	}}
}

// repeatReader yields parts in order, the middle one count times.
type repeatReader struct {
	head, middle, tail []byte
	count              int
	r                  io.Reader
	stage              int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for {
		if r.r != nil {
			n, err := r.r.Read(p)
			if err != io.EOF || n > 0 {
				return n, nil
			}
			r.r = nil
		}
		switch {
		case r.stage == 0:
			r.r = bytes.NewReader(r.head)
		case r.stage <= r.count:
			r.r = bytes.NewReader(r.middle)
		case r.stage == r.count+1:
			r.r = bytes.NewReader(r.tail)
		default:
			return 0, io.EOF
		}
		r.stage++
	}
}

// peakHeap samples the live heap while it runs and reports the largest value
// seen above the value at its start.
type peakHeap struct {
	base, peak atomic.Uint64
	stop       chan struct{}
	wg         sync.WaitGroup
}

func watchHeap() *peakHeap {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p := &peakHeap{stop: make(chan struct{})}
	p.base.Store(ms.HeapAlloc)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > p.peak.Load() {
				p.peak.Store(ms.HeapAlloc)
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// done stops the sampling and returns the peak growth in bytes.
func (p *peakHeap) done() uint64 {
	close(p.stop)
	p.wg.Wait()
	if p.peak.Load() < p.base.Load() {
		return 0
	}
	return p.peak.Load() - p.base.Load()
}
