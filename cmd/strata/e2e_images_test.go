package main

// Images built byte by byte for the end-to-end tests that need no service:
// docker save archives and OCI layouts whose every part the test controls, so
// that it can drop, truncate or corrupt exactly one of them.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// e2eTime is the modification time of every entry the tests write.
var e2eTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// e2eEntry is one entry of a tar written by e2eTar.
type e2eEntry struct {
	name string
	body []byte
	typ  byte   // tar.TypeReg when zero
	mode int64  // 0o644 for files, 0o755 for directories when zero
	link string // symlink target
}

// e2eTar returns a tar of the entries, in order, with fixed metadata.
func e2eTar(t *testing.T, entries ...e2eEntry) []byte {
	t.Helper()
	b, err := e2eTarBytes(entries...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// e2eTarBytes is e2eTar for callers without a *testing.T.
func e2eTarBytes(entries ...e2eEntry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:     e.name,
			Typeflag: e.typ,
			Mode:     e.mode,
			Linkname: e.link,
			ModTime:  e2eTime,
			Format:   tar.FormatPAX,
		}
		switch h.Typeflag {
		case 0, tar.TypeReg:
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.body))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		case tar.TypeDir:
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case tar.TypeSymlink:
			h.Mode = 0o777
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// e2eWriteTar writes the entries as a tar file at path.
func e2eWriteTar(t *testing.T, path string, entries ...e2eEntry) {
	t.Helper()
	e2eWriteFile(t, path, e2eTar(t, entries...))
}

// e2eDigest returns the "sha256:HEX" digest of b.
func e2eDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// e2eGzip compresses b deterministically.
func e2eGzip(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// e2eText returns n bytes of compressible, line-structured text that
// differs from line to line (a gzip of it uses Huffman-coded blocks).
func e2eText(n int) []byte {
	var buf bytes.Buffer
	for i := 0; buf.Len() < n; i++ {
		fmt.Fprintf(&buf, "line %06d: strata end-to-end test content %x\n", i, i*7919)
	}
	return buf.Bytes()[:n]
}

// e2eImage is an image made of uncompressed layer tars.
type e2eImage struct {
	layers [][]byte
	os     string // "linux" when empty
	arch   string // "amd64" when empty
}

// e2eSampleImage returns a two-layer image: a base with /etc/os-release and a
// layer adding /app/data.txt (size bytes of text).
func e2eSampleImage(t *testing.T, size int) e2eImage {
	t.Helper()
	return e2eImage{layers: [][]byte{
		e2eTar(t,
			e2eEntry{name: "etc/", typ: tar.TypeDir},
			e2eEntry{name: "etc/os-release", body: []byte("NAME=strata-e2e\n")},
		),
		e2eTar(t,
			e2eEntry{name: "app/", typ: tar.TypeDir},
			e2eEntry{name: "app/data.txt", body: e2eText(size)},
		),
	}}
}

// config returns the image's config JSON: diff IDs of the layers and one
// history entry per layer.
func (im e2eImage) config(t *testing.T) []byte {
	t.Helper()
	osName, arch := im.os, im.arch
	if osName == "" {
		osName = "linux"
	}
	if arch == "" {
		arch = "amd64"
	}
	type history struct {
		Created   string `json:"created"`
		CreatedBy string `json:"created_by"`
	}
	cfg := struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Created      string `json:"created"`
		Config       struct {
			Cmd []string `json:"Cmd"`
		} `json:"config"`
		RootFS struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
		History []history `json:"history"`
	}{Architecture: arch, OS: osName, Created: e2eTime.Format(time.RFC3339)}
	cfg.Config.Cmd = []string{"/bin/sh"}
	cfg.RootFS.Type = "layers"
	for i, l := range im.layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, e2eDigest(l))
		cfg.History = append(cfg.History, history{
			Created:   e2eTime.Format(time.RFC3339),
			CreatedBy: fmt.Sprintf("/bin/sh -c #(nop) ADD layer%d.tar /", i),
		})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dockerArchiveEntries returns the files of a `docker save` archive of the
// image tagged tag, in docker's order: layers, config, manifest.json.
// Layer i is stored as "layer<i>/layer.tar", uncompressed.
func (im e2eImage) dockerArchiveEntries(t *testing.T, tag string) []e2eEntry {
	t.Helper()
	cfg := im.config(t)
	cfgName := e2eDigest(cfg)[len("sha256:"):] + ".json"
	var entries []e2eEntry
	var layerNames []string
	for i, l := range im.layers {
		dir := fmt.Sprintf("layer%d", i)
		name := dir + "/layer.tar"
		entries = append(entries, e2eEntry{name: dir + "/", typ: tar.TypeDir}, e2eEntry{name: name, body: l})
		layerNames = append(layerNames, name)
	}
	manifest, err := json.Marshal([]map[string]any{{
		"Config": cfgName, "RepoTags": []string{tag}, "Layers": layerNames,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return append(entries,
		e2eEntry{name: cfgName, body: cfg},
		e2eEntry{name: "manifest.json", body: manifest},
	)
}

// OCI media types.
const (
	e2eMTIndex     = "application/vnd.oci.image.index.v1+json"
	e2eMTManifest  = "application/vnd.oci.image.manifest.v1+json"
	e2eMTConfig    = "application/vnd.oci.image.config.v1+json"
	e2eMTLayer     = "application/vnd.oci.image.layer.v1.tar"
	e2eMTLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// descriptor is an OCI content descriptor.
type e2eDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *e2ePlatform      `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// platform is an OCI platform.
type e2ePlatform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// e2eOCIImage is one image to write into an OCI layout.
type e2eOCIImage struct {
	image e2eImage
	tag   string // org.opencontainers.image.ref.name; none when empty
	gzip  bool   // store the layers gzip-compressed
	// mutateLayer, when set, changes the stored bytes of layer i before
	// they are named: the blob, manifest and index stay consistent with the
	// changed bytes, so only the content itself is bad.
	mutateLayer func(i int, blob []byte) []byte
}

// e2eOCILayout records what e2eWriteOCI wrote.
type e2eOCILayout struct {
	dir    string
	layers [][]e2eDescriptor // per image, the layer descriptors
}

// blobPath returns the file of the blob with the given digest.
func (l e2eOCILayout) blobPath(digest string) string {
	return filepath.Join(l.dir, "blobs", "sha256", digest[len("sha256:"):])
}

// e2eWriteOCI writes an OCI image layout in dir holding the images, each
// listed in index.json with its platform.
func e2eWriteOCI(t *testing.T, dir string, images ...e2eOCIImage) e2eOCILayout {
	t.Helper()
	out := e2eOCILayout{dir: dir}
	blob := func(mediaType string, b []byte) e2eDescriptor {
		d := e2eDescriptor{MediaType: mediaType, Digest: e2eDigest(b), Size: int64(len(b))}
		e2eWriteFile(t, out.blobPath(d.Digest), b)
		return d
	}
	marshal := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var index []e2eDescriptor
	for _, im := range images {
		var layers []e2eDescriptor
		for i, l := range im.image.layers {
			mt := e2eMTLayer
			if im.gzip {
				l, mt = e2eGzip(t, l), e2eMTLayerGzip
			}
			if im.mutateLayer != nil {
				l = im.mutateLayer(i, l)
			}
			layers = append(layers, blob(mt, l))
		}
		out.layers = append(out.layers, layers)
		manifest := blob(e2eMTManifest, marshal(map[string]any{
			"schemaVersion": 2,
			"mediaType":     e2eMTManifest,
			"config":        blob(e2eMTConfig, im.image.config(t)),
			"layers":        layers,
		}))
		osName, arch := im.image.os, im.image.arch
		if osName == "" {
			osName = "linux"
		}
		if arch == "" {
			arch = "amd64"
		}
		manifest.Platform = &e2ePlatform{Architecture: arch, OS: osName}
		if im.tag != "" {
			manifest.Annotations = map[string]string{"org.opencontainers.image.ref.name": im.tag}
		}
		index = append(index, manifest)
	}
	e2eWriteFile(t, filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`))
	e2eWriteFile(t, filepath.Join(dir, "index.json"), marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     e2eMTIndex,
		"manifests":     index,
	}))
	return out
}

// e2eCorruptGzip returns a copy of the gzip stream gz with 16 bytes in its
// middle overwritten, at the first offset where decompressing fails with a
// format error (not merely a checksum mismatch at the end), so that any
// reader that decompresses the layer must notice.
func e2eCorruptGzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	for off := len(gz) / 2; off+16 < len(gz)-8; off += 7 {
		bad := append([]byte(nil), gz...)
		for i := range 16 {
			bad[off+i] ^= 0xA5
		}
		zr, err := gzip.NewReader(bytes.NewReader(bad))
		if err != nil {
			continue
		}
		_, err = io.Copy(io.Discard, zr)
		if err != nil && !errors.Is(err, gzip.ErrChecksum) && !errors.Is(err, gzip.ErrHeader) {
			return bad
		}
	}
	t.Fatal("found no offset where corrupting the gzip stream breaks decompression")
	return nil
}

// e2eTruncate cuts the file at path to size bytes.
func e2eTruncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// e2eFileSize returns the size of the file at path.
func e2eFileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
