package analyzer_test

import (
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// diveFixtures returns the folder of dive's own test images, or skips the
// test (see fixtures.Skip) when it is absent.
func diveFixtures(t *testing.T) string { return fixtures.Dive(t, "") }
