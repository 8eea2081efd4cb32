package compare_test

import (
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/fixtures"
)

// sized is an image whose one layer holds size bytes.
func sized(t *testing.T, size int64) *analyzer.Analysis {
	return analyze(t, fixtures.Image{Layers: []fixtures.Layer{{
		CreatedBy: "/bin/sh -c #(nop) ADD file:0a0a0a0a0a0a0a0a0a in / ",
		Entries:   []fixtures.Entry{fixtures.RandomFile("data.bin", size, 7)},
	}}})
}

func TestParseBudget(t *testing.T) {
	tests := []struct {
		in   string
		want compare.Budget
		bad  bool
	}{
		{in: "10MB", want: compare.Budget{Bytes: 10_000_000, Text: "10MB"}},
		{in: "10MiB", want: compare.Budget{Bytes: 10 << 20, Text: "10MiB"}},
		{in: "1500", want: compare.Budget{Bytes: 1500, Text: "1500"}},
		{in: " 5% ", want: compare.Budget{Percent: true, Value: 5, Text: "5%"}},
		{in: "0.5%", want: compare.Budget{Percent: true, Value: 0.5, Text: "0.5%"}},
		{in: "", bad: true},
		{in: "ten", bad: true},
		{in: "-5%", bad: true},
		{in: "x%", bad: true},
	}
	for _, tt := range tests {
		got, err := compare.ParseBudget(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseBudget(%q) error %v", tt.in, err)
			continue
		}
		if !tt.bad && got != tt.want {
			t.Errorf("ParseBudget(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestGateJustUnderAndOver grows a 1,000,000-byte image by 100,000 bytes
// (10%) and checks budgets just above and just below the growth.
func TestGateJustUnderAndOver(t *testing.T) {
	old, new := sized(t, 1_000_000), sized(t, 1_100_000)
	tests := []struct {
		budget string
		pass   bool
	}{
		{"100000", true},  // exactly the growth: within the budget
		{"100001", true},  // just over the growth
		{"99999", false},  // just under the growth
		{"100kB", true},   // 100,000 bytes
		{"99.9kB", false}, // 99,900 bytes
		{"10%", true},
		{"10.01%", true},
		{"9.99%", false},
	}
	for _, tt := range tests {
		b, err := compare.ParseBudget(tt.budget)
		if err != nil {
			t.Fatal(err)
		}
		r := mustCompare(t, old, new, compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{b}}})
		if r.Gate.Passed != tt.pass || len(r.Gate.Checks) != 1 || r.Gate.Checks[0].Passed != tt.pass {
			t.Errorf("--max-growth %s on +100000 bytes (10%%): passed %v, want %v (%+v)", tt.budget, r.Gate.Passed, tt.pass, r.Gate.Checks)
		}
	}
	// Shrinking always passes; growing from nothing fails any percentage.
	zero, _ := compare.ParseBudget("0%")
	if r := mustCompare(t, new, old, compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{zero}}}); !r.Gate.Passed {
		t.Error("shrinking fails a 0% budget")
	}
	empty := analyze(t, fixtures.Image{Layers: []fixtures.Layer{{CreatedBy: "/bin/sh -c #(nop) ADD file:0a0a0a0a0a0a0a0a0a in / ", Entries: []fixtures.Entry{fixtures.Dir("x/")}}}})
	huge, _ := compare.ParseBudget("1000%")
	if r := mustCompare(t, empty, new, compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{huge}}}); r.Gate.Passed {
		t.Error("growth from an empty image passes a percentage budget")
	}
	// No gate: passes with no checks.
	if r := mustCompare(t, old, new, compare.Options{}); !r.Gate.Passed || len(r.Gate.Checks) != 0 {
		t.Errorf("no gate: %+v", r.Gate)
	}
}

func TestGateNewFindings(t *testing.T) {
	old, new := analyze(t, oldImage()), analyze(t, newImage())
	// NEW's only new finding is python-bytecode, an info.
	for _, tt := range []struct {
		sev  findings.Severity
		pass bool
	}{{findings.Info, false}, {findings.Low, true}, {findings.Critical, true}} {
		sev := tt.sev
		r := mustCompare(t, old, new, compare.Options{Gate: compare.Gate{FailOnNew: &sev}})
		if r.Gate.Passed != tt.pass {
			t.Errorf("--fail-on-new-findings %s: passed %v, want %v (%+v)", sev, r.Gate.Passed, tt.pass, r.Gate.Checks)
		}
	}
	// Going back fixes it and adds the apt lists and root user: medium.
	med := findings.Medium
	if r := mustCompare(t, new, old, compare.Options{Gate: compare.Gate{FailOnNew: &med}}); r.Gate.Passed {
		t.Errorf("NEW → OLD brings back medium findings but passes: %+v", r.Findings.New)
	}
}
