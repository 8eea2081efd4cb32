package source

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stratascan/strata/fixtures"
)

// startRegistry serves an in-process registry over plain HTTP, optionally
// wrapped, and returns its host:port.
func startRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func push(t *testing.T, ref string, img v1.Image, opts ...remote.Option) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, opts...); err != nil {
		t.Fatal(err)
	}
}

func TestRegistry(t *testing.T) {
	isolateEnv(t)
	host := startRegistry(t, nil)
	opts := Options{InsecureRegistries: []string{host}}

	img := ociImage(t, "linux/amd64", "r1", "r2")
	push(t, host+"/test/img:1", img)
	got := openOK(t, "registry://"+host+"/test/img:1", opts)
	if got.Source != Registry || got.Digest != digestOf(t, img) || got.Platform != "linux/amd64" {
		t.Errorf("got source %q digest %q platform %q", got.Source, got.Digest, got.Platform)
	}
	checkOrder(t, got.Image, img)

	t.Run("index", func(t *testing.T) {
		hostP := hostPlatform().String()
		other := "linux/s390x"
		hostImg, otherImg := ociImage(t, hostP, "h"), ociImage(t, other, "o")
		idx := ociIndex(t, []string{hostP, other}, []v1.Image{hostImg, otherImg})
		r, _ := name.ParseReference(host+"/test/multi:1", name.Insecure)
		if err := remote.WriteIndex(r, idx); err != nil {
			t.Fatal(err)
		}
		var notes []string
		got := openOK(t, "registry://"+host+"/test/multi:1", Options{InsecureRegistries: opts.InsecureRegistries, Notify: func(s string) { notes = append(notes, s) }})
		if got.Digest != digestOf(t, hostImg) || len(notes) != 1 {
			t.Errorf("got digest %q notes %q, want the host image and one note", got.Digest, notes)
		}
		got = openOK(t, "registry://"+host+"/test/multi:1", Options{InsecureRegistries: opts.InsecureRegistries, Platform: other})
		if got.Digest != digestOf(t, otherImg) || got.Platform != other {
			t.Errorf("got digest %q platform %q", got.Digest, got.Platform)
		}
		ref := "registry://" + host + "/test/multi:1"
		_, err := Open(context.Background(), ref, Options{InsecureRegistries: opts.InsecureRegistries, Platform: "linux/mips64le"})
		wantError(t, err, ref, "platform linux/mips64le not in index (has "+hostP+", linux/s390x)")
	})
	t.Run("not found", func(t *testing.T) {
		ref := "registry://" + host + "/test/img:nope"
		_, err := Open(context.Background(), ref, opts)
		wantError(t, err, ref, "not found in registry "+host)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("errors.Is(ErrNotFound) false for %v", err)
		}
	})
	t.Run("automatic falls through to the registry", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		dir, _ := os.MkdirTemp("", "strata-eng")
		defer os.RemoveAll(dir)
		t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(dir, "none.sock"))
		got := openOK(t, host+"/test/img:1", opts)
		if got.Source != Registry {
			t.Errorf("source %q", got.Source)
		}
	})
}

func TestRegistryBasicAuth(t *testing.T) {
	isolateEnv(t)
	const user, pass = "strata", "s3cret"
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	host := startRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != want {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	img := ociImage(t, "linux/amd64", "secret")
	push(t, host+"/private/img:1", img, remote.WithAuth(&authn.Basic{Username: user, Password: pass}))
	ref := "registry://" + host + "/private/img:1"
	opts := Options{InsecureRegistries: []string{"http://" + host}}

	_, err := Open(context.Background(), ref, opts)
	wantError(t, err, ref, "registry "+host+" answered 401 Unauthorized: run `docker login "+host+"`")
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("errors.Is(ErrUnauthorized) false for %v", err)
	}

	cfgDir := os.Getenv("DOCKER_CONFIG")
	os.MkdirAll(cfgDir, 0o700)
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got := openOK(t, ref, opts)
	checkOrder(t, got.Image, img)
}

func TestRegistryTamperedBlob(t *testing.T) {
	isolateEnv(t)
	img := ociImage(t, "linux/amd64", "tampered")
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	host := startRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+ld.String()) {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				b := rec.Body.Bytes()
				if len(b) > 0 {
					b[len(b)/2] ^= 0xff
				}
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				w.Write(b)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	push(t, host+"/t/img:1", img)
	got := openOK(t, "registry://"+host+"/t/img:1", Options{InsecureRegistries: []string{host}})
	gl, _ := got.Layers()
	rc, err := gl[0].Compressed()
	if err == nil {
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("reading a tampered blob: %v, want a digest error", err)
	}
}

func TestRegistryUnreachable(t *testing.T) {
	isolateEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ref := "registry://" + addr + "/x/y:1"
	_, err = Open(context.Background(), ref, Options{InsecureRegistries: []string{addr}})
	wantError(t, err, ref, "cannot reach registry "+addr+": connection refused")
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("errors.Is(ErrUnavailable) false for %v", err)
	}
}

// TestRealRegistry pushes to and reads from the registries the CI script
// starts (STRATA_TEST_REGISTRY, and STRATA_TEST_REGISTRY_AUTH with
// STRATA_TEST_REGISTRY_USER/PASSWORD).
func TestRealRegistry(t *testing.T) {
	open := os.Getenv("STRATA_TEST_REGISTRY")
	if open == "" {
		fixtures.Skip(t, "STRATA_TEST_REGISTRY is not set (the CI script starts docker-registry and sets it)")
	}
	isolateEnv(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	push(t, open+"/strata-source/random:1", img)
	got := openOK(t, "registry://"+open+"/strata-source/random:1", Options{InsecureRegistries: []string{open}})
	if got.Digest != digestOf(t, img) {
		t.Errorf("digest %s, want %s", got.Digest, digestOf(t, img))
	}
	for _, l := range mustLayers(t, got.Image) {
		readAllLayer(t, l)
	}

	authHost := os.Getenv("STRATA_TEST_REGISTRY_AUTH")
	if authHost == "" {
		return
	}
	user, pass := os.Getenv("STRATA_TEST_REGISTRY_USER"), os.Getenv("STRATA_TEST_REGISTRY_PASSWORD")
	push(t, authHost+"/strata-source/private:1", img, remote.WithAuth(&authn.Basic{Username: user, Password: pass}))
	ref := "registry://" + authHost + "/strata-source/private:1"
	_, err = Open(context.Background(), ref, Options{InsecureRegistries: []string{authHost}})
	wantError(t, err, ref, "docker login "+authHost)
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cfgDir := os.Getenv("DOCKER_CONFIG")
	os.MkdirAll(cfgDir, 0o700)
	os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"auths":{"`+authHost+`":{"auth":"`+auth+`"}}}`), 0o600)
	got = openOK(t, ref, Options{InsecureRegistries: []string{authHost}})
	if !bytes.Equal([]byte(got.Digest), []byte(digestOf(t, img))) {
		t.Errorf("digest %s, want %s", got.Digest, digestOf(t, img))
	}
}

func mustLayers(t *testing.T, img v1.Image) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}
