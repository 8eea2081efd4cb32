package source

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// checkLayers compares an image's layers with the stored blobs and the
// uncompressed tars they hold.
func checkLayers(t *testing.T, img v1.Image, stored, plain [][]byte, mt []types.MediaType) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != len(stored) {
		t.Fatalf("got %d layers, want %d", len(layers), len(stored))
	}
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatalf("layer %d Digest: %v", i, err)
		}
		if d != sha(stored[i]) {
			t.Errorf("layer %d digest %s, want %s", i, d, sha(stored[i]))
		}
		diff, _ := l.DiffID()
		if diff != sha(plain[i]) {
			t.Errorf("layer %d diff_id %s, want %s", i, diff, sha(plain[i]))
		}
		if size, _ := l.Size(); size != int64(len(stored[i])) {
			t.Errorf("layer %d size %d, want %d", i, size, len(stored[i]))
		}
		if got, _ := l.MediaType(); got != mt[i] {
			t.Errorf("layer %d media type %s, want %s", i, got, mt[i])
		}
		c, u := readAllLayer(t, l)
		if !bytes.Equal(c, stored[i]) {
			t.Errorf("layer %d Compressed() is not the stored blob", i)
		}
		if !bytes.Equal(u, plain[i]) {
			t.Errorf("layer %d Uncompressed() is not the layer tar", i)
		}
	}
}

func openOK(t *testing.T, ref string, opts Options) *Image {
	t.Helper()
	img, err := Open(context.Background(), ref, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", ref, err)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

func TestDockerArchiveLegacy(t *testing.T) {
	l1, l2 := layerTar(t, "a.txt"), layerTar(t, "b.txt", "c.txt")
	cfg := configJSON(t, "linux/amd64", l1, l2)
	id := sha(cfg).Hex
	path := writeTar(t, filepath.Join(t.TempDir(), "legacy.tar"), []member{
		{name: "L1/"}, {name: "L1/VERSION", body: []byte("1.0")}, {name: "L1/layer.tar", body: l1},
		{name: "L2/"}, {name: "L2/layer.tar", body: l2},
		{name: id + ".json", body: cfg},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: id + ".json", RepoTags: []string{"app:1"}, Layers: []string{"L1/layer.tar", "L2/layer.tar"}})},
		{name: "repositories", body: []byte(`{"app":{"1":"L2"}}`)},
	})
	img := openOK(t, path, Options{})
	if img.Source != DockerArchive || img.Name != "app:1" || img.Digest != "sha256:"+id || img.Platform != "linux/amd64" || img.Reference != path {
		t.Errorf("got source %q name %q digest %q platform %q reference %q", img.Source, img.Name, img.Digest, img.Platform, img.Reference)
	}
	mt := []types.MediaType{types.DockerUncompressedLayer, types.DockerUncompressedLayer}
	checkLayers(t, img.Image, [][]byte{l1, l2}, [][]byte{l1, l2}, mt)
	raw, _ := img.RawConfigFile()
	if !bytes.Equal(raw, cfg) {
		t.Error("RawConfigFile is not the stored config")
	}
	if m, err := img.Manifest(); err != nil || len(m.Layers) != 2 || m.Layers[0].Digest != sha(l1) {
		t.Errorf("synthesised manifest: %+v, %v", m, err)
	}
	for _, ref := range []string{"docker-archive:" + path, "docker-archive://" + path, "docker-archive:" + path + ":app:1", "docker-archive:" + path + "@0"} {
		openOK(t, ref, Options{})
	}

	// A path holding ':' still splits off the tag.
	colon := filepath.Join(t.TempDir(), "a:b.tar")
	b, _ := os.ReadFile(path)
	os.WriteFile(colon, b, 0o644)
	if img := openOK(t, "docker-archive:"+colon+":app:1", Options{}); img.Name != "app:1" {
		t.Errorf("name %q, want app:1", img.Name)
	}
}

func TestDockerArchiveDocker25(t *testing.T) {
	l1, l2 := layerTar(t, "a.txt"), layerTar(t, "b.txt")
	gz2 := gzipBytes(t, l2)
	cfg := configJSON(t, "linux/arm64/v8", l1, l2)
	blob := func(b []byte) string { return "blobs/sha256/" + sha(b).Hex }
	path := writeTar(t, filepath.Join(t.TempDir(), "d25.tar"), []member{
		{name: "blobs/"}, {name: "blobs/sha256/"},
		{name: blob(l1), body: l1}, {name: blob(gz2), body: gz2}, {name: blob(cfg), body: cfg},
		{name: "index.json", body: []byte(`{"schemaVersion":2,"manifests":[]}`)},
		{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: blob(cfg), RepoTags: []string{"app:25"}, Layers: []string{blob(l1), blob(gz2)}})},
	})
	img := openOK(t, path, Options{})
	if img.Source != DockerArchive || img.Platform != "linux/arm64/v8" || img.Digest != sha(cfg).String() {
		t.Errorf("got source %q platform %q digest %q", img.Source, img.Platform, img.Digest)
	}
	checkLayers(t, img.Image, [][]byte{l1, gz2}, [][]byte{l1, l2}, []types.MediaType{types.DockerUncompressedLayer, types.DockerLayer})
	// linux/arm64 matches linux/arm64/v8.
	openOK(t, path, Options{Platform: "linux/arm64"})
	_, err := Open(context.Background(), path, Options{Platform: "linux/amd64"})
	wantError(t, err, path, "image is linux/arm64/v8, not the requested platform linux/amd64")
}

