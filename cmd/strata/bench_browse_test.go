package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// BenchmarkBrowserFirstScreen runs the real browser in a 120×40 pty on the
// browse image (fixtures.BrowseBenchSpec: 20 layers of 50,000 files,
// 1,010,041 tar entries), as a user opens it:
//
//	STRATA_BENCH_DIR=/work/bench go test -run '^$' -bench BrowserFirstScreen -benchtime 5x ./cmd/strata/
//
// It reports the medians of the time from the start of strata to the first
// screen of the tree (ms-first-screen: the first file's name drawn), of the
// time from a key press right after it (j: the next layer) to that layer's
// tree drawn (ms-key), the largest peak RSS of strata (MB-peak-rss), and,
// as the floor, the time `cat` takes to read the image in the same run
// (ms-cat). The image is generated once into $STRATA_BENCH_DIR (default
// $TMPDIR/strata-bench).
func BenchmarkBrowserFirstScreen(b *testing.B) {
	archive := browseBenchArchive(b)
	bin := filepath.Join(b.TempDir(), "strata")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("building strata: %v\n%s", err, out)
	}
	env := e2eWithEnv(os.Environ(), "CI=", "DIVE_CI=", "NO_COLOR=", "TERM=xterm-256color")
	var first, key, cat []time.Duration
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if out, err := exec.Command("sh", "-c", `cat "$0" > /dev/null`, archive).CombinedOutput(); err != nil {
			b.Fatalf("cat: %v\n%s", err, out)
		}
		cat = append(cat, time.Since(start))
		f, k, rss := browseOnce(b, bin, env, "docker-archive:"+archive)
		first, key = append(first, f), append(key, k)
		peak = max(peak, rss)
	}
	b.StopTimer()
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	b.ReportMetric(median(first), "ms-first-screen")
	b.ReportMetric(median(key), "ms-key")
	b.ReportMetric(float64(peak)/1024, "MB-peak-rss")
	b.ReportMetric(median(cat), "ms-cat")
}

// browseOnce starts the browser on ref in a pty and returns the time to its
// first screen, the time a key press takes to redraw it, and strata's peak
// RSS in KiB.
func browseOnce(b *testing.B, bin string, env []string, ref string) (first, key time.Duration, rssKiB int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, ref)
	cmd.Env, cmd.Dir = env, b.TempDir()
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		b.Fatalf("starting strata in a pty: %v", err)
	}
	defer tty.Close()
	var mu sync.Mutex
	var out bytes.Buffer
	grew := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := tty.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			select {
			case grew <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	// waitFor returns once marker is in the output written after offset
	// from, and the output's length then.
	waitFor := func(marker string, from int) int {
		for {
			mu.Lock()
			at := bytes.Index(out.Bytes()[from:], []byte(marker))
			n := out.Len()
			mu.Unlock()
			if at >= 0 {
				return n
			}
			select {
			case <-grew:
			case <-ctx.Done():
				mu.Lock()
				defer mu.Unlock()
				b.Fatalf("no %q on the screen after %s:\n%q", marker, time.Since(start).Round(time.Millisecond), e2eClip(out.String()))
			}
		}
	}
	// The first screen shows layer 0's tree, whose first file is
	// f000001.dat (f000000.dat may be hidden by the tree's scrolling).
	n := waitFor("f000001.dat", 0)
	first = time.Since(start)
	pressed := time.Now()
	if _, err := tty.Write([]byte("j")); err != nil {
		b.Fatal(err)
	}
	waitFor("l01", n) // layer 1's directory, new in its tree
	key = time.Since(pressed)
	if _, err := tty.Write([]byte("q")); err != nil {
		b.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("strata %s: %v", ref, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rssKiB = ru.Maxrss
	}
	return first, key, rssKiB
}

// browseBenchArchive returns the path of the browse benchmark image in
// $STRATA_BENCH_DIR, writing it first when it is not there. An archive
// without the marker of a finished write is reused when it opens with all
// its layers.
func browseBenchArchive(b *testing.B) string {
	dir := os.Getenv("STRATA_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "strata-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	spec := fixtures.BrowseBenchSpec()
	archive := filepath.Join(dir, "browse.tar")
	if _, err := os.Stat(archive + ".done"); err == nil || archiveComplete(archive, spec.Layers) {
		return archive
	}
	b.Logf("generating %s (once)", archive)
	start := time.Now()
	if err := fixtures.WriteBenchArchive(archive, spec); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(archive+".done", nil, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated in %s", time.Since(start).Round(time.Second))
	return archive
}

// archiveComplete reports whether a docker archive opens with its layers.
func archiveComplete(archive string, layers int) bool {
	img, err := source.Open(context.Background(), "docker-archive:"+archive, source.Options{})
	if err != nil {
		return false
	}
	defer img.Close()
	ls, err := img.Layers()
	return err == nil && len(ls) == layers
}
