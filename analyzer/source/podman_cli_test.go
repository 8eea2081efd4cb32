package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakePodman is a podman command that answers `image inspect` for app:1 and
// saves it as the test asks (PODMAN_TEST_MODE): whole, half then an error,
// half then hanging. Like podman, it writes its copy of the layer into
// $TMPDIR first, and it records its pid and its child's.
const fakePodman = `#!/bin/sh
echo $$ >> "$PODMAN_TEST_PIDS"
case "$1 $2" in
"image inspect")
	case "$PODMAN_TEST_MODE" in
	inspect-fails) echo "Error: open /var/lib/containers/storage/storage.lock: permission denied" >&2; exit 125;;
	esac
	if [ "$3" != "app:1" ]; then echo "Error: inspecting object: $3: image not known" >&2; exit 125; fi
	echo '[{"Id": "'"$PODMAN_TEST_ID"'", "Os": "linux", "Architecture": "amd64", "Size": '"$PODMAN_TEST_SIZE"', "RootFS": {"Type": "layers", "Layers": '"$PODMAN_TEST_LAYERS"'}}]'
	;;
"image save")
	[ "$3 $4 $5" = "--format docker-archive app:1" ] || { echo "Error: unexpected arguments: $*" >&2; exit 125; }
	cp "$PODMAN_TEST_ARCHIVE" "$TMPDIR/layer-copy" || exit 125
	half=$(( $(wc -c < "$PODMAN_TEST_ARCHIVE") / 2 ))
	case "$PODMAN_TEST_MODE" in
	whole) cat "$PODMAN_TEST_ARCHIVE";;
	fails) head -c $half "$PODMAN_TEST_ARCHIVE"; echo 'time="2026-11-30T16:30:00Z" level=warning msg="The cgroupv2 manager is set to systemd but there is no systemd user session available"' >&2
		echo "Error: copying layer: read /var/lib/containers: input/output error" >&2; exit 125;;
	hangs) head -c $half "$PODMAN_TEST_ARCHIVE"; sleep 60 & echo $! >> "$PODMAN_TEST_PIDS"; wait;;
	esac
	;;
*) echo "Error: unexpected arguments: $*" >&2; exit 125;;
esac
`

