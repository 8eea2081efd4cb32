package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stratascan/strata/fixtures"
)

// fakeImage is an image a fake engine holds.
type fakeImage struct {
	id      string
	archive []byte
}

// fakeEngine imitates the Engine API endpoints strata uses.
type fakeEngine struct {
	mu      sync.Mutex
	images  map[string]fakeImage
	paths   []string
	stalled chan struct{} // closed once a "slow" save has sent part of the archive
}

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	f.mu.Unlock()
	const v = "/v1.43"
	switch {
	case r.URL.Path == "/_ping":
		w.Header().Set("Api-Version", "1.43")
		w.Write([]byte("OK"))
	case strings.HasPrefix(r.URL.Path, v+"/images/") && strings.HasSuffix(r.URL.Path, "/json"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, v+"/images/"), "/json")
		img, ok := f.images[name]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"No such image: ` + name + `"}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"Id": img.id, "Os": "linux", "Architecture": "amd64", "RepoTags": []string{name}})
	case r.URL.Path == v+"/images/get":
		name := r.URL.Query().Get("names")
		img, ok := f.images[name]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if strings.HasPrefix(name, "slow") {
			w.Write(img.archive[:len(img.archive)/2])
			w.(http.Flusher).Flush()
			close(f.stalled)
			<-r.Context().Done()
			return
		}
		w.Write(img.archive)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// startFakeEngine serves f on a new unix socket and returns its path.
func startFakeEngine(t *testing.T, f http.Handler) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "strata-eng")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(f)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return sock
}

// engineArchive is a one-image docker save archive tagged tag, and its image ID.
func engineArchive(t *testing.T, tag string) fakeImage {
	t.Helper()
	l1 := layerTar(t, "etc/hostname")
	cfg := configJSON(t, "linux/amd64", l1)
	sum := sha256.Sum256(cfg)
	id := hex.EncodeToString(sum[:])
	return fakeImage{id: "sha256:" + id, archive: tarBytes(t, []member{
		{name: id + "/layer.tar", body: l1},
		{name: id + ".json", body: cfg},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: id + ".json", RepoTags: []string{tag}, Layers: []string{id + "/layer.tar"}})},
	})}
}

func newFakeEngine(t *testing.T) *fakeEngine {
	return &fakeEngine{stalled: make(chan struct{}), images: map[string]fakeImage{
		"app:1":           engineArchive(t, "app:1"),
		"slow:1":          engineArchive(t, "slow:1"),
		"localhost/pod:1": engineArchive(t, "localhost/pod:1"),
	}}
}

func emptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("%s still holds %d entries (%s...)", dir, len(ents), ents[0].Name())
	}
}

func TestDockerEngine(t *testing.T) {
	isolateEnv(t)
	fe := newFakeEngine(t)
	sock := startFakeEngine(t, fe)
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	tmp := t.TempDir()

	img, err := Open(context.Background(), "docker://app:1", Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	if img.Source != Docker || img.Name != "app:1" || img.Digest != fe.images["app:1"].id || img.Platform != "linux/amd64" {
		t.Errorf("got source %q name %q digest %q platform %q", img.Source, img.Name, img.Digest, img.Platform)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("got %d layers", len(layers))
	}
	readAllLayer(t, layers[0])
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Errorf("want the saved image spooled in %s, found %d entries", tmp, len(ents))
	}
	if err := img.Close(); err != nil {
		t.Fatal(err)
	}
	emptyDir(t, tmp)
	if err := img.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for _, p := range fe.paths {
		if p != "/_ping" && !strings.HasPrefix(p, "/v1.43/") {
			t.Errorf("path %s does not use the negotiated API version", p)
		}
	}

	t.Run("docker-daemon and automatic", func(t *testing.T) {
		for _, ref := range []string{"docker-daemon:app:1", "app:1"} {
			img := openOK(t, ref, Options{TempDir: tmp})
			if img.Source != Docker {
				t.Errorf("%s: source %q", ref, img.Source)
			}
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := Open(context.Background(), "docker://missing:1", Options{TempDir: tmp})
		wantError(t, err, "docker://missing:1", "image missing:1 not found in the Docker daemon")
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("errors.Is(ErrNotFound) is false for %v", err)
		}
		emptyDir(t, tmp)
	})
	t.Run("platform checked before saving", func(t *testing.T) {
		_, err := Open(context.Background(), "docker://app:1", Options{TempDir: tmp, Platform: "linux/s390x"})
		wantError(t, err, "docker://app:1", "is linux/amd64, not the requested platform linux/s390x")
		emptyDir(t, tmp)
	})
	t.Run("cancelled while streaming", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-fe.stalled
			cancel()
		}()
		done := make(chan error, 1)
		go func() {
			_, err := Open(ctx, "docker://slow:1", Options{TempDir: tmp})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Open did not return after cancel")
		}
		emptyDir(t, tmp)
	})
	t.Run("automatic, found nowhere", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir()) // no podman binary
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		ref := addr + "/missing:1"
		_, err := Open(context.Background(), ref, Options{TempDir: tmp})
		wantError(t, err, ref, "not found in any source", "docker: image "+ref+" not found in the Docker daemon",
			"podman: no Podman API socket answers", "registry: cannot reach registry "+addr)
	})
}

