package analyzer

import (
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
)

// rulesInput gathers what the rules look at.
func rulesInput(a *Analysis, img *source.Image, base int, contents []*findings.Content, df *dockerfile.File) *findings.Input {
	in := &findings.Input{
		Tree: a.Tree, BaseLayers: base, Config: a.Config, Content: contents,
		Reference: img.Reference, Name: img.Name, Source: string(img.Source),
		Layers: make([]findings.Layer, len(a.Layers)),
	}
	if df == nil && img.Provenance != nil {
		// Without a Dockerfile, the one the build attestation embeds.
		df, _ = dockerfile.FromProvenance(img.Provenance)
	}
	if df != nil && a.Config != nil {
		in.Dockerfile = df.Map(a.Config.History, len(a.Layers))
	}
	for i, l := range a.Layers {
		in.Layers[i] = findings.Layer{Index: i, Command: l.Command, CreatedBy: l.CreatedBy, SizeBytes: l.SizeBytes}
	}
	return in
}

// setRules records what the rules found.
func (a *Analysis) setRules(res findings.Result) {
	a.Findings, a.Packages, a.Dockerfile = res.Findings, res.Packages, res.Dockerfile
	a.Summary.PotentialSavingsBytes = res.PotentialSavingsBytes
	a.Summary.EstimatedOptimizedBytes = a.Summary.TotalBytes - res.PotentialSavingsBytes
}
