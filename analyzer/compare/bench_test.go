package compare_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// The comparison benchmarks run on the generated images of the analyzer's
// benchmarks (see docs/benchmarks.md), plus a variant of each:
//
//	go test -run '^$' -bench Compare -benchtime 3x -timeout 60m ./analyzer/compare/
//
// The images are written once into $STRATA_BENCH_DIR (default
// $TMPDIR/strata-bench) and reused.

// benchVariant is the NEW image of the worst-case benchmarks: the same plan
// with another seed, so every layer and every file's content differs (each
// path is a modification and no layer is shared).
func benchVariant(s fixtures.BenchSpec) fixtures.BenchSpec {
	s.Seed += 100
	return s
}

// benchVersion is the NEW image of the realistic benchmark: a new version
// of the image whose top layers changed (layer 8 of 10, the last one that
// adds files) while the base and the lower layers are shared.
func benchVersion(s fixtures.BenchSpec) fixtures.BenchSpec {
	s.VariantFrom, s.VariantSeed = s.Layers-2, s.Seed+200
	return s
}

var benchMu sync.Mutex

// benchArchive returns the path of a generated docker archive, writing it
// first when it is not there yet.
func benchArchive(b *testing.B, name string, spec fixtures.BenchSpec) string {
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
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path + ".done"); err != nil {
		b.Logf("generating %s (once; kept in %s)", name, dir)
		os.RemoveAll(path)
		start := time.Now()
		if err := fixtures.WriteBenchArchive(path, spec); err != nil {
			b.Fatalf("generating %s: %v", name, err)
		}
		if err := os.WriteFile(path+".done", nil, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %s in %s", name, time.Since(start).Round(time.Second))
	}
	return path
}

func benchOpen(b *testing.B, path string) *source.Image {
	b.Helper()
	img, err := source.Open(context.Background(), "docker-archive:"+path, source.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { img.Close() })
	return img
}

// benchCompare times, in each iteration: the analysis of the larger image
// alone; the comparison of the two analyses; and what strata diff does,
// both analyses at once followed by the comparison. It reports the times
// and their ratios to the analysis alone.
func benchCompare(b *testing.B, oldName, newName string, oldSpec, newSpec fixtures.BenchSpec) {
	imgOld := benchOpen(b, benchArchive(b, oldName, oldSpec))
	imgNew := benchOpen(b, benchArchive(b, newName, newSpec))
	ctx := context.Background()
	analyze := func(img *source.Image, opts ...analyzer.Option) *analyzer.Analysis {
		a, err := analyzer.Analyze(ctx, img, opts...)
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	// Warm the page cache and find the larger image.
	aOld, aNew := analyze(imgOld), analyze(imgNew)
	larger := imgOld
	if aNew.Summary.TotalBytes > aOld.Summary.TotalBytes {
		larger = imgNew
	}
	var analyzeT, compareT, diffT time.Duration
	var r *compare.Result
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		analyze(larger)
		analyzeT += time.Since(t0)

		t1 := time.Now()
		r = mustCompare(b, aOld, aNew, compare.Options{})
		compareT += time.Since(t1)

		t2 := time.Now()
		var wg sync.WaitGroup
		var o, n *analyzer.Analysis
		cache := analyzer.NewLayerCache() // as strata diff does
		wg.Add(2)
		go func() { defer wg.Done(); o = analyze(imgOld, analyzer.WithLayerCache(cache)) }()
		go func() { defer wg.Done(); n = analyze(imgNew, analyzer.WithLayerCache(cache)) }()
		wg.Wait()
		mustCompare(b, o, n, compare.Options{})
		diffT += time.Since(t2)
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
	b.ReportMetric(per(analyzeT), "analyze-ms")
	b.ReportMetric(per(compareT), "compare-ms")
	b.ReportMetric(per(diffT), "diff-ms")
	b.ReportMetric(float64(analyzeT+compareT)/float64(analyzeT), "x-analyze")
	b.ReportMetric(float64(diffT)/float64(analyzeT), "diff-x-analyze")
	b.ReportMetric(float64(r.Files.Counts.Total()), "changes")
}

// BenchmarkCompareBig compares the big benchmark image (10 layers, about
// 230,000 entries, 2.4 GB) with a variant of the same shape whose every
// file differs.
func BenchmarkCompareBig(b *testing.B) {
	benchCompare(b, "big.tar", "big-variant.tar", fixtures.BigBenchSpec(), benchVariant(fixtures.BigBenchSpec()))
}

// BenchmarkCompareBigVersion compares the big benchmark image with a new
// version of it: the same base and lower layers, new content in its top
// layer. This is the comparison strata diff is made for, and its target:
// diff-x-analyze ≤ 1.3.
func BenchmarkCompareBigVersion(b *testing.B) {
	benchCompare(b, "big.tar", "big-version.tar", fixtures.BigBenchSpec(), benchVersion(fixtures.BigBenchSpec()))
}

// BenchmarkCompareSmall is a quick smoke of the harness on tiny images.
func BenchmarkCompareSmall(b *testing.B) {
	benchCompare(b, "small.tar", "small-variant.tar", fixtures.SmallBenchSpec(), benchVariant(fixtures.SmallBenchSpec()))
}
