package analyzer_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// BenchmarkRules measures what the rules cost on the big benchmark image
// (see docs/benchmarks.md):
//
//	go test -run '^$' -bench Rules -benchtime 3x -timeout 60m ./analyzer/
//
// Each round times the whole analysis with the rules (the content scan the
// walk feeds and findings.Run over the finished tree) and without them
// (WithRules(false)), each from a collected heap, and reports both and
// rules-pct = (with - without) / with: the share of the analysis the rules
// cost.
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
	timed := func(opts ...analyzer.Option) time.Duration {
		runtime.GC()
		start := time.Now()
		if _, err := analyzer.Analyze(ctx, img, opts...); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	timed() // warm the page cache
	var with, without time.Duration
	b.ResetTimer()
	for range b.N {
		with += timed()
		without += timed(analyzer.WithRules(false))
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / n }
	b.ReportMetric(ms(with), "analyze-ms")
	b.ReportMetric(ms(without), "norules-ms")
	b.ReportMetric(100*float64(with-without)/float64(with), "rules-pct")
}
