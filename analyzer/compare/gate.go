package compare

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/units"
)

// Budget is a growth limit: an absolute number of bytes or a percentage of
// OLD's size.
type Budget struct {
	// Bytes is the absolute limit (when Percent is false).
	Bytes int64
	// Percent is true for a relative limit of Value percent.
	Percent bool
	Value   float64
	// Text is the budget as the user wrote it.
	Text string
}

// ParseBudget reads "10MB", "1.5GiB", "2000" (bytes) or "5%".
func ParseBudget(s string) (Budget, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Budget{}, errors.New("empty budget (use a size such as 10MB or a percentage such as 5%)")
	}
	if p, ok := strings.CutSuffix(t, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return Budget{}, fmt.Errorf("bad percentage %q (use e.g. 5%%)", s)
		}
		return Budget{Percent: true, Value: v, Text: t}, nil
	}
	n, err := units.ParseBytes(t)
	if err != nil {
		return Budget{}, fmt.Errorf("bad budget: %w, or a percentage such as 5%%", err)
	}
	return Budget{Bytes: n, Text: t}, nil
}

// String returns the budget as written.
func (b Budget) String() string {
	if b.Text != "" {
		return b.Text
	}
	if b.Percent {
		return strconv.FormatFloat(b.Value, 'f', -1, 64) + "%"
	}
	return strconv.FormatInt(b.Bytes, 10) + " B"
}

// Gate is what a comparison must stay within.
type Gate struct {
	// MaxGrowth are growth budgets of the image size (TotalBytes); each must
	// hold.
	MaxGrowth []Budget
	// FailOnNew, when set, fails on a new finding of this severity or above.
	FailOnNew *findings.Severity
}

// Check is one evaluated budget.
type Check struct {
	// Name is max-growth or fail-on-new-findings.
	Name string `json:"name"`
	// Threshold and Value are shown as text ("10MB", "+12.3 MB (4.10%)").
	Threshold string `json:"threshold"`
	Value     string `json:"value"`
	Passed    bool   `json:"passed"`
}

// GateResult is the evaluated gate.
type GateResult struct {
	Checks []Check `json:"checks"`
	// Passed is true when every check passed (and when there is none).
	Passed bool `json:"passed"`
}

// Evaluate checks a comparison against the gate.
func (g Gate) Evaluate(r *Result) GateResult {
	out := GateResult{Checks: []Check{}, Passed: true}
	growth := r.Summary.TotalBytes.Delta
	for _, b := range g.MaxGrowth {
		c := Check{Name: "max-growth", Threshold: b.String(), Value: growthText(r.Summary)}
		if b.Percent {
			switch {
			case growth <= 0:
				c.Passed = true
			case r.Summary.TotalBytes.Old == 0:
				c.Passed = false // any growth from nothing is infinite
			default:
				c.Passed = r.Summary.GrowthPercent <= b.Value
			}
		} else {
			c.Passed = growth <= b.Bytes
		}
		out.add(c)
	}
	if g.FailOnNew != nil {
		n := CountAtLeast(r.Findings.New, *g.FailOnNew)
		out.add(Check{
			Name: "fail-on-new-findings", Threshold: g.FailOnNew.String(),
			Value:  fmt.Sprintf("%d new at %s or above", n, g.FailOnNew),
			Passed: n == 0,
		})
	}
	return out
}

func (g *GateResult) add(c Check) {
	g.Checks = append(g.Checks, c)
	g.Passed = g.Passed && c.Passed
}

// growthText describes the size change: "+12 MB (4.10%)".
func growthText(s Summary) string {
	return fmt.Sprintf("%s (%d bytes, %s)", termtext.SignedBytes(s.TotalBytes.Delta), s.TotalBytes.Delta, s.Growth())
}
