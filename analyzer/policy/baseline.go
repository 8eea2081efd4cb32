package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/inputfile"
)

// BaselineVersion is the version of the baseline file's format.
const BaselineVersion = 1

// Baseline records the findings and the checked values of one evaluation,
// so that a later one fails only on what is new.
type Baseline struct {
	SchemaVersion int `json:"schemaVersion"`
	// Image is the image the baseline was written for (informative).
	Image string `json:"image,omitempty"`
	// Metrics says which metrics Values were measured on.
	Metrics Metrics `json:"metrics"`
	// Values holds each threshold check's value, by check name.
	Values map[string]float64 `json:"values"`
	// Findings are the findings accepted, with their fingerprints.
	Findings []BaselineFinding `json:"findings"`
}

// BaselineFinding is one accepted finding. Only Fingerprint is matched; the
// other fields help a reader of the file.
type BaselineFinding struct {
	Fingerprint string            `json:"fingerprint"`
	Rule        string            `json:"rule"`
	Severity    findings.Severity `json:"severity"`
	Instruction string            `json:"instruction,omitempty"`
	Paths       []string          `json:"paths,omitempty"`
	Title       string            `json:"title,omitempty"`
}

// buildContentHash matches the content hashes the legacy builder writes into
// COPY and ADD history ("COPY file:0a1b…64 in /app"), which change whenever
// the copied content does.
var buildContentHash = regexp.MustCompile(`\b(file|dir|multi):[0-9a-f]{64}\b`)

// Fingerprint identifies a finding across rebuilds of the same Dockerfile:
// a hash of its rule, its layer's instruction (whitespace normalised, build
// content hashes dropped) and its sorted paths. It leaves out the layer
// index and the bytes, which change when an earlier layer is added or a file
// grows.
func Fingerprint(f findings.Finding) string {
	h := sha256.New()
	fmt.Fprintf(h, "strata-finding-v1\x00%s\x00%s\x00", f.Rule, normalizeInstruction(f.Instruction))
	paths := slices.Clone(f.Paths)
	slices.Sort(paths)
	for _, p := range paths {
		fmt.Fprintf(h, "%s\x00", p)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// normalizeInstruction makes an instruction comparable across builders and
// rebuilds.
func normalizeInstruction(s string) string {
	s = findings.Instruction(s)
	s = buildContentHash.ReplaceAllString(s, "$1:*")
	return strings.Join(strings.Fields(s), " ")
}

// NewBaseline records an evaluation's findings and values.
func NewBaseline(r *Result, image string) *Baseline {
	b := &Baseline{SchemaVersion: BaselineVersion, Image: image, Metrics: r.Config.Metrics,
		Values: map[string]float64{}, Findings: []BaselineFinding{}}
	for _, c := range r.Checks {
		if c.measured {
			b.Values[c.Name] = c.raw
		}
	}
	for _, f := range r.Findings {
		b.Findings = append(b.Findings, BaselineFinding{
			Fingerprint: f.Fingerprint, Rule: f.Rule, Severity: f.Severity,
			Instruction: f.Instruction, Paths: f.Paths, Title: f.Title,
		})
	}
	slices.SortStableFunc(b.Findings, func(x, y BaselineFinding) int {
		return strings.Compare(x.Rule+"\x00"+x.Fingerprint, y.Rule+"\x00"+y.Fingerprint)
	})
	return b
}

// Write writes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// ReadBaseline reads a baseline file.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := inputfile.ReadFile(path, inputfile.MaxMetadata)
	if err != nil {
		return nil, &ConfigError{File: path, Err: fmt.Errorf("cannot read the baseline: %w", unwrapPath(err))}
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, &ConfigError{File: path, Err: fmt.Errorf("not a strata baseline: %w", err)}
	}
	if b.SchemaVersion != BaselineVersion {
		return nil, &ConfigError{File: path, Key: "schemaVersion",
			Err: fmt.Errorf("unsupported baseline version %d (want %d; write it again with --write-baseline)", b.SchemaVersion, BaselineVersion)}
	}
	for i, f := range b.Findings {
		if f.Fingerprint == "" {
			return nil, &ConfigError{File: path, Key: fmt.Sprintf("findings[%d].fingerprint", i), Err: errors.New("missing")}
		}
	}
	return &b, nil
}

// known counts each fingerprint of the baseline.
func (b *Baseline) known() map[string]int {
	m := map[string]int{}
	if b != nil {
		for _, f := range b.Findings {
			m[f.Fingerprint]++
		}
	}
	return m
}
