package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// diveFixtures returns the folder of dive's own test images, or skips the
// test when it is absent (it lives beside the repository, not in it).
func diveFixtures(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("dive fixtures not found: no go.mod above the test directory")
		}
		dir = parent
	}
	fx := filepath.Join(dir, "..", "shared", "fixtures", "dive")
	if _, err := os.Stat(filepath.Join(fx, "test-docker-image.tar")); err != nil {
		t.Skipf("dive fixtures not found at %s (they are shared beside the repository)", fx)
	}
	return fx
}

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

// writeFile writes a file in a fresh directory and returns its path.
func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