// TestPodmanCommandStream reads images through `podman image save` with a
// scripted podman: the stream is read as it arrives with nothing written
// by strata; podman's failures come back with its message and the image's
// name; a hanging podman is stopped, with what it started, when ctx ends;
// podman's own temporary files are removed in every case.
func TestPodmanCommandStream(t *testing.T) {
	isolateEnv(t)
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "podman"), []byte(fakePodman), 0o755); err != nil {
		t.Fatal(err)
	}
	img, diffIDs := podmanArchive(t, "app:1")
	archive := filepath.Join(t.TempDir(), "app.tar")
	if err := os.WriteFile(archive, img.archive, 0o644); err != nil {
		t.Fatal(err)
	}
	pids := filepath.Join(t.TempDir(), "pids")
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock") // bare names reach Podman
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	t.Setenv("PODMAN_TEST_ARCHIVE", archive)
	t.Setenv("PODMAN_TEST_PIDS", pids)
	t.Setenv("PODMAN_TEST_ID", strings.TrimPrefix(img.id, "sha256:"))
	t.Setenv("PODMAN_TEST_SIZE", strconv.Itoa(len(img.archive)))
	layersJSON, _ := json.Marshal(diffIDs)
	t.Setenv("PODMAN_TEST_LAYERS", string(layersJSON))

	tests := []struct {
		name, mode, ref string
		timeout         time.Duration
		want            []string // fragments of the error; none: success
		ctxErr          error
	}{
		{name: "whole", mode: "whole", ref: "podman://app:1"},
		{name: "short name", mode: "whole", ref: "app:1"},
		{name: "fails mid-stream", mode: "fails", ref: "podman://app:1",
			want: []string{"podman image save app:1 failed: Error: copying layer: read /var/lib/containers: input/output error"}},
		{name: "not found", mode: "whole", ref: "podman://nosuch:1", want: []string{"image nosuch:1 not found in Podman"}},
		{name: "inspect fails", mode: "inspect-fails", ref: "podman://app:1",
			want: []string{"podman image inspect app:1 failed: Error: open /var/lib/containers/storage/storage.lock: permission denied"}},
		{name: "hangs", mode: "hangs", ref: "podman://app:1", timeout: 500 * time.Millisecond, ctxErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PODMAN_TEST_MODE", tt.mode)
			os.Remove(pids)
			tmp := t.TempDir()
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			var layers []StreamLayer
			var reports [][2]int64
			opts := Options{TempDir: tmp, SaveProgress: func(read, total int64) { reports = append(reports, [2]int64{read, total}) }}
			start := time.Now()
			got, ok, err := OpenStream(ctx, tt.ref, opts, false, func(l StreamLayer, r io.Reader) error {
				layers = append(layers, l)
				_, err := io.Copy(io.Discard, r)
				return err
			})
			took := time.Since(start)
			if !ok {
				t.Fatalf("OpenStream(%s) not taken", tt.ref)
			}
			switch {
			case tt.ctxErr != nil:
				if !errors.Is(err, tt.ctxErr) {
					t.Fatalf("err = %v, want %v", err, tt.ctxErr)
				}
				if took > tt.timeout+time.Second {
					t.Errorf("took %s to stop a hanging podman", took)
				}
			case tt.want != nil:
				wantError(t, err, tt.ref, tt.want...)
			default:
				if err != nil {
					t.Fatal(err)
				}
				defer got.Close()
				if got.Source != Podman || got.Name != "app:1" || got.Digest != img.id {
					t.Errorf("source %q name %q digest %q", got.Source, got.Name, got.Digest)
				}
				// Podman names the blobs by their diffIDs, which the
				// inspection lists in order: each blob's place is known as
				// it arrives, the one two layers share at both.
				want := []StreamLayer{
					{Member: strings.TrimPrefix(diffIDs[0], "sha256:") + ".tar", Size: 2048, Positions: []int{0, 2}, Layers: 3},
					{Member: strings.TrimPrefix(diffIDs[1], "sha256:") + ".tar", Size: 2048, Positions: []int{1}, Layers: 3},
				}
				if diff := cmp.Diff(want, layers); diff != "" {
					t.Errorf("layer blobs (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]string{want[0].Member, want[1].Member, want[0].Member}, got.LayerMembers()); diff != "" {
					t.Errorf("layer members once the manifest is read (-want +got):\n%s", diff)
				}
				if len(reports) == 0 || reports[0] != [2]int64{0, int64(len(img.archive))} || reports[len(reports)-1][0] != int64(len(img.archive)) {
					t.Errorf("progress %v: want 0 then all of the %d bytes podman inspect gave", reports, len(img.archive))
				}
			}
			emptyDir(t, tmp)
			b, _ := os.ReadFile(pids)
			for _, f := range strings.Fields(string(b)) {
				pid, _ := strconv.Atoi(f)
				if err := syscall.Kill(pid, 0); err == nil && !isZombie(pid) {
					t.Errorf("process %d (podman or its child) outlived the stream", pid)
				}
			}
		})
	}

	t.Run("podman missing", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, ok, err := OpenStream(context.Background(), "podman://app:1", Options{}, false, skipLayer)
		if !ok {
			t.Fatal("not taken")
		}
		wantError(t, err, "podman://app:1", "no Podman API socket answers and podman is not installed")
	})
}

// podmanArchive is a docker-archive as `podman image save` writes it: each
// distinct layer once, named by its diffID, with the legacy <id>/layer.tar
// names as links to it; here three layers, the first and last identical.
func podmanArchive(t *testing.T, tag string) (img fakeImage, diffIDs []string) {
	t.Helper()
	l1, l2 := layerTar(t, "etc/hostname"), layerTar(t, "etc/hosts")
	cfg := configJSON(t, "linux/amd64", l1, l2, l1)
	sum := sha256.Sum256(cfg)
	id := hex.EncodeToString(sum[:])
	d1, d2 := sha(l1).Hex, sha(l2).Hex
	v1 := func(n int) string { return strings.Repeat(strconv.Itoa(n), 64) }
	return fakeImage{id: "sha256:" + id, archive: tarBytes(t, []member{
		{name: d1 + ".tar", body: l1},
		{name: d2 + ".tar", body: l2},
		{name: id + ".json", body: cfg},
		{name: v1(1) + "/layer.tar", link: "../" + d1 + ".tar"},
		{name: v1(2) + "/layer.tar", link: "../" + d2 + ".tar"},
		{name: v1(3) + "/layer.tar", link: "../" + d1 + ".tar"},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: id + ".json", RepoTags: []string{tag},
			Layers: []string{d1 + ".tar", d2 + ".tar", d1 + ".tar"}})},
	})}, []string{"sha256:" + d1, "sha256:" + d2, "sha256:" + d1}
}

// isZombie reports whether pid has exited but is not reaped yet (a child
// of the sleep's shell, reaped by init later).
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] == 'Z'
}
