package policy_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// diveFixtures returns the folder of dive's own test images, or skips the
// test (see fixtures.Skip) when it is absent.
func diveFixtures(t *testing.T) string { return fixtures.Dive(t, "") }

var diveImage struct {
	once sync.Once
	a    *analyzer.Analysis
	err  error
}

// diveTestImage analyses dive's test-docker-image.tar once.
func diveTestImage(t *testing.T) *analyzer.Analysis {
	t.Helper()
	fx := diveFixtures(t)
	diveImage.once.Do(func() {
		ctx := context.Background()
		img, err := source.Open(ctx, filepath.Join(fx, "test-docker-image.tar"), source.Options{})
		if err != nil {
			diveImage.err = err
			return
		}
		defer img.Close()
		diveImage.a, diveImage.err = analyzer.Analyze(ctx, img)
	})
	if diveImage.err != nil {
		t.Fatal(diveImage.err)
	}
	return diveImage.a
}