func TestDockerArchiveKanikoAndZstd(t *testing.T) {
	l1, l2, l3 := layerTar(t, "a.txt"), layerTar(t, "b.txt"), layerTar(t, "c.txt")
	gz1, gz2, zs3 := gzipBytes(t, l1), gzipBytes(t, l2), zstdBytes(t, l3)
	cfg := configJSON(t, "linux/amd64", l1, l2, l3)
	path := writeTar(t, filepath.Join(t.TempDir(), "kaniko.tar"), []member{
		{name: "sha256:" + sha(cfg).Hex, body: cfg},
		{name: sha(gz1).Hex + ".tar.gz", body: gz1},
		{name: "second.tar.gz", body: gz2},
		{name: "third/layer.tar", body: zs3},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{
			Config: "sha256:" + sha(cfg).Hex, RepoTags: []string{"k:latest"},
			Layers: []string{sha(gz1).Hex + ".tar.gz", "second.tar.gz", "third/layer.tar"},
		})},
	})
	img := openOK(t, "docker-archive:"+path, Options{})
	checkLayers(t, img.Image, [][]byte{gz1, gz2, zs3}, [][]byte{l1, l2, l3},
		[]types.MediaType{types.DockerLayer, types.DockerLayer, types.OCILayerZStd})
	if _, err := img.LayerByDigest(sha(zs3)); err != nil {
		t.Errorf("LayerByDigest: %v", err)
	}
	if _, err := img.LayerByDiffID(sha(l2)); err != nil {
		t.Errorf("LayerByDiffID: %v", err)
	}
}

func TestDockerArchiveMultiImageLinks(t *testing.T) {
	l1, l2, l3 := layerTar(t, "base"), layerTar(t, "a"), layerTar(t, "b")
	cfgA, cfgB, cfgC := configJSON(t, "linux/amd64", l1, l2), configJSON(t, "linux/amd64", l1, l3), configJSON(t, "linux/amd64", l1)
	path := writeTar(t, filepath.Join(t.TempDir(), "multi.tar"), []member{
		{name: "A1/layer.tar", body: l1}, {name: "A2/layer.tar", body: l2},
		{name: "B1/layer.tar", link: "../A1/layer.tar"}, {name: "B2/layer.tar", body: l3},
		{name: "C1/layer.tar", hard: "A1/layer.tar"},
		{name: "a.json", body: cfgA}, {name: "b.json", body: cfgB}, {name: "c.json", body: cfgC},
		{name: "manifest.json", body: manifestJSON(t,
			archiveEntry{Config: "a.json", RepoTags: []string{"a:1"}, Layers: []string{"A1/layer.tar", "A2/layer.tar"}},
			archiveEntry{Config: "b.json", RepoTags: []string{"b:1", "b:latest"}, Layers: []string{"B1/layer.tar", "B2/layer.tar"}},
			archiveEntry{Config: "c.json", Layers: []string{"C1/layer.tar"}},
		)},
	})
	_, err := Open(context.Background(), path, Options{})
	wantError(t, err, path, "holds 3 images", "@0 [a:1]", "@1 [b:1, b:latest]", "@2 [untagged]")

	b := openOK(t, "docker-archive:"+path+":b:1", Options{})
	if b.Name != "b:1" || b.Digest != sha(cfgB).String() {
		t.Errorf("picked %q %q, want b:1", b.Name, b.Digest)
	}
	checkLayers(t, b.Image, [][]byte{l1, l3}, [][]byte{l1, l3}, []types.MediaType{types.DockerUncompressedLayer, types.DockerUncompressedLayer})
	// b ≡ b:latest
	if img := openOK(t, "docker-archive:"+path+":b", Options{}); img.Digest != sha(cfgB).String() {
		t.Errorf("tag b picked %s", img.Digest)
	}
	c := openOK(t, "docker-archive:"+path+"@2", Options{})
	checkLayers(t, c.Image, [][]byte{l1}, [][]byte{l1}, []types.MediaType{types.DockerUncompressedLayer})

	_, err = Open(context.Background(), "docker-archive:"+path+":nope:1", Options{})
	wantError(t, err, "docker-archive:"+path+":nope:1", "tag nope:1 not in the archive", "@0 [a:1]")
	_, err = Open(context.Background(), "docker-archive:"+path+"@7", Options{})
	wantError(t, err, "docker-archive:"+path+"@7", "@7 is out of range")
}