func TestDockerEngineUnreachable(t *testing.T) {
	isolateEnv(t)
	dir, _ := os.MkdirTemp("", "strata-eng")
	defer os.RemoveAll(dir)

	missing := "unix://" + filepath.Join(dir, "none.sock")
	t.Setenv("DOCKER_HOST", missing)
	_, err := Open(context.Background(), "docker://app:1", Options{})
	wantError(t, err, "docker://app:1", "cannot reach the Docker daemon at "+missing, "no such socket")
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("errors.Is(ErrUnavailable) is false for %v", err)
	}

	sock := filepath.Join(dir, "dead.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	_, err = Open(context.Background(), "docker://app:1", Options{})
	wantError(t, err, "docker://app:1", "cannot reach the Docker daemon at unix://"+sock+": connection refused")

	t.Setenv("DOCKER_HOST", "ssh://user@host")
	_, err = Open(context.Background(), "docker://app:1", Options{})
	wantError(t, err, "docker://app:1", "ssh:// hosts are not supported")
}

func TestDockerContext(t *testing.T) {
	isolateEnv(t)
	fe := newFakeEngine(t)
	sock := startFakeEngine(t, fe)
	cfgDir := os.Getenv("DOCKER_CONFIG")
	writeContext := func(name, host string) {
		sum := sha256.Sum256([]byte(name))
		dir := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]))
		os.MkdirAll(dir, 0o755)
		meta := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
		if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeContext("fake", "unix://"+sock)
	writeContext("broken", "unix://"+sock+".none")

	t.Setenv("DOCKER_CONTEXT", "fake")
	if img := openOK(t, "docker://app:1", Options{TempDir: t.TempDir()}); img.Source != Docker {
		t.Errorf("source %q", img.Source)
	}

	// currentContext in config.json, overridden by DOCKER_CONTEXT.
	os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"currentContext":"fake"}`), 0o644)
	t.Setenv("DOCKER_CONTEXT", "")
	openOK(t, "docker://app:1", Options{TempDir: t.TempDir()})
	t.Setenv("DOCKER_CONTEXT", "broken")
	_, err := Open(context.Background(), "docker://app:1", Options{})
	wantError(t, err, "docker://app:1", "cannot reach the Docker daemon at unix://"+sock+".none")

	// DOCKER_HOST wins over any context.
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	openOK(t, "docker://app:1", Options{TempDir: t.TempDir()})

	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "nosuch")
	_, err = Open(context.Background(), "docker://app:1", Options{})
	wantError(t, err, "docker://app:1", `docker context "nosuch" (from DOCKER_CONTEXT) not found`)
}

func TestPodmanSocket(t *testing.T) {
	isolateEnv(t)
	fe := newFakeEngine(t)
	sock := startFakeEngine(t, fe)
	t.Setenv("CONTAINER_HOST", "unix://"+sock)
	tmp := t.TempDir()
	for _, ref := range []string{"podman://pod:1", "podman://localhost/pod:1"} {
		img := openOK(t, ref, Options{TempDir: tmp})
		if img.Source != Podman || img.Name != "localhost/pod:1" || img.Digest != fe.images["localhost/pod:1"].id {
			t.Errorf("%s: got source %q name %q digest %q", ref, img.Source, img.Name, img.Digest)
		}
		img.Close()
	}
	emptyDir(t, tmp)
	_, err := Open(context.Background(), "podman://missing:1", Options{TempDir: tmp})
	wantError(t, err, "podman://missing:1", "image missing:1 not found in the Podman API")
}

// TestDockerRealDaemon runs against a real Docker Engine named by
// STRATA_TEST_DOCKER_HOST: it imports a tiny image through the API, opens it
// and removes it.
func TestDockerRealDaemon(t *testing.T) {
	host := os.Getenv("STRATA_TEST_DOCKER_HOST")
	if host == "" {
		fixtures.Skip(t, "STRATA_TEST_DOCKER_HOST is not set (the CI script starts dockerd and sets it)")
	}
	isolateEnv(t)
	t.Setenv("DOCKER_HOST", host)
	e, err := newEngine(endpoint{Host: host}, "Docker daemon")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.ping(ctx); err != nil {
		t.Fatal(err)
	}
	rootfs := layerTar(t, "hello.txt", "etc/os-release")
	const repo, tag = "strata-source-test", "e2e"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+e.version+"/images/create?fromSrc=-&repo="+repo+"&tag="+tag, bytes.NewReader(rootfs))
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("docker import: %s", resp.Status)
	}
	t.Cleanup(func() {
		req, _ := http.NewRequest(http.MethodDelete, e.base+e.version+"/images/"+repo+":"+tag+"?force=1", nil)
		if resp, err := e.client.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	tmp := t.TempDir()
	for _, ref := range []string{"docker://" + repo + ":" + tag, repo + ":" + tag} {
		img := openOK(t, ref, Options{TempDir: tmp})
		if img.Source != Docker || !strings.HasPrefix(img.Digest, "sha256:") {
			t.Errorf("%s: source %q digest %q", ref, img.Source, img.Digest)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("%s: %d layers, %v", ref, len(layers), err)
		}
		_, u := readAllLayer(t, layers[0])
		if !bytes.Contains(u, []byte("content of hello.txt")) {
			t.Errorf("%s: the layer does not hold the imported file", ref)
		}
		img.Close()
	}
	emptyDir(t, tmp)
	_, err = Open(ctx, "docker://"+repo+":missing", Options{TempDir: tmp})
	wantError(t, err, "docker://"+repo+":missing", "not found in the Docker daemon")

	t.Run("layer positions as the save stream arrives", func(t *testing.T) {
		// Three layers more on top: the engine saves each under its v1 ID,
		// and each blob's place is known as it arrives.
		context := tarBytes(t, []member{
			{name: "Dockerfile", body: []byte("FROM " + repo + ":" + tag + "\nCOPY a /a\nCOPY b /b\nCOPY a /c\n")},
			{name: "a", body: []byte("a")},
			{name: "b", body: []byte("b")},
		})
		const built = repo + ":layers"
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+e.version+"/build?version=1&rm=1&t="+built, bytes.NewReader(context))
		req.Header.Set("Content-Type", "application/x-tar")
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"error"`)) {
			t.Fatalf("docker build: %s\n%s", resp.Status, out)
		}
		t.Cleanup(func() {
			req, _ := http.NewRequest(http.MethodDelete, e.base+e.version+"/images/"+built+"?force=1", nil)
			if resp, err := e.client.Do(req); err == nil {
				resp.Body.Close()
			}
		})
		type arrived struct {
			member    string
			positions []int
			layers    int
		}
		var got []arrived
		img, ok, err := OpenStream(ctx, "docker://"+built, Options{TempDir: tmp}, false, func(l StreamLayer, r io.Reader) error {
			got = append(got, arrived{l.Member, l.Positions, l.Layers})
			return nil
		})
		if !ok || err != nil {
			t.Fatalf("OpenStream: ok %v, err %v", ok, err)
		}
		defer img.Close()
		members := img.LayerMembers()
		if len(members) != 4 || len(got) != 4 {
			t.Fatalf("%d layers, %d blobs streamed, want 4", len(members), len(got))
		}
		for _, a := range got {
			var want []int
			for i, m := range members {
				if m == a.member {
					want = append(want, i)
				}
			}
			if !slices.Equal(a.positions, want) || a.layers != 4 {
				t.Errorf("blob %s arrived at positions %v of %d layers, the manifest says %v of 4", a.member, a.positions, a.layers, want)
			}
		}
	})
}

func TestDockerEngineTLS(t *testing.T) {
	isolateEnv(t)
	srv := httptest.NewUnstartedServer(newFakeEngine(t))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	certDir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	os.WriteFile(filepath.Join(certDir, "ca.pem"), ca, 0o644)
	t.Setenv("DOCKER_HOST", "tcp://"+srv.Listener.Addr().String())
	t.Setenv("DOCKER_TLS_VERIFY", "1")
	t.Setenv("DOCKER_CERT_PATH", certDir)
	openOK(t, "docker://app:1", Options{TempDir: t.TempDir()})

	// Verification asked for without a CA is a configuration error.
	t.Setenv("DOCKER_CERT_PATH", t.TempDir())
	_, err := Open(context.Background(), "docker://app:1", Options{})
	wantError(t, err, "docker://app:1", "DOCKER_CERT_PATH", "ca.pem")
}
