package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/installed"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// htmlAnalysis is the content of the analysis page.
type htmlAnalysis struct {
	Image    analyzer.ImageInfo
	Summary  []htmlStat
	Dive     []htmlStat
	Policy   *policy.Result
	Layers   []htmlLayer
	MaxBytes int64
	Findings []htmlFinding
	// Suppressed counts the findings the policy dropped.
	Suppressed int
	Files      []fileRow
	FileCount  int
	Wasted     []analyzer.WastedPath
	WastedMore int
	Packages   []installed.Package
	Steps      []findings.Step
	// Dockerfile is the path of the Dockerfile the steps are mapped to.
	Dockerfile string
	Config     []htmlConfig
	Threshold  int64
	Grouped    int
	Rects      int
}

// htmlLayer is a bar of the layer chart and a row of the layer table.
type htmlLayer struct {
	analyzer.Layer
	Kept  int64
	Color string
	// KeptWidth and WastedWidth are the bars' lengths, out of 1000.
	KeptWidth, WastedWidth float64
	// Step is the layer's Dockerfile step, or -1.
	Step int
	// Source is the Dockerfile instruction that made the layer, when the
	// image is mapped to its Dockerfile.
	Source *dockerfile.Location
}

// htmlFinding is a finding on the page.
type htmlFinding struct {
	findings.Finding
	Index   int
	Failing bool
	Old     bool
}

// htmlConfig is one line of the configuration table.
type htmlConfig struct {
	Key    string
	Values []string
}

// analysisData is the JSON the analysis page's script reads.
type analysisData struct {
	Kind      string     `json:"kind"`
	Map       *mapNode   `json:"map"`
	Layers    []mapLayer `json:"layers"`
	Threshold int64      `json:"threshold"`
	Total     int64      `json:"total"`
}

