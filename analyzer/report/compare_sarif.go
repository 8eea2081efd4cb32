package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
)

// sarifGatePrefix prefixes the rule ids of the comparison's gate checks.
const sarifGatePrefix = "diff/"

// WriteComparisonSARIF writes a comparison as SARIF 2.1.0 with OLD as the
// baseline: NEW's new findings are results whose baselineState is "new",
// the findings fixed since OLD are "absent" ones, and each failed gate check
// (max-growth, fail-on-new-findings) is an error on NEW.
func WriteComparisonSARIF(w io.Writer, r *compare.Result, tool Tool) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "strata", Version: tool.Version, InformationURI: strataURI, Rules: []sarifRule{}}},
		OriginalURIBaseIDs: map[string]sarifArtifact{sarifRoot: {
			URI: "file:///", Description: &sarifText{Text: "The root of the image's filesystem."},
		}},
		Results: []sarifResult{},
		Properties: map[string]any{
			"old": r.Old.Reference, "new": r.New.Reference, "oldDigest": r.Old.Digest, "newDigest": r.New.Digest,
			"identical": r.Identical, "gatePassed": r.Gate.Passed,
			"totalBytesDelta": r.Summary.TotalBytes.Delta,
		},
	}
	run.Invocations = []sarifInvocation{{ExecutionSuccessful: true}}
	index := map[string]int{}
	addRule := func(rule sarifRule) {
		if _, ok := index[rule.ID]; !ok {
			index[rule.ID] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		}
	}
	newImage := sarifLogical{Name: r.New.Reference, FullyQualifiedName: r.New.Reference, Kind: "resource"}
	for _, c := range r.Gate.Checks {
		id := sarifGatePrefix + c.Name
		addRule(sarifRule{
			ID: id, Name: camel(c.Name),
			ShortDescription:     sarifText{Text: "Comparison gate: " + c.Name},
			FullDescription:      sarifText{Text: fmt.Sprintf("strata diff --%s: NEW against OLD.", c.Name)},
			Help:                 sarifText{Text: "See docs/diff.md for the gate."},
			HelpURI:              strataURI + "/blob/main/docs/diff.md",
			DefaultConfiguration: sarifRuleConf{Level: "error"},
			Properties:           map[string]any{"tags": []string{"diff", "container-image"}},
		})
		if c.Passed {
			continue
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: id, RuleIndex: index[id], Kind: "fail", Level: "error",
			Message:    sarifText{Text: fmt.Sprintf("%s failed: %s (threshold %s)", c.Name, c.Value, c.Threshold)},
			Locations:  []sarifLocation{{LogicalLocations: []sarifLogical{newImage}}},
			Properties: map[string]any{"threshold": c.Threshold, "value": c.Value},
		})
	}
	var all []policy.Finding
	for _, f := range r.Findings.New {
		all = append(all, policy.Finding{Finding: f})
	}
	for _, f := range r.Findings.Fixed {
		all = append(all, policy.Finding{Finding: f})
	}
	for _, rule := range findingRules(all) {
		addRule(rule)
	}
	add := func(f findings.Finding, ref, state string) {
		image := sarifLogical{Name: ref, FullyQualifiedName: ref, Kind: "resource"}
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Kind: "fail", Level: SARIFLevel(f.Severity),
			Message:             sarifText{Text: findingMessage(f)},
			Locations:           findingLocations(ref, f, image),
			PartialFingerprints: map[string]string{sarifFingerprint: policy.Fingerprint(f)},
			BaselineState:       state,
			Properties: map[string]any{
				"severity": f.Severity.String(), "category": string(f.Category), "bytes": f.Bytes,
				"pathCount": max(f.PathCount, len(f.Paths)), "image": ref,
			},
		})
	}
	for _, f := range r.Findings.New {
		add(f, r.New.Reference, "new")
	}
	for _, f := range r.Findings.Fixed {
		add(f, r.Old.Reference, "absent")
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}
