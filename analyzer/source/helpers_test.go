package source

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/fixtures"
)

// diveFixture returns the path of one of dive's test images or skips.
func diveFixture(t *testing.T, name string) string { return fixtures.Dive(t, name) }

// member is one entry of a tar built by writeTar.
type member struct {
	name string
	body []byte
	link string // symlink target
	hard string // hard link target
}

func tarBytes(t *testing.T, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		hdr := &tar.Header{Name: m.name, Mode: 0o644, ModTime: time.Unix(0, 0)}
		switch {
		case m.link != "":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, m.link
		case m.hard != "":
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, m.hard
		case strings.HasSuffix(m.name, "/"):
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(m.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write(m.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeTar(t *testing.T, path string, members []member) string {
	t.Helper()
	if err := os.WriteFile(path, tarBytes(t, members), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// layerTar is an uncompressed layer holding the given files.
func layerTar(t *testing.T, files ...string) []byte {
	t.Helper()
	var ms []member
	for _, f := range files {
		ms = append(ms, member{name: f, body: []byte("content of " + f)})
	}
	return tarBytes(t, ms)
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstdBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(b, nil)
}

func sha(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

// configJSON is an image config for the given uncompressed layers.
func configJSON(t *testing.T, plat string, layers ...[]byte) []byte {
	t.Helper()
	p, err := parsePlatform(plat)
	if err != nil {
		t.Fatal(err)
	}
	cfg := v1.ConfigFile{OS: p.OS, Architecture: p.Arch, Variant: p.Variant, RootFS: v1.RootFS{Type: "layers"}}
	for _, l := range layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, sha(l))
		cfg.History = append(cfg.History, v1.History{CreatedBy: "test"})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func manifestJSON(t *testing.T, entries ...archiveEntry) []byte {
	t.Helper()
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAllLayer reads a layer's Compressed and Uncompressed streams fully.
func readAllLayer(t *testing.T, l v1.Layer) (compressed, uncompressed []byte) {
	t.Helper()
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	compressed, err = io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	rc, err = l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	uncompressed, err = io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	return compressed, uncompressed
}

// wantError checks that err is an *Error naming input whose message holds
// every fragment.
func wantError(t *testing.T, err error, input string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error for %s, got none", input)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q (%T) is not a *source.Error", err, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, input+": ") {
		t.Errorf("error %q does not start with the input %q", msg, input)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q does not mention %q", msg, f)
		}
	}
}

// isolateEnv clears the environment that points at daemons, contexts and
// credentials, so tests see only what they set up.
func isolateEnv(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	for k, v := range map[string]string{
		"HOME": home, "DOCKER_CONFIG": filepath.Join(home, ".docker"), "DOCKER_HOST": "",
		"DOCKER_CONTEXT": "", "DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": "", "DOCKER_API_VERSION": "",
		"CONTAINER_HOST": "", "XDG_RUNTIME_DIR": "", "XDG_CONFIG_HOME": "", "REGISTRY_AUTH_FILE": "",
		"CONTAINERD_ADDRESS": "", "CONTAINERD_NAMESPACE": "",
	} {
		t.Setenv(k, v)
	}
}
