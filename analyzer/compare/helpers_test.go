package compare_test

import (
	"context"
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// analyze builds a declared image and analyses it.
func analyze(t testing.TB, im fixtures.Image) *analyzer.Analysis {
	t.Helper()
	img, err := fixtures.Build(im, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// oldImage and newImage are the two versions of the app the comparison is
// tested on (see fixtures.DiffOldImage).
func oldImage() fixtures.Image { return fixtures.DiffOldImage() }

func newImage() fixtures.Image { return fixtures.DiffNewImage() }

// mustCompare compares two analyses whose options are valid.
func mustCompare(t testing.TB, old, new *analyzer.Analysis, opts compare.Options) *compare.Result {
	t.Helper()
	r, err := compare.Compare(old, new, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
