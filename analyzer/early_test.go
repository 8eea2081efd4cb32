package analyzer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// TestWithTree checks the analysis handed over once the tree is merged: it
// comes once, before the result, over the result's own tree, with the
// layers and the summary's counts, sizes and waste of the result, and none
// of what the duplicates, dive's metrics and the rules compute after it.
func TestWithTree(t *testing.T) {
	ctx := context.Background()
	img, err := source.Open(ctx, filepath.Join("..", "fixtures", "demo", "demo.tar"), source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	var early []*analyzer.Analysis
	a, err := analyzer.Analyze(ctx, img, analyzer.WithTree(func(e *analyzer.Analysis, got *source.Image) {
		if got != img {
			t.Errorf("WithTree got image %p, want the analysed one %p", got, img)
		}
		early = append(early, e)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(early) != 1 {
		t.Fatalf("WithTree called %d times, want once", len(early))
	}
	e := early[0]
	if e == a || e.Tree != a.Tree {
		t.Errorf("early analysis %p tree %p, want a copy over the result's tree %p", e, e.Tree, a.Tree)
	}
	if diff := cmp.Diff(a.Layers, e.Layers); diff != "" {
		t.Errorf("early layers (-final +early):\n%s", diff)
	}
	if diff := cmp.Diff(a.Image, e.Image); diff != "" {
		t.Errorf("early image (-final +early):\n%s", diff)
	}
	later := cmpopts.IgnoreFields(analyzer.Summary{}, "DuplicateBytes", "PotentialSavingsBytes", "EstimatedOptimizedBytes", "Dive")
	if diff := cmp.Diff(a.Summary, e.Summary, later); diff != "" {
		t.Errorf("early summary (-final +early):\n%s", diff)
	}
	// The demo image has everything the later phases compute, so the test
	// sees them missing from the early analysis.
	if a.Summary.DuplicateBytes == 0 || a.Summary.Dive.WastedBytes == 0 || len(a.Wasted) == 0 || len(a.Findings) == 0 || len(a.Packages) == 0 {
		t.Fatalf("the demo image lost its duplicates, dive waste, wasted paths, findings or packages: %+v", a.Summary)
	}
	if e.Summary.DuplicateBytes != 0 || e.Summary.PotentialSavingsBytes != 0 || e.Summary.Dive != (analyzer.DiveMetrics{}) ||
		e.Wasted != nil || e.DiveInefficiencies != nil || e.Findings != nil || e.Packages != nil {
		t.Errorf("early analysis carries later results: summary %+v, %d wasted, %d dive, %d findings, %d packages",
			e.Summary, len(e.Wasted), len(e.DiveInefficiencies), len(e.Findings), len(e.Packages))
	}
}
