package analyzer_test

import (
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// diveFixtures returns the folder of dive's own test images, or skips the
// test when it is absent (it lives beside the repository, not in it).
func diveFixtures(t *testing.T) string {
	t.Helper()
	dir, err := fixtures.DiveDir()
	if err != nil {
		t.Skip(err)
	}
	return dir
}
