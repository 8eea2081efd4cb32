package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// legacyArchive is a valid one-image docker save tarball.
func legacyArchive(t *testing.T) []byte {
	t.Helper()
	l1 := layerTar(t, "a.txt", "b.txt")
	cfg := configJSON(t, "linux/amd64", l1)
	return tarBytes(t, []member{
		{name: "L1/layer.tar", body: l1},
		{name: "c.json", body: cfg},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: "c.json", RepoTags: []string{"x:1"}, Layers: []string{"L1/layer.tar"}})},
	})
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := legacyArchive(t)
	l1 := layerTar(t, "a")
	cfg := configJSON(t, "linux/amd64", l1)
	notLayout := filepath.Join(dir, "plain-dir")
	os.Mkdir(notLayout, 0o755)

	tests := []struct {
		name      string
		ref       string
		opts      Options
		fragments []string
		is        error
	}{
		{"missing path", filepath.Join(dir, "missing.tar"), Options{}, []string{"file not found"}, nil},
		{"missing archive", "docker-archive:" + filepath.Join(dir, "missing.tar"), Options{}, []string{"file not found"}, nil},
		{"missing layout", "oci:" + filepath.Join(dir, "nolayout"), Options{}, []string{"file not found"}, nil},
		{"empty file", file("empty.tar", nil), Options{}, []string{"not a container image: empty file"}, ErrNotImage},
		{"truncated in a member", file("trunc.tar", good[:700]), Options{}, []string{"truncated tar"}, nil},
		{"truncated in a header", file("trunc2.tar", good[:1024+100]), Options{}, []string{"truncated tar"}, nil},
		{"garbage", file("garbage.bin", []byte("this is not a tar file at all, just some text")), Options{}, []string{"not a container image: not a tar archive"}, ErrNotImage},
		{"gzip-compressed archive", file("img.tar.gz", gzipBytes(t, good)), Options{}, []string{"gzip-compressed file", "gunzip"}, ErrNotImage},
		{"directory not a layout", notLayout, Options{}, []string{"not an OCI image layout"}, ErrNotImage},
		{"oci: on plain dir", "oci:" + notLayout, Options{}, []string{"not an OCI image layout"}, ErrNotImage},
		{"docker-archive on a dir", "docker-archive:" + notLayout, Options{}, []string{"is a directory"}, nil},
		{"manifest names a missing layer", file("nolayer.tar", tarBytes(t, []member{
			{name: "c.json", body: cfg},
			{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: "c.json", Layers: []string{"blobs/sha256/" + sha(l1).Hex}})},
		})), Options{}, []string{"manifest names missing layer blobs/sha256/" + sha(l1).Hex}, nil},
		{"manifest names a missing config", file("nocfg.tar", tarBytes(t, []member{
			{name: "L/layer.tar", body: l1},
			{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: "c.json", Layers: []string{"L/layer.tar"}})},
		})), Options{}, []string{"manifest names missing config c.json"}, nil},
		{"layers and diff_ids disagree", file("count.tar", tarBytes(t, []member{
			{name: "L/layer.tar", body: l1}, {name: "c.json", body: cfg},
			{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: "c.json", Layers: []string{"L/layer.tar", "L/layer.tar"}})},
		})), Options{}, []string{"2 layers but the config has 1 diff_ids"}, nil},
		{"broken manifest.json", file("badjson.tar", tarBytes(t, []member{{name: "manifest.json", body: []byte("{nope")}})), Options{}, []string{"parsing manifest.json"}, nil},
		{"empty manifest.json", file("nomani.tar", tarBytes(t, []member{{name: "manifest.json", body: []byte("[]")}})), Options{}, []string{"manifest.json lists no images"}, ErrNotImage},
		{"broken index.json", file("badidx.tar", tarBytes(t, []member{{name: "index.json", body: []byte("[")}})), Options{}, []string{"parsing index.json"}, nil},
		{"oci-archive without index", file("dockeronly.tar", good), Options{Source: OCIArchive}, []string{"no index.json or oci-layout"}, ErrNotImage},
		{"unknown image in archive", "docker-archive:" + file("good.tar", good) + ":y:2", Options{}, []string{"tag y:2 not in the archive", "@0 [x:1]"}, ErrNotFound},
		{"platform mismatch", file("good2.tar", good), Options{Platform: "linux/s390x"}, []string{"image is linux/amd64, not the requested platform linux/s390x"}, ErrPlatform},
		{"bad platform", file("good3.tar", good), Options{Platform: "amd64"}, []string{"is not os/arch"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Open(context.Background(), tt.ref, tt.opts)
			if err == nil {
				img.Close()
			}
			wantError(t, err, tt.ref, tt.fragments...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, "alpine", Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func FuzzOpenArchive(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("not a tar"))
	f.Add(legacyArchive(&testing.T{}))
	for _, name := range []string{"test-oci-gzip-image.tar", "test-gzip-image.tar"} {
		p := filepath.Join("..", "..", "..", "shared", "fixtures", "dive", name)
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.tar")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := Open(context.Background(), p, Options{})
		if err != nil {
			return
		}
		defer img.Close()
		layers, err := img.Layers()
		if err != nil {
			return
		}
		for _, l := range layers {
			if rc, err := l.Uncompressed(); err == nil {
				buf := make([]byte, 4096)
				for {
					if _, err := rc.Read(buf); err != nil {
						break
					}
				}
				rc.Close()
			}
			l.Digest()
			l.MediaType()
		}
	})
}
