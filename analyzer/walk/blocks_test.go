package walk_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/zeebo/xxh3"
)

// feedLog collects what the inspector is fed, per path.
type feedLog struct {
	got    map[string][]byte
	order  []string
	closed map[string]int
}

type feedWriter struct {
	r *feedLog
	p string
}

func (w feedWriter) Write(b []byte) (int, error) {
	w.r.got[w.p] = append(w.r.got[w.p], b...)
	return len(b), nil
}

func (w feedWriter) Close() error { w.r.closed[w.p]++; return nil }

// TestWalkHashesAcrossBlocks checks that every file's hash and the bytes the
// inspector receives are exactly those of its content, whatever the file's
// size and wherever it falls among the blocks the walk reads the stream in:
// files inside one block, straddling two, spanning many, empty, and one byte,
// read in one piece and in one-byte reads, stored and gzip-compressed.
func TestWalkHashesAcrossBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const mib = 1 << 20
	sizes := []int{0, 1, 2, 511, 512, 513, mib - 1, mib, mib + 1, 3*mib + 7, 10, 700_000, 700_000, 5}
	for range 200 {
		sizes = append(sizes, rng.IntN(40_000))
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	want := map[string][]byte{}
	var names []string
	for i, n := range sizes {
		body := make([]byte, n)
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		name := fmt.Sprintf("d/f%03d", i)
		names = append(names, "/"+name)
		want["/"+name] = body
		// A long name now and then takes a PAX header, which moves content.
		if i%7 == 3 {
			name = fmt.Sprintf("d/%0200d", i)
			names[len(names)-1] = "/" + name
			delete(want, "/"+fmt.Sprintf("d/f%03d", i))
			want["/"+name] = body
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(n)}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
		if i%5 == 0 {
			tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d/l%03d", i), Typeflag: tar.TypeSymlink, Linkname: "x"})
		}
	}
	tw.Close()
	plain := buf.Bytes()

	for _, tc := range []struct {
		name string
		r    func() io.Reader
	}{
		{"stored", func() io.Reader { return bytes.NewReader(plain) }},
		{"one-byte reads", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(plain)) }},
		{"gzip", func() io.Reader { return bytes.NewReader(gz(t, plain)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &feedLog{got: map[string][]byte{}, closed: map[string]int{}}
			res, err := walk.Layer(context.Background(), tc.r(), walk.Options{
				Inspect: func(p string, size int64) io.WriteCloser {
					rec.order = append(rec.order, p)
					if int64(len(want[p])) != size {
						t.Errorf("inspect(%s) size %d, want %d", p, size, len(want[p]))
					}
					return feedWriter{rec, p}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, e := range res.Entries {
				if e.Kind != walk.File {
					continue
				}
				body := want[e.Path]
				if e.Size != int64(len(body)) {
					t.Errorf("%s: size %d, want %d", e.Path, e.Size, len(body))
				}
				var h uint64
				if len(body) > 0 {
					h = xxh3.Hash(body)
					files = append(files, e.Path)
				}
				if e.Hash != h {
					t.Errorf("%s (%d bytes): hash %x, want %x", e.Path, len(body), e.Hash, h)
				}
				if len(body) > 0 && !bytes.Equal(rec.got[e.Path], body) {
					t.Errorf("%s: the inspector got %d bytes, not the %d of the content", e.Path, len(rec.got[e.Path]), len(body))
				}
				if len(body) > 0 && rec.closed[e.Path] != 1 {
					t.Errorf("%s: writer closed %d times", e.Path, rec.closed[e.Path])
				}
			}
			if diff := cmp.Diff(files, rec.order); diff != "" {
				t.Errorf("inspect order (-entries +calls):\n%s", diff)
			}
		})
	}
}

// TestWalkTruncatedInsideBlocks checks that a stream cut inside a file's
// content, at every kind of place, names that file.
func TestWalkTruncatedInsideBlocks(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "a", Typeflag: tar.TypeReg, Mode: 0o644, Size: 10})
	tw.Write(make([]byte, 10))
	tw.WriteHeader(&tar.Header{Name: "big", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3 << 20})
	tw.Write(make([]byte, 3<<20))
	tw.Close()
	full := buf.Bytes()
	for _, cut := range []int{1536 + 100, 1536 + 1<<20 - 1536, 1536 + 1<<20, 1536 + 3<<20 - 1} {
		_, err := walk.Layer(context.Background(), bytes.NewReader(full[:cut]), walk.Options{})
		if err == nil || err.Error() != `reading "/big": truncated tar stream` {
			t.Errorf("cut at %d: error %v, want the truncation of /big", cut, err)
		}
	}
}

type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("inspector bug") }
func (panicWriter) Close() error              { return nil }

// TestWalkInspectorPanicReachesTheCaller checks that a panic in the hasher's
// goroutine (here an inspector's) is raised again in the goroutine that
// called Layer, as a *bug.Error, once the walk has stopped: it can be
// recovered there instead of killing the process.
func TestWalkInspectorPanicReachesTheCaller(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := range 50 {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%d", i), Typeflag: tar.TypeReg, Mode: 0o644, Size: 300_000})
		tw.Write(make([]byte, 300_000))
	}
	tw.Close()
	defer func() {
		r := recover()
		be, ok := r.(*bug.Error)
		if !ok || be.Value != "inspector bug" {
			t.Fatalf("recovered %v, want the inspector's panic as a *bug.Error", r)
		}
	}()
	walk.Layer(context.Background(), bytes.NewReader(buf.Bytes()), walk.Options{
		Inspect: func(string, int64) io.WriteCloser { return panicWriter{} },
	})
	t.Fatal("Layer returned")
}
