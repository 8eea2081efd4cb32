package source

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// TestPodmanReal runs against a real Podman when STRATA_TEST_PODMAN is set:
// it imports a tiny image with `podman import`, then opens it through the API
// socket (STRATA_TEST_PODMAN_SOCKET or CONTAINER_HOST, when set) and through
// `podman image save` with CONTAINER_HOST pointing nowhere.
func TestPodmanReal(t *testing.T) {
	if os.Getenv("STRATA_TEST_PODMAN") == "" {
		fixtures.Skip(t, "STRATA_TEST_PODMAN is not set (the CI script installs podman and sets it)")
	}
	socket := os.Getenv("STRATA_TEST_PODMAN_SOCKET")
	if socket == "" {
		socket = os.Getenv("CONTAINER_HOST")
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs.tar")
	os.WriteFile(rootfs, layerTar(t, "hello.txt"), 0o644)
	const name = "strata-source-test:e2e"
	podman := func(args ...string) {
		t.Helper()
		cmd := exec.Command("podman", args...)
		cmd.Env = withoutEnv("CONTAINER_HOST")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("podman %v: %v\n%s", args, err, out)
		}
	}
	podman("import", rootfs, name)
	t.Cleanup(func() {
		cmd := exec.Command("podman", "rmi", "-f", "localhost/"+name)
		cmd.Env = withoutEnv("CONTAINER_HOST")
		cmd.Run()
	})

	check := func(img *Image) {
		t.Helper()
		if img.Source != Podman || (img.Name != name && img.Name != "localhost/"+name) {
			t.Errorf("got source %q name %q", img.Source, img.Name)
		}
		layers := mustLayers(t, img.Image)
		if len(layers) != 1 {
			t.Fatalf("got %d layers", len(layers))
		}
		_, u := readAllLayer(t, layers[0])
		if !bytes.Contains(u, []byte("content of hello.txt")) {
			t.Error("the layer does not hold the imported file")
		}
	}
	tmp := t.TempDir()
	if socket != "" {
		t.Run("socket", func(t *testing.T) {
			t.Setenv("CONTAINER_HOST", socket)
			for _, ref := range []string{"podman://" + name, "podman://localhost/" + name} {
				img := openOK(t, ref, Options{TempDir: tmp})
				check(img)
				img.Close()
			}
			emptyDir(t, tmp)
		})
	}
	t.Run("podman image save", func(t *testing.T) {
		t.Setenv("CONTAINER_HOST", "unix:///nonexistent/podman.sock")
		img, err := podmanSave(context.Background(), name, Options{TempDir: tmp})
		if err != nil {
			t.Fatal(err)
		}
		check(img)
		img.Close()
		emptyDir(t, tmp)
		img = openOK(t, "podman://"+name, Options{TempDir: tmp})
		check(img)
		img.Close()
		emptyDir(t, tmp)
		_, err = Open(context.Background(), "podman://strata-source-test:missing", Options{TempDir: tmp})
		wantError(t, err, "podman://strata-source-test:missing", "not found")
	})
}

func withoutEnv(key string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) > len(key) && kv[:len(key)+1] == key+"=" {
			continue
		}
		env = append(env, kv)
	}
	return env
}
