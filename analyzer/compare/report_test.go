package compare_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", name, d)
	}
}

func appResult(t *testing.T) *compare.Result {
	old, new := analyze(t, oldImage()), analyze(t, newImage())
	old.Image.Reference, new.Image.Reference = "app:1", "app:2"
	old.Image.Source, new.Image.Source = "docker-archive", "oci"
	b, _ := compare.ParseBudget("10%")
	sev := findings.High
	return compare.Compare(old, new, compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{b}, FailOnNew: &sev}})
}

func TestTextReport(t *testing.T) {
	var b bytes.Buffer
	if err := compare.WriteText(&b, appResult(t), compare.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "app.txt", b.Bytes())
}

func TestMarkdownReport(t *testing.T) {
	var b bytes.Buffer
	if err := compare.WriteMarkdown(&b, appResult(t), compare.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "app.md", b.Bytes())
}

func TestJSONReport(t *testing.T) {
	var b bytes.Buffer
	if err := compare.WriteJSON(&b, appResult(t), report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "app.json", b.Bytes())
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

func TestIdenticalReports(t *testing.T) {
	a := analyze(t, oldImage())
	r := compare.Compare(a, a, compare.Options{})
	var b bytes.Buffer
	if err := compare.WriteText(&b, r, compare.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "The images are identical") {
		t.Errorf("text:\n%s", b.String())
	}
	b.Reset()
	if err := compare.WriteMarkdown(&b, r, compare.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "The images are identical") {
		t.Errorf("markdown:\n%s", b.String())
	}
}
