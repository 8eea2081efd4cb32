package compare_test

import (
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/compare"
)

// TestGrowth: growth from an empty image is "new", never "0.00 %"; budgets
// that do not fit in int64 bytes are refused, never wrapped.
func TestGrowth(t *testing.T) {
	for _, c := range []struct {
		s    compare.Summary
		want string
	}{
		{compare.Summary{TotalBytes: compare.Delta{Old: 0, New: 10, Delta: 10}}, "new"},
		{compare.Summary{TotalBytes: compare.Delta{Old: 0, New: 0}}, "0.00 %"},
		{compare.Summary{TotalBytes: compare.Delta{Old: 100, New: 104, Delta: 4}, GrowthPercent: 4}, "+4.00 %"},
	} {
		if got := c.s.Growth(); got != c.want {
			t.Errorf("%+v: Growth() = %q, want %q", c.s.TotalBytes, got, c.want)
		}
	}
	for _, in := range []string{"8EiB", "9.3EB", "9223372036854775808", "20EiB"} {
		if _, err := compare.ParseBudget(in); err == nil || !strings.Contains(err.Error(), "too large") {
			t.Errorf("ParseBudget(%q): %v, want a too-large error", in, err)
		}
	}
	if b, err := compare.ParseBudget("9223372036854775807"); err != nil || b.Bytes != 9223372036854775807 {
		t.Errorf("the largest budget: %+v %v", b, err)
	}
}
