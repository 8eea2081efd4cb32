package source

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// fastNet shortens the network limits for the duration of a test.
func fastNet(t *testing.T) {
	t.Helper()
	saved := registryNet
	registryNet.dial = time.Second
	registryNet.header = 300 * time.Millisecond
	registryNet.idle = 300 * time.Millisecond
	registryNet.backoff = remote.Backoff{Duration: 20 * time.Millisecond, Factor: 2, Steps: 3}
	t.Cleanup(func() { registryNet = saved })
}

// startTLSRegistry serves an in-process registry over TLS with a certificate
// no system trusts, and writes its CA certificate to a PEM file.
func startTLSRegistry(t *testing.T) (host, caFile string, srv *httptest.Server) {
	t.Helper()
	srv = httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(srv.URL, "https://"), caFile, srv
}

// TestRegistryTLS: a self-signed registry is refused by default with a
// message saying what to do, and accepted with a CA file, or when named
// with --insecure-registry (that host only).
func TestRegistryTLS(t *testing.T) {
	isolateEnv(t)
	host, caFile, srv := startTLSRegistry(t)
	img := ociImage(t, "linux/amd64", "tls")
	r, _ := name.ParseReference(host + "/tls/img:1")
	if err := remote.Write(r, img, remote.WithTransport(srv.Client().Transport)); err != nil {
		t.Fatal(err)
	}
	ref := "registry://" + host + "/tls/img:1"

	_, err := Open(context.Background(), ref, Options{})
	wantError(t, err, ref, "registry "+host, "certificate is not trusted", "x509", "use --ca-file FILE or add the CA to the system trust store")
	if !errors.Is(err, ErrUntrusted) {
		t.Errorf("errors.Is(ErrUntrusted) false for %v", err)
	}
	_, err = Open(context.Background(), ref, Options{InsecureRegistries: []string{"127.0.0.1:1", "example.com"}})
	wantError(t, err, ref, "certificate is not trusted")

	got := openOK(t, ref, Options{CAFile: caFile})
	if got.Digest != digestOf(t, img) {
		t.Errorf("digest %s, want %s", got.Digest, digestOf(t, img))
	}
	for _, l := range mustLayers(t, got.Image) {
		readAllLayer(t, l)
	}
	got = openOK(t, ref, Options{InsecureRegistries: []string{host}})
	if got.Digest != digestOf(t, img) {
		t.Errorf("insecure: digest %s", got.Digest)
	}

	_, err = Open(context.Background(), ref, Options{CAFile: filepath.Join(t.TempDir(), "none.pem")})
	wantError(t, err, ref, "reading the CA file", "file not found")
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o644)
	_, err = Open(context.Background(), ref, Options{CAFile: notPEM})
	wantError(t, err, ref, "holds no PEM certificate")
}

