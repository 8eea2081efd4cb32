package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// demoMapped analyses the demo image mapped to its Dockerfile.
func demoMapped(t *testing.T) *analyzer.Analysis {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "demo.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df, err := dockerfile.Parse("Dockerfile", src, dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := fixtures.Build(fixtures.DemoImage(), fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "demo", Source: source.DockerArchive}, analyzer.WithDockerfile(df))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDockerfileGoldens: with the Dockerfile, every format names the lines
// (Dockerfile:7) of the findings, and JSON carries the mapping.
func TestDockerfileGoldens(t *testing.T) {
	a := demoMapped(t)
	c, err := policy.ParseStrata([]byte("fail-on: high\n"), ".strata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tool := report.Tool{Name: "strata", Version: "test"}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"text", func(b *bytes.Buffer) error { return report.WriteText(b, a, report.TextOptions{}) }},
		{"markdown", func(b *bytes.Buffer) error { return report.WriteMarkdown(b, a, nil, report.MarkdownOptions{}) }},
		{"json", func(b *bytes.Buffer) error { return report.WriteJSON(b, a, tool) }},
		{"sarif", func(b *bytes.Buffer) error { return report.WriteSARIF(b, a, policy.Evaluate(a, c, nil), tool) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, b.Bytes())
		})
	}
}

// TestSARIFDockerfileRegions validates the SARIF of a mapped image against
// the schema and checks that each finding is located at its Dockerfile
// lines, with the image paths as related locations.
func TestSARIFDockerfileRegions(t *testing.T) {
	a := demoMapped(t)
	c, err := policy.ParseStrata([]byte("fail-on: high\n"), ".strata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, a, policy.Evaluate(a, c, nil), report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, buf.Bytes())
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
							EndLine   int `json:"endLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				RelatedLocations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"relatedLocations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	got := map[string][3]any{}
	related := map[string]string{}
	for _, r := range log.Runs[0].Results {
		if len(r.Locations) == 0 {
			continue
		}
		l := r.Locations[0].PhysicalLocation
		if _, seen := got[r.RuleID]; !seen {
			got[r.RuleID] = [3]any{l.ArtifactLocation.URI + " " + l.ArtifactLocation.URIBaseID, l.Region.StartLine, l.Region.EndLine}
			if len(r.RelatedLocations) > 0 {
				related[r.RuleID] = r.RelatedLocations[0].PhysicalLocation.ArtifactLocation.URI
			}
		}
	}
	want := map[string][3]any{
		"apt-lists":           {"Dockerfile %SRCROOT%", 4, 4},
		"apt-cache":           {"Dockerfile %SRCROOT%", 5, 5},
		"pip-cache":           {"Dockerfile %SRCROOT%", 13, 13},
		"metadata-only-readd": {"Dockerfile %SRCROOT%", 15, 15},
		"root-user":           {"Dockerfile %SRCROOT%", 17, 17},
		"shell-form-cmd":      {"Dockerfile %SRCROOT%", 18, 18},
		"no-healthcheck":      {"Dockerfile %SRCROOT%", 2, 2}, // the image as a whole: the final FROM
	}
	for rule, w := range want {
		if diff := cmp.Diff(w, got[rule]); diff != "" {
			t.Errorf("%s location (-want +got):\n%s", rule, diff)
		}
	}
	if related["apt-lists"] == "" || related["apt-lists"][:12] != "var/lib/apt/" {
		t.Errorf("apt-lists related location = %q, want the image path", related["apt-lists"])
	}
}
