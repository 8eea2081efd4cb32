package report

import (
	"encoding/json"
	"io"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/installed"
	"github.com/stratascan/strata/analyzer/policy"
)

// SchemaVersion is the version of the JSON report's schema.
const SchemaVersion = 1

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Document is the JSON report. Field names are stable; see docs/json.md.
type Document struct {
	SchemaVersion int                   `json:"schemaVersion"`
	Tool          Tool                  `json:"tool"`
	Image         analyzer.ImageInfo    `json:"image"`
	Summary       analyzer.Summary      `json:"summary"`
	Layers        []analyzer.Layer      `json:"layers"`
	Wasted        []analyzer.WastedPath `json:"wasted"`
	// Directories are the top-level directories of the final filesystem
	// with their sizes, largest first.
	Directories []Directory `json:"directories"`
	// Findings are the rules' findings, highest severity first.
	Findings []findings.Finding `json:"findings"`
	// Packages is the package inventory of the final filesystem.
	Packages []installed.Package `json:"packages"`
	// Dockerfile is the Dockerfile reconstructed from the history, each
	// step listing the indexes of its findings.
	Dockerfile findings.Dockerfile `json:"dockerfile"`
	// Policy is the evaluated policy, in the report of strata ci.
	Policy *policy.Result `json:"policy,omitempty"`
}

// NewDocument builds the JSON report of an analysis.
func NewDocument(a *analyzer.Analysis, tool Tool) Document {
	d := Document{
		SchemaVersion: SchemaVersion, Tool: tool, Image: a.Image, Summary: a.Summary,
		Layers: a.Layers, Wasted: a.Wasted, Directories: TopDirectories(a.Tree), Findings: a.Findings,
		Packages: a.Packages, Dockerfile: a.Dockerfile,
	}
	if d.Layers == nil {
		d.Layers = []analyzer.Layer{}
	}
	if d.Wasted == nil {
		d.Wasted = []analyzer.WastedPath{}
	}
	if d.Findings == nil {
		d.Findings = []findings.Finding{}
	}
	if d.Packages == nil {
		d.Packages = []installed.Package{}
	}
	if d.Dockerfile.Steps == nil {
		d.Dockerfile.Steps = []findings.Step{}
	}
	return d
}

// WriteJSON writes the JSON report, indented, with a final newline.
func WriteJSON(w io.Writer, a *analyzer.Analysis, tool Tool) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewDocument(a, tool))
}
