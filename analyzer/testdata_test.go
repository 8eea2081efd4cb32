package analyzer_test

import (
	"os"
	"path/filepath"
	"testing"
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
