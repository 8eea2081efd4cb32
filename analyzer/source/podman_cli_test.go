package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
	echo '[{"Id": "'"$PODMAN_TEST_ID"'", "Os": "linux", "Architecture": "amd64", "Size": '"$PODMAN_TEST_SIZE"'}]'
	;;
"image save")
	[ "$3 $4 $5" = "--format docker-archive app:1" ] || { echo "Error: unexpected arguments: $*" >&2; exit 125; }
	cp "$PODMAN_TEST_ARCHIVE" "$TMPDIR/layer-copy" || exit 125
	half=$(( $(wc -c < "$PODMAN_TEST_ARCHIVE") / 2 ))
	case "$PODMAN_TEST_MODE" in
	whole) cat "$PODMAN_TEST_ARCHIVE";;
	fails) head -c $half "$PODMAN_TEST_ARCHIVE"; echo "Error: copying layer: read /var/lib/containers: input/output error" >&2; exit 125;;
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
	img := engineArchive(t, "app:1")
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
			var layers []string
			var reports [][2]int64
			opts := Options{TempDir: tmp, SaveProgress: func(read, total int64) { reports = append(reports, [2]int64{read, total}) }}
			start := time.Now()
			got, ok, err := OpenStream(ctx, tt.ref, opts, false, func(member string, _ int64, r io.Reader) error {
				layers = append(layers, member)
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
				if got.Source != Podman || got.Name != "app:1" || got.Digest != img.id || len(layers) != 1 {
					t.Errorf("source %q name %q digest %q layers %v", got.Source, got.Name, got.Digest, layers)
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
