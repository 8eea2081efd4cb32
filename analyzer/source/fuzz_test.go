package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The fuzz targets below write what the fuzzer gives into a real archive and
// open it with Open, as a user's file would be. Placeholders let mutations
// keep the digests consistent: in the fuzzed JSON, "@C" becomes the config's
// digest, "@M" the manifest's, "@L" the layer's, "@D" the layer's diffID and
// "@S" the layer's size.

// fuzzLayerBlob is the one layer every fuzzed image may point to.
var fuzzLayerBlob = func() []byte {
	t := &testing.T{}
	return gzipBytes(t, layerTar(t, "etc/os-release", "bin/sh"))
}()

func substitute(b []byte, repl map[string]string) []byte {
	for _, k := range []string{"@C", "@M", "@L", "@D", "@S"} {
		if v, ok := repl[k]; ok {
			b = bytes.ReplaceAll(b, []byte(k), []byte(v))
		}
	}
	return b
}

// exercise reads everything an analysis would from an opened image, with
// limits, so that lazy parsing runs too.
func exercise(img *Image) {
	img.ConfigFile()
	img.RawManifest()
	img.Manifest()
	img.Image.Digest()
	img.MediaType()
	layers, err := img.Layers()
	if err != nil {
		return
	}
	for _, l := range layers {
		l.Digest()
		l.DiffID()
		l.Size()
		l.MediaType()
		if rc, err := l.Compressed(); err == nil {
			io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
			rc.Close()
		}
		if rc, err := l.Uncompressed(); err == nil {
			io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
			rc.Close()
		}
	}
}

// openFuzzed opens the archive at p and checks what any result must satisfy.
func openFuzzed(t *testing.T, p string) {
	img, err := Open(context.Background(), p, Options{Platform: ""})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Error() == "" {
			t.Fatalf("Open returned %T %q, want a *source.Error naming the input", err, err)
		}
		return
	}
	defer img.Close()
	exercise(img)
}

// ociSeeds returns index, manifest and config JSON of a valid OCI archive,
// with placeholders, plus variants: a nested index, Docker media types, an
// index with platforms.
func ociSeeds(t *testing.T) [][3][]byte {
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["@D"]},"history":[{"created_by":"/bin/sh -c #(nop) ADD file:x in / "}],"config":{"Env":["PATH=/bin","API_TOKEN=secret"],"Cmd":["sh"],"User":"1000"}}`)
	man := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"@C","size":0},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"@L","size":@S}]}`)
	idx := []byte(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@M","size":0,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}`)
	plat := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@M","size":0,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@M","size":0,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@M","size":0,"platform":{"architecture":"unknown","os":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}`)
	nested := []byte(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"@M","size":0}]}`)
	docker := bytes.ReplaceAll(bytes.ReplaceAll(man, []byte("application/vnd.oci.image.manifest.v1+json"), []byte(types.DockerManifestSchema2)),
		[]byte("application/vnd.oci.image.layer.v1.tar+gzip"), []byte(types.DockerLayer))
	// An index bomb: index.json names the manifest slot, an index naming
	// the config slot eight times, itself an index naming the manifest
	// slot's digest eight times (a cycle the digests cannot close).
	eight := func(d string) []byte {
		e := `{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + d + `","size":0}`
		return []byte(`{"schemaVersion":2,"manifests":[` + strings.TrimSuffix(strings.Repeat(e+",", 8), ",") + `]}`)
	}
	// Many layers: the same layer listed 3,000 times.
	many := bytes.Replace(man, []byte(`{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"@L","size":@S}`),
		bytes.TrimSuffix(bytes.Repeat([]byte(`{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"@L","size":@S},`), 3000), []byte(",")), 1)
	manyCfg := bytes.Replace(cfg, []byte(`"diff_ids":["@D"]`), []byte(`"diff_ids":[`+strings.TrimSuffix(strings.Repeat(`"@D",`, 3000), ",")+`]`), 1)
	return [][3][]byte{{idx, man, cfg}, {plat, man, cfg}, {nested, man, cfg}, {idx, docker, cfg}, {[]byte(`{}`), []byte(`{}`), []byte(`{}`)},
		{nested, eight("@C"), eight("@M")}, {idx, many, manyCfg}}
}

