package source

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ociImage builds an OCI image for plat with one gzip layer per file.
func ociImage(t *testing.T, plat string, files ...string) v1.Image {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, f := range files {
		var err error
		img, err = mutate.AppendLayers(img, static.NewLayer(gzipBytes(t, layerTar(t, f)), types.OCILayer))
		if err != nil {
			t.Fatal(err)
		}
	}
	p, _ := parsePlatform(plat)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Arch, p.Variant
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// ociIndex puts images in an OCI index, each with its platform descriptor.
func ociIndex(t *testing.T, plats []string, imgs []v1.Image) v1.ImageIndex {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, img := range imgs {
		p, _ := parsePlatform(plats[i])
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: p.OS, Architecture: p.Arch, Variant: p.Variant},
		}})
	}
	return idx
}

func refName(tag string) layout.Option {
	return layout.WithAnnotations(map[string]string{annotationRefName: tag})
}

// tarDir packs a directory's files into a tar (an oci-archive).
func tarDir(t *testing.T, dir, out string) string {
	t.Helper()
	var ms []member
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		ms = append(ms, member{name: filepath.ToSlash(rel), body: b})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return writeTar(t, out, ms)
}

func digestOf(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestOCILayout(t *testing.T) {
	host := hostPlatform().String()
	other := "linux/riscv64"
	if host == other {
		other = "linux/s390x"
	}
	hostImg := ociImage(t, host, "h1", "h2", "h3")
	otherImg := ociImage(t, other, "o1")
	armImg := ociImage(t, "linux/arm64/v8", "a1", "a2")
	single := ociImage(t, "linux/amd64", "s1", "s2")

	dir := t.TempDir()
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	// index.json → index (multi-platform) → manifests
	if err := lp.AppendIndex(ociIndex(t, []string{host, other, "linux/arm64/v8"}, []v1.Image{hostImg, otherImg, armImg}), refName("v1")); err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(single, refName("v2")); err != nil {
		t.Fatal(err)
	}
	// two images under one name, without platforms in index.json: their
	// configs decide.
	if err := lp.AppendImage(otherImg, refName("noplat")); err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(hostImg, refName("noplat")); err != nil {
		t.Fatal(err)
	}

	t.Run("several names need a tag", func(t *testing.T) {
		_, err := Open(context.Background(), "oci:"+dir, Options{})
		wantError(t, err, "oci:"+dir, "several images (noplat, v1, v2)", "oci:DIR:TAG")
	})
	t.Run("host platform with notice", func(t *testing.T) {
		var notes []string
		img := openOK(t, "oci:"+dir+":v1", Options{Notify: func(s string) { notes = append(notes, s) }})
		if img.Source != OCI || img.Digest != digestOf(t, hostImg) || img.Platform != host || img.Name != "v1" {
			t.Errorf("got source %q digest %q platform %q name %q", img.Source, img.Digest, img.Platform, img.Name)
		}
		if len(notes) != 1 || !strings.Contains(notes[0], host) {
			t.Errorf("notes %q, want one naming %s", notes, host)
		}
		checkOrder(t, img.Image, hostImg)
	})
	t.Run("explicit platform with variant default", func(t *testing.T) {
		var notes []string
		img := openOK(t, "oci:"+dir+":v1", Options{Platform: "linux/arm64", Notify: func(s string) { notes = append(notes, s) }})
		if img.Digest != digestOf(t, armImg) || img.Platform != "linux/arm64/v8" {
			t.Errorf("got digest %q platform %q", img.Digest, img.Platform)
		}
		if len(notes) != 0 {
			t.Errorf("an explicit --platform should not be reported: %q", notes)
		}
		checkOrder(t, img.Image, armImg)
	})
	t.Run("missing platform lists those present", func(t *testing.T) {
		ref := "oci:" + dir + ":v1"
		_, err := Open(context.Background(), ref, Options{Platform: "linux/ppc64le"})
		wantError(t, err, ref, "platform linux/ppc64le not in index (has "+host+", "+other+", linux/arm64/v8)")
	})
	t.Run("single image", func(t *testing.T) {
		img := openOK(t, "oci:"+dir+":v2", Options{})
		if img.Digest != digestOf(t, single) || img.Platform != "linux/amd64" {
			t.Errorf("got digest %q platform %q", img.Digest, img.Platform)
		}
		checkOrder(t, img.Image, single)
	})
	t.Run("platform from configs", func(t *testing.T) {
		img := openOK(t, "oci:"+dir+":noplat", Options{})
		if img.Digest != digestOf(t, hostImg) {
			t.Errorf("got %q, want the host image", img.Digest)
		}
		img = openOK(t, "oci:"+dir+":noplat", Options{Platform: other})
		if img.Digest != digestOf(t, otherImg) {
			t.Errorf("got %q, want the %s image", img.Digest, other)
		}
	})
	t.Run("unknown tag", func(t *testing.T) {
		ref := "oci:" + dir + ":v9"
		_, err := Open(context.Background(), ref, Options{})
		wantError(t, err, ref, "tag v9 not in index.json (has noplat, v1, v2)")
	})
	t.Run("oci-archive in place", func(t *testing.T) {
		tarPath := tarDir(t, dir, filepath.Join(t.TempDir(), "layout.tar"))
		img := openOK(t, "oci-archive:"+tarPath+":v1", Options{Platform: "linux/arm64/v8"})
		if img.Source != OCIArchive || img.Digest != digestOf(t, armImg) {
			t.Errorf("got source %q digest %q", img.Source, img.Digest)
		}
		checkOrder(t, img.Image, armImg)
		// A plain path to the tar is sniffed as an OCI archive.
		_, err := Open(context.Background(), tarPath, Options{})
		wantError(t, err, tarPath, "several images")
	})
}

func TestOCILayoutSniffedAndForeignOnly(t *testing.T) {
	dir := t.TempDir()
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	a, b := "linux/s390x", "linux/ppc64le"
	if err := lp.AppendIndex(ociIndex(t, []string{a, b}, []v1.Image{ociImage(t, a, "x"), ociImage(t, b, "y")})); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), dir, Options{})
	wantError(t, err, dir, "(the host's) not in index (has linux/s390x, linux/ppc64le)", "--platform")
	img := openOK(t, dir, Options{Platform: b})
	if img.Source != OCI || img.Platform != b {
		t.Errorf("got source %q platform %q", img.Source, img.Platform)
	}
}