// WriteHTML writes the analysis as one self-contained HTML page: the
// summary, a treemap of the final filesystem coloured by layer with the
// wasted bytes, the layers, the findings, the largest files, the packages
// and the configuration. With r (strata ci) the verdict and the checks
// come first and the findings are the policy's. The page loads nothing:
// its style, script and data are inline, and its Content-Security-Policy
// forbids any request.
func WriteHTML(w io.Writer, a *analyzer.Analysis, r *policy.Result, opts HTMLOptions) error {
	opts.defaults()
	m := buildFSMap(a.Tree, opts.MapBudget)
	v := &htmlAnalysis{
		Image: a.Image, Policy: r, Steps: a.Dockerfile.Steps, Dockerfile: a.Dockerfile.Path, Packages: a.Packages,
		Threshold: m.Threshold, Grouped: m.Grouped, FileCount: a.Summary.FileCount,
	}
	v.Rects = countRects(m.Root) - 1
	s := a.Summary
	v.Summary = []htmlStat{
		{Label: "Image size", Key: "summary.totalBytes", Value: s.TotalBytes, Text: termtext.Bytes(s.TotalBytes), Hint: "Σ of the layers' file bytes (uncompressed)"},
		{Label: "Visible", Key: "summary.visibleBytes", Value: s.VisibleBytes, Text: termtext.Bytes(s.VisibleBytes), Hint: "bytes of the final filesystem"},
		{Label: "Wasted", Key: "summary.wastedBytes", Value: s.WastedBytes, Text: termtext.Bytes(s.WastedBytes), Hint: "bytes hidden or deleted by a later layer", Class: "bad"},
		{Label: "Efficiency", Key: "summary.efficiency", Value: s.Efficiency, Text: termtext.Percent(s.Efficiency), Hint: "visible ÷ size"},
		{Label: "User wasted", Key: "summary.userWastedPercent", Value: s.UserWastedPercent, Text: termtext.Percent(s.UserWastedPercent), Hint: "wasted by your layers ÷ their size"},
		{Label: "Duplicates", Key: "summary.duplicateBytes", Value: s.DuplicateBytes, Text: termtext.Bytes(s.DuplicateBytes), Hint: "identical files at different paths"},
		{Label: "Potential savings", Key: "summary.potentialSavingsBytes", Value: s.PotentialSavingsBytes, Text: termtext.Bytes(s.PotentialSavingsBytes), Hint: "what fixing every finding would remove", Class: "good"},
		{Label: "Optimized size", Key: "summary.estimatedOptimizedBytes", Value: s.EstimatedOptimizedBytes, Text: termtext.Bytes(s.EstimatedOptimizedBytes), Hint: "size once every finding is fixed"},
		{Label: "Files", Key: "summary.fileCount", Value: s.FileCount, Text: fmt.Sprint(s.FileCount), Hint: "entries of the final filesystem"},
		{Label: "Layers", Key: "summary.layerCount", Value: s.LayerCount, Text: fmt.Sprint(s.LayerCount), Hint: fmt.Sprintf("%d counted as the base image", s.BaseLayers)},
	}
	v.Dive = []htmlStat{
		{Label: "Efficiency", Key: "summary.dive.efficiency", Value: s.Dive.Efficiency, Text: termtext.Percent(s.Dive.Efficiency)},
		{Label: "Wasted", Key: "summary.dive.wastedBytes", Value: s.Dive.WastedBytes, Text: termtext.Bytes(s.Dive.WastedBytes)},
		{Label: "User wasted", Key: "summary.dive.userWastedPercent", Value: s.Dive.UserWastedPercent, Text: termtext.Percent(s.Dive.UserWastedPercent)},
	}
	stepOf := map[int]int{}
	sourceOf := map[int]*dockerfile.Location{}
	for _, st := range a.Dockerfile.Steps {
		if st.Layer >= 0 {
			stepOf[st.Layer] = st.Index
			sourceOf[st.Layer] = st.Source
		}
	}
	data := analysisData{Kind: "analysis", Map: m.Root, Threshold: m.Threshold, Total: m.Root.total()}
	for _, l := range a.Layers {
		v.MaxBytes = max(v.MaxBytes, l.SizeBytes)
	}
	for _, l := range a.Layers {
		step, ok := stepOf[l.Index]
		if !ok {
			step = -1
		}
		hl := htmlLayer{Layer: l, Kept: l.SizeBytes - l.WastedBytes, Color: layerColor(l.Index), Step: step, Source: sourceOf[l.Index]}
		if v.MaxBytes > 0 {
			hl.KeptWidth = float64(hl.Kept) / float64(v.MaxBytes) * 600
			hl.WastedWidth = float64(l.WastedBytes) / float64(v.MaxBytes) * 600
		}
		v.Layers = append(v.Layers, hl)
		data.Layers = append(data.Layers, mapLayer{Index: l.Index, Command: termtext.OneLine(l.Command, 0), Color: hl.Color, Step: step, Source: locationText(hl.Source)})
	}
	if r != nil {
		for i, f := range r.Findings {
			v.Findings = append(v.Findings, htmlFinding{Finding: f.Finding, Index: i, Failing: f.Failing, Old: !f.New})
		}
		v.Suppressed = r.Suppressed
	} else {
		for i, f := range a.Findings {
			v.Findings = append(v.Findings, htmlFinding{Finding: f, Index: i})
		}
	}
	v.Files = largestFiles(a.Tree, opts.TopFiles)
	const topWasted = 200
	v.Wasted = a.Wasted
	if len(v.Wasted) > topWasted {
		v.Wasted, v.WastedMore = v.Wasted[:topWasted], len(v.Wasted)-topWasted
	}
	v.Config = configRows(a.Image.Config)
	title := "strata: " + termtext.OneLine(a.Image.Reference, 0)
	return writePage(w, htmlPage{Title: title, Tool: opts.Tool, Analysis: v}, data)
}

// locationText names a Dockerfile instruction as DockerfileLine does, or
// "" when the line is unknown.
func locationText(l *dockerfile.Location) string {
	if l == nil || l.Line <= 0 {
		return ""
	}
	return DockerfileLine(l)
}

// countRects counts the rectangles of a treemap.
func countRects(n *mapNode) int {
	c := 1
	for _, k := range n.Kids {
		c += countRects(k)
	}
	return c
}

// configRows lists the configuration the page shows, in a fixed order.
func configRows(c analyzer.ConfigSummary) []htmlConfig {
	var out []htmlConfig
	add := func(k string, vs ...string) {
		var keep []string
		for _, v := range vs {
			if v != "" {
				keep = append(keep, v)
			}
		}
		if len(keep) > 0 {
			out = append(out, htmlConfig{Key: k, Values: keep})
		}
	}
	user := c.User
	if user == "" {
		user = "(root)"
	}
	add("User", user)
	add("Created", c.Created)
	add("WorkingDir", c.WorkingDir)
	add("Entrypoint", jsonList(c.Entrypoint))
	add("Cmd", jsonList(c.Cmd))
	add("Shell", jsonList(c.Shell))
	add("Env", c.Env...)
	add("ExposedPorts", c.ExposedPorts...)
	add("Volumes", c.Volumes...)
	var labels []string
	for _, k := range sortedKeys(c.Labels) {
		labels = append(labels, k+"="+c.Labels[k])
	}
	add("Labels", labels...)
	add("Healthcheck", jsonList(c.Healthcheck))
	add("StopSignal", c.StopSignal)
	return out
}

// jsonList shows an exec-form list as the Dockerfile writes it.
func jsonList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
