package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// appResult compares the two versions of the app fixture with a gate.
func appResult(t *testing.T) *compare.Result {
	old, new := analyze(t, fixtures.DiffOldImage()), analyze(t, fixtures.DiffNewImage())
	old.Image.Reference, new.Image.Reference = "app:1", "app:2"
	old.Image.Source, new.Image.Source = "docker-archive", "oci"
	b, _ := compare.ParseBudget("10%")
	sev := findings.High
	return mustCompare(t, old, new, compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{b}, FailOnNew: &sev}})
}

func TestComparisonText(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteComparisonText(&b, appResult(t), report.ComparisonOptions{}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b.Bytes())
}

func TestComparisonMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteComparisonMarkdown(&b, appResult(t), report.ComparisonOptions{}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b.Bytes())
}

func TestComparisonJSON(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteComparisonJSON(&b, appResult(t), report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b.Bytes())
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schemaVersion", "tool", "old", "new", "identical", "summary", "layers", "files", "packages", "findings", "config", "gate"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if doc["schemaVersion"] != float64(1) {
		t.Errorf("schemaVersion = %v", doc["schemaVersion"])
	}
	if strings.Contains(b.String(), "abcdefghijklmnop") {
		t.Error("the JSON shows a secret env value")
	}
}

func TestIdenticalComparison(t *testing.T) {
	a := analyze(t, fixtures.DiffOldImage())
	r := mustCompare(t, a, a, compare.Options{})
	var b bytes.Buffer
	if err := report.WriteComparisonText(&b, r, report.ComparisonOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "The images are identical") {
		t.Errorf("text:\n%s", b.String())
	}
	b.Reset()
	if err := report.WriteComparisonMarkdown(&b, r, report.ComparisonOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "The images are identical") {
		t.Errorf("markdown:\n%s", b.String())
	}
}

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

// mustCompare compares two analyses whose options are valid.
func mustCompare(t testing.TB, old, new *analyzer.Analysis, opts compare.Options) *compare.Result {
	t.Helper()
	r, err := compare.Compare(old, new, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