// TestRegistryNetworkFailures: refused, hanging and cut connections end in
// an error naming the registry after a few attempts, quickly with short
// limits; a blob cut once is fetched again and read whole.
func TestRegistryNetworkFailures(t *testing.T) {
	isolateEnv(t)
	fastNet(t)

	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		ref := "registry://" + addr + "/x/y:1"
		start := time.Now()
		_, err = Open(context.Background(), ref, Options{})
		wantError(t, err, ref, "cannot reach registry "+addr, "connection refused", "(tried 3 times)")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})

	t.Run("hang before the headers", func(t *testing.T) {
		var hits atomic.Int32
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(stop)
		host := strings.TrimPrefix(srv.URL, "http://")
		ref := "registry://" + host + "/x/y:1"
		start := time.Now()
		_, err := Open(context.Background(), ref, Options{InsecureRegistries: []string{host}})
		wantError(t, err, ref, "cannot reach registry "+host, "(tried 3 times)")
		if !strings.Contains(err.Error(), "timed out") && !strings.Contains(err.Error(), "timeout") {
			t.Errorf("error %q does not say it timed out", err)
		}
		if n := hits.Load(); n < 2 {
			t.Errorf("%d requests: want retries", n)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %s", d)
		}
	})

	img := ociImage(t, "linux/amd64", "net-a", "net-b")
	layers := mustLayers(t, img)
	ld, _ := layers[0].Digest()
	blob, _ := io.ReadAll(must(layers[0].Compressed()))
	// faulty serves the layer blob itself: cut (or stalled) after half its
	// bytes for the first `bad` requests, whole after.
	faulty := func(bad int32, stall bool) (string, *atomic.Int32) {
		var hits atomic.Int32
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop) })
		host := startRegistry(t, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+ld.String()) {
					next.ServeHTTP(w, r)
					return
				}
				if hits.Add(1) > bad {
					w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
					w.Write(blob)
					return
				}
				w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
				w.WriteHeader(http.StatusOK)
				w.Write(blob[:len(blob)/2])
				w.(http.Flusher).Flush()
				if stall {
					select {
					case <-stop:
					case <-r.Context().Done():
					}
					return
				}
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			})
		})
		push(t, host+"/net/img:1", img)
		return host, &hits
	}
	readLayer0 := func(host string) ([]byte, error) {
		got := openOK(t, "registry://"+host+"/net/img:1", Options{InsecureRegistries: []string{host}})
		rc, err := mustLayers(t, got.Image)[0].Compressed()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}

	t.Run("cut mid-blob once", func(t *testing.T) {
		host, hits := faulty(1, false)
		b, err := readLayer0(host)
		if err != nil || !bytes.Equal(b, blob) {
			t.Fatalf("read %d bytes, %v; want the whole blob after a retry", len(b), err)
		}
		if hits.Load() != 2 {
			t.Errorf("%d requests of the blob, want 2", hits.Load())
		}
	})
	t.Run("cut mid-blob every time", func(t *testing.T) {
		host, hits := faulty(100, false)
		_, err := readLayer0(host)
		if err == nil || !strings.Contains(err.Error(), "from registry "+host) || !strings.Contains(err.Error(), ld.String()) {
			t.Fatalf("error = %v, want one naming the blob and the registry", err)
		}
		if n := hits.Load(); n != int32(registryNet.blobRetries+1) {
			t.Errorf("%d requests of the blob, want %d", n, registryNet.blobRetries+1)
		}
	})
	t.Run("stalled mid-blob", func(t *testing.T) {
		host, _ := faulty(100, true)
		start := time.Now()
		_, err := readLayer0(host)
		if err == nil || !strings.Contains(err.Error(), "from registry "+host) || !strings.Contains(err.Error(), "no data for") {
			t.Fatalf("error = %v, want a stalled blob naming the registry", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %s", d)
		}
	})
}

func must(rc io.ReadCloser, err error) io.ReadCloser {
	if err != nil {
		panic(err)
	}
	return rc
}

// TestRegistryCutDownloadsGiveTheirTurnBack cuts the first download of each
// of RegistryDownloads blobs read at once, which holds every download turn:
// a failed stream's turn is given back (the client does on the failed read,
// the reader closes the stream before fetching its blob again), so all are
// read whole instead of waiting for a turn forever.
func TestRegistryCutDownloadsGiveTheirTurnBack(t *testing.T) {
	isolateEnv(t)
	fastNet(t)
	files := make([]string, RegistryDownloads)
	for i := range files {
		files[i] = fmt.Sprintf("cut-%d", i)
	}
	img := ociImage(t, "linux/amd64", files...)
	blobs := map[string][]byte{}
	for _, l := range mustLayers(t, img) {
		d, _ := l.Digest()
		blobs["/blobs/"+d.String()], _ = io.ReadAll(must(l.Compressed()))
	}
	var mu sync.Mutex
	cut := map[string]bool{}
	host := startRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := strings.LastIndex(r.URL.Path, "/blobs/")
			blob, ok := []byte(nil), false
			if i >= 0 {
				blob, ok = blobs[r.URL.Path[i:]]
			}
			mu.Lock()
			first := ok && !cut[r.URL.Path]
			if ok {
				cut[r.URL.Path] = true
			}
			mu.Unlock()
			if r.Method != http.MethodGet || !first {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
			w.WriteHeader(http.StatusOK)
			w.Write(blob[:len(blob)/2])
			w.(http.Flusher).Flush()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		})
	})
	push(t, host+"/net/cut:1", img)
	mu.Lock()
	clear(cut) // the push's requests
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := Open(ctx, "registry://"+host+"/net/cut:1", Options{InsecureRegistries: []string{host}})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	layers := mustLayers(t, got.Image)
	streams := make([]io.ReadCloser, len(layers))
	for i, l := range layers {
		if streams[i], err = l.Compressed(); err != nil {
			t.Fatal(err)
		}
		defer streams[i].Close()
	}
	errs := make(chan error, len(streams))
	for i, rc := range streams {
		go func() {
			b, err := io.ReadAll(rc)
			d, _ := layers[i].Digest()
			if err == nil && !bytes.Equal(b, blobs["/blobs/"+d.String()]) {
				err = fmt.Errorf("layer %d: read %d bytes, not its blob", i, len(b))
			}
			errs <- err
		}()
	}
	for range streams {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(cut) != len(layers) {
		t.Errorf("%d blobs cut, want %d", len(cut), len(layers))
	}
}
