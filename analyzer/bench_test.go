package analyzer_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/stratascan/strata/fixtures"
)

// The benchmarks below run on generated images (see docs/benchmarks.md):
//
//	go test -run '^$' -bench . -benchtime 3x -timeout 60m ./analyzer/
//
// The images are generated once into $STRATA_BENCH_DIR (default
// $TMPDIR/strata-bench) and reused by later runs.

var benchMu sync.Mutex

// benchImage returns the reference of a generated benchmark image, writing
// it first when it is not there yet.
func benchImage(b *testing.B, name string) string {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	dir := os.Getenv("STRATA_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "strata-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	type gen struct {
		ref   string
		write func(string) error
	}
	path := filepath.Join(dir, name)
	gens := map[string]gen{
		"big.tar":       {"docker-archive:" + path, func(p string) error { return fixtures.WriteBenchArchive(p, fixtures.BigBenchSpec()) }},
		"big-oci":       {"oci:" + path, func(p string) error { return fixtures.WriteBenchOCI(p, fixtures.BigBenchSpec()) }},
		"giant.tar":     {"docker-archive:" + path, func(p string) error { return fixtures.WriteBenchArchive(p, fixtures.GiantBenchSpec()) }},
		"giant-oci":     {"oci:" + path, func(p string) error { return fixtures.WriteBenchOCI(p, fixtures.GiantBenchSpec()) }},
		"whiteouts.tar": {"docker-archive:" + path, func(p string) error { return fixtures.WriteBenchArchive(p, fixtures.WhiteoutsBenchSpec()) }},
		"small.tar":     {"docker-archive:" + path, func(p string) error { return fixtures.WriteBenchArchive(p, fixtures.SmallBenchSpec()) }},
	}
	g, ok := gens[name]
	if !ok {
		b.Fatalf("unknown benchmark image %s", name)
	}
	done := path + ".done"
	if _, err := os.Stat(done); err != nil {
		b.Logf("generating %s (once; kept in %s)", name, dir)
		os.RemoveAll(path)
		start := time.Now()
		if err := g.write(path); err != nil {
			b.Fatalf("generating %s: %v", name, err)
		}
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %s in %s", name, time.Since(start).Round(time.Second))
	}
	return g.ref
}

// floor reads, decompresses and iterates the tar headers of every layer with
// no analysis, layers in parallel with the same decompressor and the same
// concurrency as Analyze: the fastest this machine can read the image.
func floor(ctx context.Context, img v1.Image) (int, error) {
	layers, err := img.Layers()
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	var total int
	var firstErr error
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, l := range layers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := scanLayer(l)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	return total, firstErr
}

func scanLayer(l v1.Layer) (int, error) {
	rc, err := l.Compressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	r, _, release, err := walk.Decompress(rc)
	if err != nil {
		return 0, err
	}
	defer release()
	tr := tar.NewReader(r)
	buf := make([]byte, 256<<10)
	n := 0
	for {
		if _, err := tr.Next(); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n++
		for { // not io.Copy to io.Discard: its ReadFrom reads 8 KiB at a time
			_, err := tr.Read(buf)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return n, err
			}
		}
	}
}

func open(b *testing.B, ref string) *source.Image {
	b.Helper()
	img, err := source.Open(context.Background(), ref, source.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { img.Close() })
	return img
}

// benchVersusFloor times the analysis against the floor, alternating them
// in each iteration, and reports both and their ratio.
func benchVersusFloor(b *testing.B, name string) {
	ref := benchImage(b, name)
	img := open(b, ref)
	ctx := context.Background()
	if _, err := floor(ctx, img.Image); err != nil { // warm the page cache
		b.Fatal(err)
	}
	var floorT, analyzeT time.Duration
	var entries int
	var total int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Start each timed phase from a collected heap, as a fresh run does:
		// no earlier phase's garbage or analysis is alive while it runs.
		runtime.GC()
		t0 := time.Now()
		if _, err := floor(ctx, img.Image); err != nil {
			b.Fatal(err)
		}
		floorT += time.Since(t0)
		runtime.GC()
		t1 := time.Now()
		a, err := analyzer.Analyze(ctx, img)
		if err != nil {
			b.Fatal(err)
		}
		analyzeT += time.Since(t1)
		entries, total = a.Tree.EntryCount(), a.Summary.TotalBytes
	}
	b.StopTimer()
	b.ReportMetric(float64(floorT.Milliseconds())/float64(b.N), "floor-ms")
	b.ReportMetric(float64(analyzeT.Milliseconds())/float64(b.N), "analyze-ms")
	b.ReportMetric(float64(analyzeT)/float64(floorT), "x-floor")
	b.ReportMetric(float64(entries), "entries")
	b.ReportMetric(float64(total)/1e9, "GB")
}

// BenchmarkBigArchive: ≥ 2 GB, ≥ 200,000 entries, 10 layers, docker-archive.
func BenchmarkBigArchive(b *testing.B) { benchVersusFloor(b, "big.tar") }

// BenchmarkBigOCIGzip: the same image as a gzip OCI layout.
func BenchmarkBigOCIGzip(b *testing.B) { benchVersusFloor(b, "big-oci") }

// BenchmarkSmall is a quick smoke of the harness on a tiny image.
func BenchmarkSmall(b *testing.B) { benchVersusFloor(b, "small.tar") }

// BenchmarkWhiteouts: 5,000 whiteouts over a 50,000-file base (target < 1 s).
func BenchmarkWhiteouts(b *testing.B) {
	img := open(b, benchImage(b, "whiteouts.tar"))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := analyzer.Analyze(ctx, img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/analysis")
}

// BenchmarkPeakRSS runs the real binary on the big images and reports its
// peak resident memory (target ≤ 300 MB).
func BenchmarkPeakRSS(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "strata")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/stratascan/strata/cmd/strata").CombinedOutput(); err != nil {
		b.Fatalf("building strata: %v\n%s", err, out)
	}
	names := []string{"big.tar", "big-oci", "giant.tar", "giant-oci"}
	if testing.Short() {
		names = []string{"small.tar"}
	}
	for _, name := range names {
		ref := benchImage(b, name)
		b.Run(name, func(b *testing.B) {
			var peak int64
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(bin, "analyze", "-q", "--format", "json", "-o", os.DevNull, ref)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("strata analyze %s: %v\n%s", ref, err, out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, ru.Maxrss) // KiB on Linux
				}
			}
			// A child starts with this process's resident set as its
			// high-water mark (Linux carries it across the exec), so the
			// figure means nothing unless the child went above it.
			var self syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err == nil && peak <= self.Maxrss {
				b.Fatalf("strata's peak (%d KiB) is not above this process's own (%d KiB), which a child inherits: run BenchmarkPeakRSS on its own", peak, self.Maxrss)
			}
			b.ReportMetric(float64(peak)/1024, "peak-MiB")
		})
	}
}
