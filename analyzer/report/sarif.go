package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// SARIF 2.1.0 (OASIS): the subset strata writes. Code-scanning services
// (GitHub, GitLab, Azure DevOps) read it.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// sarifRoot is the uriBaseId of paths inside the image's filesystem.
	sarifRoot = "IMAGEROOT"
	// sarifSrcRoot is the uriBaseId of the Dockerfile: the checkout.
	sarifSrcRoot = "%SRCROOT%"
	// sarifFingerprint names strata's finding fingerprint in partialFingerprints.
	sarifFingerprint = "strataFinding/v1"
	// sarifPolicyPrefix prefixes the rule ids of the policy checks.
	sarifPolicyPrefix = "policy/"
	strataURI         = "https://github.com/stratascan/strata"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                `json:"tool"`
	Invocations        []sarifInvocation        `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifact `json:"originalUriBaseIds"`
	Results            []sarifResult            `json:"results"`
	Properties         map[string]any           `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool           `json:"executionSuccessful"`
	Properties          map[string]any `json:"properties,omitempty"`
}

type sarifArtifact struct {
	URI         string     `json:"uri,omitempty"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	BaselineState       string            `json:"baselineState,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               *int           `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine int        `json:"startLine"`
	EndLine   int        `json:"endLine,omitempty"`
	Snippet   *sarifText `json:"snippet,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

// SARIFLevel maps a severity to a SARIF level: critical and high are
// errors, medium a warning, low and info notes.
func SARIFLevel(s findings.Severity) string {
	switch {
	case s >= findings.High:
		return "error"
	case s == findings.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's numeric severity of a rule (0-10).
func securitySeverity(s findings.Severity) string {
	return [...]string{"1.0", "3.0", "5.5", "8.0", "9.5"}[min(max(int(s), 0), int(findings.Critical))]
}

// WriteSARIF writes the findings and the failed checks as a SARIF 2.1.0 log:
// one rule per finding rule (its hint is the help) and per policy check, one
// result per finding, located by the image path and the layer, and one per
// failed check, located at the image.
func WriteSARIF(w io.Writer, a *analyzer.Analysis, r *policy.Result, tool Tool) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "strata", Version: tool.Version, InformationURI: strataURI, Rules: []sarifRule{}}},
		OriginalURIBaseIDs: map[string]sarifArtifact{sarifRoot: {
			URI: "file:///", Description: &sarifText{Text: "The root of the image's filesystem."},
		}},
		Results: []sarifResult{},
		Properties: map[string]any{
			"image": a.Image.Reference, "digest": a.Image.Digest, "platform": a.Image.Platform,
			"policyStatus": string(r.Status), "policyCounts": r.Counts,
		},
	}
	run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, Properties: map[string]any{
		"policy": PolicySource(r.Config), "status": string(r.Status),
	}}}
	index := map[string]int{}
	addRule := func(rule sarifRule) int {
		if i, ok := index[rule.ID]; ok {
			return i
		}
		index[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		return index[rule.ID]
	}

	for _, c := range r.Checks {
		addRule(checkRule(c))
	}
	imageLoc := sarifLogical{Name: a.Image.Reference, FullyQualifiedName: a.Image.Reference, Kind: "resource"}
	for _, c := range r.Checks {
		if c.Status != policy.Fail {
			continue
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: sarifPolicyPrefix + c.Name, RuleIndex: index[sarifPolicyPrefix+c.Name], Kind: "fail", Level: "error",
			Message:   sarifText{Text: fmt.Sprintf("%s failed: %s", c.DisplayName(r.Config.Format), c.Reason)},
			Locations: []sarifLocation{{LogicalLocations: []sarifLogical{imageLoc}}},
			Properties: map[string]any{
				"threshold": c.Threshold, "value": c.Value, "metric": c.Metric,
			},
		})
	}

	for _, rule := range findingRules(r.Findings) {
		addRule(rule)
	}
	for _, f := range r.Findings {
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Kind: "fail", Level: SARIFLevel(f.Severity),
			Message:             sarifText{Text: findingMessage(f.Finding)},
			Locations:           findingLocations(a.Image.Reference, f.Finding, imageLoc),
			PartialFingerprints: map[string]string{sarifFingerprint: f.Fingerprint},
			Properties: map[string]any{
				"severity": f.Severity.String(), "category": string(f.Category), "bytes": f.Bytes,
				"pathCount": max(f.PathCount, len(f.Paths)), "failsPolicy": f.Failing,
			},
		}
		if f.Dockerfile != nil {
			// Code scanning annotates the Dockerfile's lines; the paths in the
			// image stay as related locations.
			res.RelatedLocations = res.Locations
			for i := range res.RelatedLocations {
				id := i + 1
				res.RelatedLocations[i].ID = &id
			}
			res.Locations = []sarifLocation{dockerfileLocation(f.Dockerfile)}
		}
		if r.Baseline != nil {
			res.BaselineState = "new"
			if !f.New {
				res.BaselineState = "unchanged"
			}
		}
		run.Results = append(run.Results, res)
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// checkRule describes a policy check as a SARIF rule.
func checkRule(c policy.Check) sarifRule {
	name := c.DiveName
	if name == "" {
		name = camel(c.Name)
	}
	return sarifRule{
		ID: sarifPolicyPrefix + c.Name, Name: name,
		ShortDescription:     sarifText{Text: c.Title},
		FullDescription:      sarifText{Text: c.Title + " (policy key " + c.Name + ", metric " + c.Metric + ")."},
		Help:                 sarifText{Text: c.Help, Markdown: c.Help},
		HelpURI:              strataURI + "/blob/main/docs/ci.md",
		DefaultConfiguration: sarifRuleConf{Level: "error"},
		Properties:           map[string]any{"tags": []string{"policy", "container-image"}},
	}
}

// findingRules describes each rule that has findings, from its first
// finding, sorted by id.
func findingRules(fs []policy.Finding) []sarifRule {
	seen := map[string]bool{}
	var rules []sarifRule
	for _, f := range fs {
		if seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		// The catalogue's description, else the first finding's.
		desc := findings.Rule{ID: f.Rule, Category: f.Category, Severity: f.Severity, Title: f.Title,
			Hint: f.Hint, References: f.References}
		if r, ok := findings.RuleByID(f.Rule); ok {
			desc = r
		}
		help := desc.Hint
		if help == "" {
			help = desc.Title
		}
		props := map[string]any{
			"tags":              []string{string(desc.Category), "container-image"},
			"category":          string(desc.Category),
			"precision":         "high",
			"security-severity": securitySeverity(desc.Severity),
		}
		if len(desc.References) > 0 {
			props["references"] = desc.References
		}
		full := desc.Title
		if len(desc.References) > 0 {
			full += " (see " + strings.Join(desc.References, ", ") + ")"
		}
		rules = append(rules, sarifRule{
			ID: f.Rule, Name: camel(f.Rule),
			ShortDescription:     sarifText{Text: desc.Title},
			FullDescription:      sarifText{Text: full},
			Help:                 sarifText{Text: help, Markdown: help},
			HelpURI:              strataURI + "/blob/main/docs/rules.md#" + f.Rule,
			DefaultConfiguration: sarifRuleConf{Level: SARIFLevel(desc.Severity)},
			Properties:           props,
		})
	}
	slices.SortFunc(rules, func(a, b sarifRule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}

// findingMessage is a finding's result message: what, where, and the fix.
func findingMessage(f findings.Finding) string {
	var b strings.Builder
	b.WriteString(f.Title)
	fmt.Fprintf(&b, " (%s", FindingWhere(f, 120))
	if f.Bytes > 0 {
		fmt.Fprintf(&b, ", %s", termtext.Bytes(f.Bytes))
	}
	b.WriteString(").")
	if f.Evidence != "" {
		fmt.Fprintf(&b, " Evidence: %s.", f.Evidence)
	}
	if f.Hint != "" {
		fmt.Fprintf(&b, " Fix: %s", f.Hint)
	}
	return b.String()
}

// findingLocations locates a finding at each of its paths in the image's
// filesystem, within its layer; a finding without paths is located at the
// layer or the image.
func findingLocations(ref string, f findings.Finding, image sarifLogical) []sarifLocation {
	logical := image
	if f.Layer >= 0 {
		name := fmt.Sprintf("layer %d", f.Layer)
		logical = sarifLogical{Name: name, FullyQualifiedName: ref + "/" + strings.ReplaceAll(name, " ", "/"), Kind: "module"}
	}
	if len(f.Paths) == 0 {
		return []sarifLocation{{LogicalLocations: []sarifLogical{logical}}}
	}
	var locs []sarifLocation
	for _, p := range f.Paths {
		u := (&url.URL{Path: strings.TrimLeft(p, "/")}).EscapedPath()
		if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
			u = "./" + u // not a scheme
		}
		locs = append(locs, sarifLocation{
			PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: u, URIBaseID: sarifRoot}},
			LogicalLocations: []sarifLogical{logical},
		})
	}
	return locs
}

// dockerfileLocation locates a finding at its Dockerfile lines: the path as
// given, relative to the checkout (%SRCROOT%) unless it is absolute.
func dockerfileLocation(d *dockerfile.Location) sarifLocation {
	p := filepath.ToSlash(filepath.Clean(d.Path))
	art := sarifArtifact{URI: (&url.URL{Path: strings.TrimPrefix(p, "./")}).EscapedPath(), URIBaseID: sarifSrcRoot}
	if filepath.IsAbs(d.Path) {
		art = sarifArtifact{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	return sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: art,
		Region: &sarifRegion{StartLine: d.Line, EndLine: max(d.EndLine, d.Line), Snippet: &sarifText{Text: d.Instruction}}}}
}

// camel turns a slug into a PascalCase name ("apt-lists" → "AptLists").
func camel(slug string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' || r == '/' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