func TestDockerArchiveFromTarballWrite(t *testing.T) {
	dir := t.TempDir()
	img1, _ := random.Image(512, 3)
	img2, _ := random.Image(256, 2)
	t1, _ := name.NewTag("example.com/one:1")
	t2, _ := name.NewTag("example.com/two:2")
	single := filepath.Join(dir, "single.tar")
	if err := tarball.WriteToFile(single, t1, img1); err != nil {
		t.Fatal(err)
	}
	multi := filepath.Join(dir, "multi.tar")
	f, _ := os.Create(multi)
	if err := tarball.MultiRefWrite(map[name.Reference]v1.Image{t1: img1, t2: img2}, f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	check := func(got v1.Image, want v1.Image) {
		t.Helper()
		gl, _ := got.Layers()
		wl, _ := want.Layers()
		if len(gl) != len(wl) {
			t.Fatalf("got %d layers, want %d", len(gl), len(wl))
		}
		for i := range gl {
			gd, err := gl[i].Digest()
			wd, _ := wl[i].Digest()
			if err != nil || gd != wd {
				t.Errorf("layer %d digest %s (%v), want %s", i, gd, err, wd)
			}
			rc, _ := wl[i].Compressed()
			wb, _ := io.ReadAll(rc)
			gb, _ := readAllLayer(t, gl[i])
			if !bytes.Equal(gb, wb) {
				t.Errorf("layer %d compressed bytes differ", i)
			}
		}
		gc, _ := got.ConfigName()
		wc, _ := want.ConfigName()
		if gc != wc {
			t.Errorf("config %s, want %s", gc, wc)
		}
	}
	check(openOK(t, single, Options{}).Image, img1)
	check(openOK(t, "docker-archive:"+multi+":example.com/two:2", Options{}).Image, img2)
	_, err := Open(context.Background(), multi, Options{})
	wantError(t, err, multi, "holds 2 images", "example.com/one:1", "example.com/two:2")
}

func TestDiveFixtures(t *testing.T) {
	tests := []struct {
		file     string
		source   Kind
		layers   int
		platform string
		mt       types.MediaType
	}{
		{"test-docker-image.tar", DockerArchive, 14, "linux/amd64", types.DockerUncompressedLayer},
		{"test-kaniko-image.tar", DockerArchive, 14, "linux/amd64", types.DockerLayer},
		{"test-oci-uncompressed-image.tar", OCIArchive, 1, "linux/arm64", types.OCIUncompressedLayer},
		{"test-oci-gzip-image.tar", OCIArchive, 1, "linux/arm64", types.OCILayer},
		{"test-oci-estargz-image.tar", OCIArchive, 1, "linux/arm64", types.OCILayer},
		{"test-oci-zstd-image.tar", OCIArchive, 1, "linux/arm64", types.OCILayerZStd},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := diveFixture(t, tt.file)
			var notes []string
			img := openOK(t, path, Options{Notify: func(s string) { notes = append(notes, s) }})
			if img.Source != tt.source || img.Platform != tt.platform || !strings.HasPrefix(img.Digest, "sha256:") {
				t.Errorf("source %q platform %q digest %q", img.Source, img.Platform, img.Digest)
			}
			layers, err := img.Layers()
			if err != nil || len(layers) != tt.layers {
				t.Fatalf("got %d layers (%v), want %d", len(layers), err, tt.layers)
			}
			for i, l := range layers {
				if mt, _ := l.MediaType(); mt != tt.mt {
					t.Errorf("layer %d media type %s, want %s", i, mt, tt.mt)
				}
				c, _ := readAllLayer(t, l)
				d, err := l.Digest()
				if err != nil || d != sha(c) {
					t.Errorf("layer %d digest %s (%v), stored blob hashes to %s", i, d, err, sha(c))
				}
				if tt.file == "test-kaniko-image.tar" {
					// kaniko names each layer by its compressed digest.
					if want := img.Image.(*storedImage).layers[i].name; want != d.Hex+".tar.gz" {
						t.Errorf("layer %d digest %s does not match its member %s", i, d, want)
					}
				}
			}
			if tt.source == OCIArchive && hostPlatform().Arch != "arm64" && len(notes) == 0 {
				t.Error("choosing a foreign-platform image from the index was not reported")
			}
		})
	}
	t.Run("explicit platform", func(t *testing.T) {
		path := diveFixture(t, "test-oci-gzip-image.tar")
		openOK(t, "oci-archive:"+path, Options{Platform: "linux/arm64"})
		_, err := Open(context.Background(), path, Options{Platform: "linux/s390x"})
		wantError(t, err, path, "platform linux/s390x not in index (has linux/arm64)")
	})
	t.Run("not an image", func(t *testing.T) {
		path := diveFixture(t, "test-gzip-image.tar")
		for _, ref := range []string{path, "docker-archive:" + path, "oci-archive:" + path} {
			_, err := Open(context.Background(), ref, Options{})
			wantError(t, err, ref, "not a container image")
		}
		_, err := Open(context.Background(), path, Options{})
		wantError(t, err, path, "no manifest.json or index.json")
	})
}
