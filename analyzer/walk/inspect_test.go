package walk_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/zeebo/xxh3"
)

// recorder is an inspector that keeps what it is given, and stops after
// limit bytes when limit is set.
type recorder struct {
	buf    bytes.Buffer
	limit  int
	closed int
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.limit > 0 && r.buf.Len()+len(p) > r.limit {
		return 0, errors.New("enough")
	}
	return r.buf.Write(p)
}

func (r *recorder) Close() error { r.closed++; return nil }

// TestInspect checks the content hook: only the files it selects are fed,
// in full and in order, every writer is closed once, an inspector that
// stops early does not change the hashes, and nothing is asked about
// directories, links, whiteouts or empty files.
func TestInspect(t *testing.T) {
	big := strings.Repeat("0123456789", 100_000) // 1 MB: several read chunks
	layer := makeTar(t,
		hdr{name: "etc/", typ: tar.TypeDir},
		hdr{name: "etc/app.conf", typ: tar.TypeReg, body: "token=x\n"},
		hdr{name: "data/big.txt", typ: tar.TypeReg, body: big},
		hdr{name: "data/skip.bin", typ: tar.TypeReg, body: "not wanted"},
		hdr{name: "data/stop.txt", typ: tar.TypeReg, body: big},
		hdr{name: "data/empty", typ: tar.TypeReg},
		hdr{name: "data/.wh.old", typ: tar.TypeReg},
		hdr{name: "data/link", typ: tar.TypeSymlink, link: "big.txt"},
	)
	got := map[string]*recorder{}
	var asked []string
	inspect := func(p string, size int64) io.WriteCloser {
		asked = append(asked, p)
		switch p {
		case "/data/skip.bin":
			return nil
		case "/data/stop.txt":
			got[p] = &recorder{limit: 1000}
		default:
			got[p] = &recorder{}
		}
		return got[p]
	}
	res, err := walk.Layer(context.Background(), bytes.NewReader(layer), walk.Options{Inspect: inspect})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"/etc/app.conf", "/data/big.txt", "/data/skip.bin", "/data/stop.txt"}, asked); diff != "" {
		t.Errorf("files asked about (-want +got):\n%s", diff)
	}
	if got["/etc/app.conf"].buf.String() != "token=x\n" || got["/data/big.txt"].buf.String() != big {
		t.Error("a selected file was not fed in full")
	}
	if n := got["/data/stop.txt"].buf.Len(); n > 1000 {
		t.Errorf("the stopped inspector got %d bytes after asking to stop", n)
	}
	for p, r := range got {
		if r.closed != 1 {
			t.Errorf("%s closed %d times", p, r.closed)
		}
	}
	for _, e := range res.Entries {
		if e.Path == "/data/stop.txt" && e.Hash != xxh3.HashString(big) {
			t.Error("stopping the inspector changed the content hash")
		}
	}
}