func TestOCILayoutDamaged(t *testing.T) {
	img := ociImage(t, "linux/amd64", "a", "b")
	layers, _ := img.Layers()
	d0, _ := layers[0].Digest()
	d1, _ := layers[1].Digest()

	t.Run("missing layer blob", func(t *testing.T) {
		dir := t.TempDir()
		lp, _ := layout.Write(dir, empty.Index)
		if err := lp.AppendImage(img); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, "blobs", "sha256", d1.Hex))
		_, err := Open(context.Background(), dir, Options{})
		wantError(t, err, dir, "manifest names missing layer blobs/sha256/"+d1.Hex)

		tarPath := tarDir(t, dir, filepath.Join(t.TempDir(), "x.tar"))
		_, err = Open(context.Background(), tarPath, Options{})
		wantError(t, err, tarPath, "manifest names missing layer blobs/sha256/"+d1.Hex)
	})
	t.Run("tampered layer blob", func(t *testing.T) {
		dir := t.TempDir()
		lp, _ := layout.Write(dir, empty.Index)
		if err := lp.AppendImage(img); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "blobs", "sha256", d0.Hex)
		b, _ := os.ReadFile(p)
		b[len(b)-1] ^= 0xff
		os.WriteFile(p, b, 0o644)
		opened := openOK(t, dir, Options{})
		ls, _ := opened.Layers()
		rc, err := ls[0].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "digest mismatch") {
			t.Errorf("reading a tampered blob: %v, want a digest mismatch", err)
		}
	})
}

// checkOrder checks that got's layers are want's, in the manifest's order.
func checkOrder(t *testing.T, got, want v1.Image) {
	t.Helper()
	gl, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	wm, _ := want.Manifest()
	if len(gl) != len(wm.Layers) {
		t.Fatalf("got %d layers, want %d", len(gl), len(wm.Layers))
	}
	for i, l := range gl {
		d, _ := l.Digest()
		if d != wm.Layers[i].Digest {
			t.Errorf("layer %d is %s, want %s", i, d, wm.Layers[i].Digest)
		}
		if mt, _ := l.MediaType(); mt != types.OCILayer {
			t.Errorf("layer %d media type %s", i, mt)
		}
		c, _ := readAllLayer(t, l)
		if sha(c) != d {
			t.Errorf("layer %d Compressed() does not hash to its digest", i)
		}
	}
}
