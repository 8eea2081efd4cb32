package walk_test

import (
	"archive/tar"
	"bytes"
	"context"
	"path"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/walk"
	"github.com/stratascan/strata/fixtures"
)

// seedLayers returns every layer of the fixtures' semantic cases as a raw
// tar, plus a few hand-made oddities.
func seedLayers(f *testing.F) [][]byte {
	var out [][]byte
	for _, c := range fixtures.Cases() {
		for _, l := range c.Image.Layers {
			if l.EmptyLayer {
				continue
			}
			raw, err := fixtures.LayerTar(l.Entries)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, raw)
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "../../etc/passwd", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
		{Name: "/abs/.wh..wh..opq", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: ".wh..", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "loop", Typeflag: tar.TypeSymlink, Linkname: "loop", Mode: 0o777},
		{Name: "hl", Typeflag: tar.TypeLink, Linkname: "missing", Mode: 0o644},
		{Name: "dev", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3, Mode: 0o666},
		{Name: "a\nb\x1b[2J", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644, Format: tar.FormatPAX},
	} {
		if err := tw.WriteHeader(h); err != nil {
			f.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("x"))
		}
	}
	tw.Close()
	return append(out, buf.Bytes())
}

// FuzzLayer feeds arbitrary stored layer blobs to the walker: it must end in
// an error or in entries whose paths are absolute and clean, never escaping
// the root, with sizes that agree with their kind.
func FuzzLayer(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd})
	for i, raw := range seedLayers(f) {
		f.Add(raw)
		// Compressed variants of a few seeds keep the corpus small.
		if i%4 == 0 {
			f.Add(gz(nil, raw))
			f.Add(zst(nil, raw))
		}
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		res, err := walk.Layer(context.Background(), bytes.NewReader(blob), walk.Options{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if res.StoredBytes != int64(len(blob)) {
			t.Errorf("stored bytes %d, blob is %d", res.StoredBytes, len(blob))
		}
		for _, e := range res.Entries {
			checkPath(t, e.Path)
			if e.Path == "/" && !e.Kind.IsMarker() {
				t.Errorf("a %s entry at the root itself", e.Kind)
			}
			if e.Size < 0 || (e.Kind != walk.File && e.Size != 0) {
				t.Errorf("%s %q has size %d", e.Kind, e.Path, e.Size)
			}
			if e.Kind == walk.HardLink {
				checkPath(t, e.Link)
			}
		}
	})
}

// FuzzNormalize checks that any tar name becomes an absolute clean path
// without "..", "." or empty elements.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", ".", "./", "/", "..", "../../etc/x", "a//b/", "/a/./b/../c", "\x00", "a\nb", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := walk.Normalize(name)
		checkPath(t, got)
		if want := path.Clean("/" + name); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", name, got, want)
		}
	})
}

func checkPath(t *testing.T, p string) {
	t.Helper()
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
		t.Fatalf("path %q is not absolute and clean", p)
	}
	if p == "/" {
		return
	}
	for _, el := range strings.Split(p[1:], "/") {
		if el == "" || el == "." || el == ".." {
			t.Fatalf("path %q has the element %q", p, el)
		}
	}
}
