package source

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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
		for _, ref := range []string{"podman://" + name, "podman://localhost/" + name} {
			img := openOK(t, ref, Options{TempDir: tmp})
			check(img)
			img.Close()
			emptyDir(t, tmp)
		}
		_, err := Open(context.Background(), "podman://strata-source-test:missing", Options{TempDir: tmp})
		wantError(t, err, "podman://strata-source-test:missing", "not found")
		emptyDir(t, tmp)
	})
	t.Run("podman image save streamed", func(t *testing.T) {
		t.Setenv("CONTAINER_HOST", "unix:///nonexistent/podman.sock")
		var members []string
		var content []byte
		var reports [][2]int64
		opts := Options{TempDir: tmp, SaveProgress: func(read, total int64) { reports = append(reports, [2]int64{read, total}) }}
		var positions [][]int
		img, ok, err := OpenStream(context.Background(), "podman://"+name, opts, false, func(l StreamLayer, r io.Reader) error {
			members = append(members, l.Member)
			if l.Layers != 1 {
				t.Errorf("blob %s: %d layers, want the 1 podman inspect lists", l.Member, l.Layers)
			}
			positions = append(positions, l.Positions)
			b, err := io.ReadAll(r)
			content = append(content, b...)
			return err
		})
		if !ok || err != nil {
			t.Fatalf("OpenStream: ok %v, err %v", ok, err)
		}
		defer img.Close()
		if img.Source != Podman || len(members) != 1 || !bytes.Contains(content, []byte("content of hello.txt")) {
			t.Errorf("source %q, layer blobs %v: the stream does not hold the imported layer", img.Source, members)
		}
		if diff := cmp.Diff([][]int{{0}}, positions); diff != "" {
			t.Errorf("positions of the blobs as they arrive (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(members, img.LayerMembers()); diff != "" {
			t.Errorf("layer members (-streamed +image):\n%s", diff)
		}
		if len(reports) < 2 || reports[0][0] != 0 || reports[0][1] <= 0 {
			t.Fatalf("progress %v: want a first report of 0 bytes read of the size podman inspect gives", reports)
		}
		for i, r := range reports {
			if r[1] != reports[0][1] || i > 0 && r[0] < reports[i-1][0] {
				t.Errorf("progress report %d (%v) changes the total or goes backwards (after %v)", i, r, reports[max(i-1, 0)])
			}
		}
		emptyDir(t, tmp)
		_, ok, err = OpenStream(context.Background(), "podman://strata-source-test:missing", opts, false, skipLayer)
		if !ok {
			t.Fatal("OpenStream of a missing podman image: not taken")
		}
		wantError(t, err, "podman://strata-source-test:missing", "image strata-source-test:missing not found in Podman")
		emptyDir(t, tmp)
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