// FuzzOCILayout fuzzes index.json, the image manifest and the config of an
// OCI layout packed in a tar (as oci-archive:PATH or a sniffed PATH).
func FuzzOCILayout(f *testing.F) {
	for _, s := range ociSeeds(&testing.T{}) {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, index, manifest, config []byte) {
		layer := fuzzLayerBlob
		diffID := sha(layerTar(t, "etc/os-release", "bin/sh"))
		repl := map[string]string{"@L": sha(layer).String(), "@D": diffID.String(), "@S": fmt.Sprint(len(layer))}
		config = substitute(config, repl)
		repl["@C"] = sha(config).String()
		manifest = substitute(manifest, repl)
		repl["@M"] = sha(manifest).String()
		index = substitute(index, repl)
		members := []member{
			{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
			{name: "index.json", body: index},
			{name: blobName(sha(manifest)), body: manifest},
			{name: blobName(sha(config)), body: config},
			{name: blobName(sha(layer)), body: layer},
		}
		openFuzzed(t, writeTar(t, filepath.Join(t.TempDir(), "oci.tar"), members))
	})
}

// FuzzDockerArchive fuzzes the manifest.json and the config of a docker save
// archive.
func FuzzDockerArchive(f *testing.F) {
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["@D"]},"history":[{"created_by":"RUN x"}]}`)
	f.Add([]byte(`[{"Config":"c.json","RepoTags":["x:1"],"Layers":["L/layer.tar"]}]`), cfg)
	f.Add([]byte(`[{"Config":"c.json","RepoTags":["x:1"],"Layers":["L/layer.tar"]},{"Config":"c.json","RepoTags":["y:2"],"Layers":["link.tar"]}]`), cfg)
	f.Add([]byte(`[{"Config":"blobs/sha256/@C","Layers":["blobs/sha256/@L"]}]`), cfg)
	f.Add([]byte(`[{"Config":"../../c.json","Layers":["/L/layer.tar","L/../L/layer.tar"]}]`), cfg)
	f.Fuzz(func(t *testing.T, manifest, config []byte) {
		layer := layerTar(t, "etc/os-release", "bin/sh")
		repl := map[string]string{"@L": sha(layer).Hex, "@D": sha(layer).String(), "@S": fmt.Sprint(len(layer))}
		config = substitute(config, repl)
		repl["@C"] = sha(config).Hex
		manifest = substitute(manifest, repl)
		members := []member{
			{name: "L/layer.tar", body: layer},
			{name: "link.tar", link: "L/layer.tar"},
			{name: "loop.tar", link: "loop.tar"},
			{name: "c.json", body: config},
			{name: blobName(sha(config)), body: config},
			{name: blobName(sha(layer)), body: layer},
			{name: "manifest.json", body: manifest},
		}
		openFuzzed(t, writeTar(t, filepath.Join(t.TempDir(), "img.tar"), members))
	})
}

// TestFuzzSeedsOpen checks that the fuzz seeds are meaningful: the valid
// ones open.
func TestFuzzSeedsOpen(t *testing.T) {
	for i, s := range ociSeeds(t)[:4] {
		layer := fuzzLayerBlob
		repl := map[string]string{"@L": sha(layer).String(), "@D": sha(layerTar(t, "etc/os-release", "bin/sh")).String(), "@S": fmt.Sprint(len(layer))}
		cfg := substitute(s[2], repl)
		repl["@C"] = sha(cfg).String()
		man := substitute(s[1], repl)
		repl["@M"] = sha(man).String()
		idx := substitute(s[0], repl)
		p := writeTar(t, filepath.Join(t.TempDir(), "oci.tar"), []member{
			{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
			{name: "index.json", body: idx},
			{name: blobName(sha(man)), body: man},
			{name: blobName(sha(cfg)), body: cfg},
			{name: blobName(sha(layer)), body: layer},
		})
		img, err := Open(context.Background(), p, Options{Platform: "linux/amd64"})
		if i == 2 { // an index naming an image manifest as an index
			if err == nil {
				img.Close()
				t.Errorf("seed %d: an index naming a manifest as an index opened", i)
			}
			continue
		}
		if err != nil {
			t.Errorf("seed %d: %v", i, err)
			continue
		}
		var m v1.Manifest
		raw, _ := img.RawManifest()
		if err := json.Unmarshal(raw, &m); err != nil || len(m.Layers) != 1 {
			t.Errorf("seed %d: manifest %s: %v", i, raw, err)
		}
		img.Close()
	}
}
