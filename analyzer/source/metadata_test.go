package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// hostileRegistry serves raw manifests by reference (tag or digest) and
// counts the requests; blob requests are answered with an endless stream
// of zeros and counted apart.
type hostileRegistry struct {
	manifests map[string][]byte // reference → manifest
	types     map[string]string
	gets      atomic.Int64
	blobs     atomic.Int64
}

func (h *hostileRegistry) add(ref, mediaType string, body []byte) string {
	sum := sha256.Sum256(body)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	for _, r := range []string{ref, digest} {
		if r != "" {
			h.manifests[r], h.types[r] = body, mediaType
		}
	}
	return digest
}

func (h *hostileRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" {
		return
	}
	if _, ref, ok := strings.Cut(r.URL.Path, "/manifests/"); ok {
		h.gets.Add(1)
		b, ok := h.manifests[ref]
		if !ok {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(b)
		w.Header().Set("Content-Type", h.types[ref])
		w.Header().Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(sum[:]))
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		if r.Method != http.MethodHead {
			w.Write(b)
		}
		return
	}
	if strings.Contains(r.URL.Path, "/blobs/") {
		h.blobs.Add(1)
		zeros := make([]byte, 1<<20)
		for range 64 { // enough to show it was read; the test fails on the count anyway
			if _, err := w.Write(zeros); err != nil {
				return
			}
		}
		return
	}
	http.NotFound(w, r)
}

func hostileManifest(t *testing.T, configSize int64, pad int) []byte {
	t.Helper()
	m := map[string]any{
		"schemaVersion": 2, "mediaType": ociManifestType,
		"config":      map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + strings.Repeat("a", 64), "size": configSize},
		"layers":      []any{},
		"annotations": map[string]string{"pad": strings.Repeat("x", pad)},
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	ociManifestType = "application/vnd.oci.image.manifest.v1+json"
	ociIndexType    = "application/vnd.oci.image.index.v1+json"
)

func hostileIndex(t *testing.T, digest, mediaType string, size, count int) []byte {
	t.Helper()
	ms := make([]map[string]any, count)
	for i := range ms {
		ms[i] = map[string]any{"mediaType": mediaType, "digest": digest, "size": size,
			"platform": map[string]string{"os": "linux", "architecture": "amd64"}}
	}
	b, err := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": ociIndexType, "manifests": ms})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRegistryMetadataBounds serves metadata past its bounds: a
// configuration declared at 1.5 GB (refused before a byte of it is
// fetched), a manifest over 64 MiB, an index bomb (8 entries naming the
// same child index, 6 levels: each index read once), and an index listing
// more descriptors than strata visits.
func TestRegistryMetadataBounds(t *testing.T) {
	isolateEnv(t)
	tests := []struct {
		name      string
		setup     func(h *hostileRegistry)
		want      string // in the error; "" for success
		maxGets   int64
		wantBlobs int64
	}{
		{"config of 1.5 GB", func(h *hostileRegistry) {
			h.add("1", ociManifestType, hostileManifest(t, 1_500_000_000, 0))
		}, "its configuration is 1500000000 bytes: strata reads at most 64 MiB of metadata per file", 2, 0},
		{"config of a negative size", func(h *hostileRegistry) {
			h.add("1", ociManifestType, hostileManifest(t, -1, 0))
		}, "its configuration is -1 bytes", 2, 0},
		{"manifest of 65 MiB", func(h *hostileRegistry) {
			h.add("1", ociManifestType, hostileManifest(t, 10, 65<<20))
		}, "its manifest is 68157", 2, 0},
		{"index bomb", func(h *hostileRegistry) {
			img := hostileManifest(t, 1_500_000_000, 0)
			d, size, mt := h.add("", ociManifestType, img), len(img), ociManifestType
			for level := range 6 {
				b := hostileIndex(t, d, mt, size, 8)
				ref := ""
				if level == 5 {
					ref = "1"
				}
				d, size, mt = h.add(ref, ociIndexType, b), len(b), ociIndexType
			}
		}, "its configuration is 1500000000 bytes", 12, 0},
		{"index of 10,001 descriptors", func(h *hostileRegistry) {
			img := hostileManifest(t, 10, 0)
			d := h.add("", ociManifestType, img)
			h.add("1", ociIndexType, hostileIndex(t, d, ociManifestType, len(img), 10_001))
		}, "the image index and the indexes nested in it list more than 10000 descriptors", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &hostileRegistry{manifests: map[string][]byte{}, types: map[string]string{}}
			tt.setup(h)
			srv := httptest.NewServer(h)
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			_, err := Open(context.Background(), "registry://"+host+"/t/img:1", Options{InsecureRegistries: []string{host}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one holding %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), host) {
				t.Errorf("error %q does not name the registry", err)
			}
			if g := h.gets.Load(); g > tt.maxGets {
				t.Errorf("%d manifest requests, want at most %d", g, tt.maxGets)
			}
			if b := h.blobs.Load(); b != tt.wantBlobs {
				t.Errorf("%d blob requests, want %d", b, tt.wantBlobs)
			}
		})
	}
}
