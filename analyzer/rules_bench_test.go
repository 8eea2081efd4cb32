package analyzer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/analyzer/walk"
)

// BenchmarkRules measures what the rules cost on the big benchmark image
// (see docs/benchmarks.md) against the whole analysis:
//
//	go test -run '^$' -bench Rules -benchtime 3x -timeout 60m ./analyzer/
//
// The rule pass is two parts: the content scanner the walk feeds (measured
// by walking every layer, one at a time, with and without it; this is CPU
// time the parallel analysis spreads over its workers, so the figure is an
// upper bound) and findings.Run over the finished tree. It reports
// analyze-ms, scan-ms, run-ms and rules-pct = (scan + run) / analyze.
func BenchmarkRules(b *testing.B) { benchRules(b, "big.tar") }

// BenchmarkRulesSmall is the quick smoke of the same harness.
func BenchmarkRulesSmall(b *testing.B) { benchRules(b, "small.tar") }

func benchRules(b *testing.B, name string) {
	ref := benchImage(b, name)
	ctx := context.Background()
	img, err := source.Open(ctx, ref, source.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	layers, err := img.Layers()
	if err != nil {
		b.Fatal(err)
	}
	walkAll := func(scan bool) time.Duration {
		start := time.Now()
		for i, l := range layers {
			rc, err := l.Compressed()
			if err != nil {
				b.Fatal(err)
			}
			var opts walk.Options
			if scan {
				opts.Inspect = findings.NewScanner().Inspect
			}
			if _, err := walk.Layer(ctx, rc, opts); err != nil {
				b.Fatalf("layer %d: %v", i, err)
			}
			rc.Close()
		}
		return time.Since(start)
	}
	var analyze, scan, run time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		a, err := analyzer.Analyze(ctx, img)
		if err != nil {
			b.Fatal(err)
		}
		analyze += time.Since(start)
		start = time.Now()
		a.ApplyRules(findings.Options{})
		run += time.Since(start)
		plain, scanned := walkAll(false), walkAll(true)
		scan += max(scanned-plain, 0)
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / n }
	b.ReportMetric(ms(analyze), "analyze-ms")
	b.ReportMetric(ms(scan), "scan-ms")
	b.ReportMetric(ms(run), "run-ms")
	b.ReportMetric(100*float64(scan+run)/float64(analyze), "rules-pct")
}
