package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// demo analyses the demo image built in memory.
func demo(t *testing.T) *analyzer.Analysis {
	t.Helper()
	img, err := fixtures.Build(fixtures.DemoImage(), fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "demo", Source: source.DockerArchive})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestText(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteText(&buf, demo(t), report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, demo(t), report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())

	// The names product users script against must all be there.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	doc := map[string]map[string]any{}
	for _, k := range []string{"summary", "image", "tool"} {
		m := map[string]any{}
		if err := json.Unmarshal(top[k], &m); err != nil {
			t.Fatal(err)
		}
		doc[k] = m
	}
	for _, k := range []string{"totalBytes", "visibleBytes", "wastedBytes", "efficiency", "userBytes", "userWastedBytes",
		"userWastedPercent", "duplicateBytes", "potentialSavingsBytes", "fileCount", "layerCount", "dive"} {
		if _, ok := doc["summary"][k]; !ok {
			t.Errorf("summary.%s missing", k)
		}
	}
	var layers []map[string]any
	if err := json.Unmarshal(top["layers"], &layers); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"index", "digest", "diffID", "sizeBytes", "compressedBytes", "command", "added", "modified", "removed"} {
		if _, ok := layers[0][k]; !ok {
			t.Errorf("layers[0].%s missing", k)
		}
	}
	if string(top["schemaVersion"]) != "1" {
		t.Errorf("schemaVersion = %s", top["schemaVersion"])
	}
}

// TestJSONEmptyImage checks an image without layers: arrays, not null,
// and ratios that are numbers.
func TestJSONEmptyImage(t *testing.T) {
	img, err := fixtures.Build(fixtures.Image{}, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, a, report.Tool{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"layers": []`, `"wasted": []`, `"efficiency": 1`, `"userWastedPercent": 0`} {
		if !strings.Contains(out, want) {
			t.Errorf("empty image JSON lacks %s:\n%s", want, out)
		}
	}
}
