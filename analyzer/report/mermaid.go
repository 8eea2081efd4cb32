package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
)

// The Markdown reports draw bytes per layer as a Mermaid xychart, which
// GitHub renders in job summaries, issues and pull-request comments. The
// chart holds numbers and layer indexes only: nothing the image controls.

// chartUnit picks the SI unit that shows max as a number below 1000.
func chartUnit(max int64) (string, float64) {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	div := 1.0
	for _, u := range units {
		if float64(max)/div < 1000 || u == "TB" {
			return u, div
		}
		div *= 1000
	}
	return "B", 1
}

// chartNumber writes a value in the chart's unit with at most two decimals.
func chartNumber(n int64, div float64) string {
	return strconv.FormatFloat(float64(int64(float64(n)/div*100+0.5))/100, 'f', -1, 64)
}

// chartList writes a Mermaid list of values.
func chartList(vs []int64, div float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = chartNumber(v, div)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// chartAxis writes a Mermaid list of labels.
func chartAxis(labels []string) string {
	return `["` + strings.Join(labels, `", "`) + `"]`
}

// writeMermaidLayers writes the chart of an analysis: per layer, its file
// bytes as a red bar and the bytes kept in the final image as a blue bar
// over it, so that the red part showing is what the layer wastes.
func writeMermaidLayers(w *errWriter, layers []analyzer.Layer) {
	if len(layers) == 0 {
		return
	}
	var totals, kept []int64
	var labels []string
	var max int64
	for _, l := range layers {
		totals = append(totals, l.SizeBytes)
		kept = append(kept, l.SizeBytes-l.WastedBytes)
		labels = append(labels, fmt.Sprintf("L%d", l.Index))
		max = maxInt64(max, l.SizeBytes)
	}
	unit, div := chartUnit(max)
	w.printf("```mermaid\n")
	w.printf("%%%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#c0392b, #4e79a7\"}}}}%%%%\n")
	w.printf("xychart-beta\n")
	w.printf("    title \"Bytes per layer (%s): kept in blue, wasted in red\"\n", unit)
	w.printf("    x-axis %s\n", chartAxis(labels))
	w.printf("    y-axis \"%s\" 0 --> %s\n", unit, chartNumber(max, div))
	w.printf("    bar %s\n", chartList(totals, div))
	w.printf("    bar %s\n", chartList(kept, div))
	w.printf("```\n\n")
}

// writeMermaidPairs writes the chart of a comparison: per aligned layer,
// NEW's file bytes as bars and OLD's as a line.
func writeMermaidPairs(w *errWriter, pairs []compare.LayerPair) {
	if len(pairs) == 0 {
		return
	}
	var olds, news []int64
	var labels []string
	var max int64
	for _, p := range pairs {
		var o, n int64
		var label string
		if p.Old != nil {
			o = p.Old.SizeBytes
		}
		if p.New != nil {
			n = p.New.SizeBytes
			label = fmt.Sprintf("L%d", p.New.Index)
		} else {
			label = fmt.Sprintf("OLD L%d", p.Old.Index)
		}
		olds, news, labels = append(olds, o), append(news, n), append(labels, label)
		max = maxInt64(max, maxInt64(o, n))
	}
	unit, div := chartUnit(max)
	w.printf("```mermaid\n")
	w.printf("%%%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#4e79a7, #c0392b\"}}}}%%%%\n")
	w.printf("xychart-beta\n")
	w.printf("    title \"Bytes per layer (%s): NEW as bars, OLD as the red line\"\n", unit)
	w.printf("    x-axis %s\n", chartAxis(labels))
	w.printf("    y-axis \"%s\" 0 --> %s\n", unit, chartNumber(max, div))
	w.printf("    bar %s\n", chartList(news, div))
	w.printf("    line %s\n", chartList(olds, div))
	w.printf("```\n\n")
}

func maxInt64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
