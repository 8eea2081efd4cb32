package walk_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/zeebo/xxh3"
)

type hdr struct {
	name, link string
	typ        byte
	body       string
	mode       int64
}

func makeTar(t *testing.T, hs ...hdr) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hs {
		mode := h.mode
		if mode == 0 {
			mode = 0o644
		}
		th := &tar.Header{Name: h.name, Linkname: h.link, Typeflag: h.typ, Mode: mode, Size: int64(len(h.body)), Uid: 1, Gid: 2}
		if h.typ != tar.TypeReg {
			th.Size = 0
		}
		if err := tw.WriteHeader(th); err != nil {
			t.Fatal(err)
		}
		if h.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(h.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zst(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestLayer(t *testing.T) {
	layer := makeTar(t,
		hdr{name: "./", typ: tar.TypeDir, mode: 0o755},
		hdr{name: "./etc/", typ: tar.TypeDir, mode: 0o755},
		hdr{name: "etc//passwd", typ: tar.TypeReg, body: "root:x:0:0", mode: 0o4755},
		hdr{name: "/bin/sh", typ: tar.TypeSymlink, link: "busybox"},
		hdr{name: "bin/ls", typ: tar.TypeLink, link: "./bin/busybox"},
		hdr{name: "var/.wh.cache", typ: tar.TypeReg},
		hdr{name: "opt/.wh..wh..opq", typ: tar.TypeReg},
		hdr{name: ".wh..wh.plnk/123", typ: tar.TypeReg},
		hdr{name: "my dir/café ünï.txt", typ: tar.TypeReg, body: "x"},
	)
	want := []walk.Entry{
		{Path: "/etc", Kind: walk.Dir, Mode: 0o755, UID: 1, GID: 2},
		{Path: "/etc/passwd", Kind: walk.File, Size: 10, HeaderSize: 10, Hash: xxh3.HashString("root:x:0:0"), Mode: 0o4755, UID: 1, GID: 2},
		{Path: "/bin/sh", Kind: walk.Symlink, Link: "busybox", Mode: 0o644, UID: 1, GID: 2},
		{Path: "/bin/ls", Kind: walk.HardLink, Link: "/bin/busybox", Mode: 0o644, UID: 1, GID: 2},
		{Path: "/var/cache", Kind: walk.Whiteout, Mode: 0o644, UID: 1, GID: 2},
		{Path: "/opt", Kind: walk.Opaque, Mode: 0o644, UID: 1, GID: 2},
		{Path: "/my dir/café ünï.txt", Kind: walk.File, Size: 1, HeaderSize: 1, Hash: xxh3.HashString("x"), Mode: 0o644, UID: 1, GID: 2},
	}
	for _, tc := range []struct {
		name string
		blob []byte
		comp walk.Compression
	}{
		{"plain", layer, walk.None},
		{"gzip", gz(t, layer), walk.Gzip},
		{"zstd", zst(t, layer), walk.Zstd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := walk.Layer(context.Background(), bytes.NewReader(tc.blob), walk.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, res.Entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if res.Compression != tc.comp || res.StoredBytes != int64(len(tc.blob)) {
				t.Errorf("compression %s, stored %d; want %s, %d", res.Compression, res.StoredBytes, tc.comp, len(tc.blob))
			}
		})
	}
}

func TestLayerErrors(t *testing.T) {
	layer := makeTar(t, hdr{name: "a", typ: tar.TypeReg, body: strings.Repeat("data", 4000)})
	sum := sha256.Sum256(layer)
	goodID := "sha256:" + hex.EncodeToString(sum[:])
	corrupt := gz(t, layer)
	corrupt[len(corrupt)/2] ^= 0xff
	tests := []struct {
		name string
		blob []byte
		opts walk.Options
		want string
	}{
		{"truncated tar", layer[:1000], walk.Options{}, "truncated tar stream"},
		{"corrupt gzip", corrupt, walk.Options{}, "gzip layer"},
		{"truncated gzip", gz(t, layer)[:60], walk.Options{}, "gzip layer"},
		{"diffID mismatch", layer, walk.Options{VerifyDiffID: "sha256:" + strings.Repeat("0", 64)}, "does not match its diffID"},
		{"not a tar", []byte(strings.Repeat("hello world ", 100)), walk.Options{}, "reading tar entry 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := walk.Layer(context.Background(), bytes.NewReader(tc.blob), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := walk.Layer(context.Background(), bytes.NewReader(layer), walk.Options{VerifyDiffID: goodID}); err != nil {
		t.Errorf("verify with the right diffID: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := walk.Layer(ctx, bytes.NewReader(layer), walk.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: error = %v, want context.Canceled", err)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"a": "/a", "./a/b/": "/a/b", "a//b": "/a/b", "/a": "/a", "../../etc/x": "/etc/x", "./": "/", "/a/./b": "/a/b",
	} {
		if got := walk.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLayerHashesAnySize checks that files smaller and larger than the read
// buffer hash to the xxh3 of their whole content.
func TestLayerHashesAnySize(t *testing.T) {
	for _, size := range []int{1, 4096, 256 << 10, 256<<10 + 1, 1 << 20} {
		body := strings.Repeat("0123456789abcdef", size/16+1)[:size]
		layer := makeTar(t, hdr{name: "f", typ: tar.TypeReg, body: body})
		res, err := walk.Layer(context.Background(), bytes.NewReader(layer), walk.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := res.Entries[0].Hash, xxh3.HashString(body); got != want {
			t.Errorf("size %d: hash %x, want %x", size, got, want)
		}
		if res.Entries[0].Size != int64(size) {
			t.Errorf("size %d: recorded %d", size, res.Entries[0].Size)
		}
	}
}

func TestNormalizeMatchesClean(t *testing.T) {
	for _, in := range []string{"a", "a/b", "/a/b", "a/b/", "a//b", "./a", "a/./b", "a/../b", "..", ".", "/", "",
		"../x", "a/..", "a/.", ".a/..b/.c", "a/b/c.d", "//", "///a", "a/b/../../..", "...", "a/.../b"} {
		if got, want := walk.Normalize(in), path.Clean("/"+in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
