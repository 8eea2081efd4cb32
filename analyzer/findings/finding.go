// Package findings holds strata's rule engine: small, pure rules over the
// merged tree, the layers and the image configuration, each reporting
// problems with their evidence, their cost in bytes and the concrete
// Dockerfile change that fixes them.
package findings

import (
	"fmt"
	"strings"

	"github.com/stratascan/strata/analyzer/dockerfile"
)

// Severity ranks a finding.
type Severity int

// The severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the severity's lower-case name.
func (s Severity) String() string {
	if s >= Info && s <= Critical {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads a severity name (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, strings.TrimSpace(name)) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (use info, low, medium, high or critical)", name)
}

// Category groups rules by the kind of problem.
type Category string

// The categories.
const (
	Waste     Category = "waste"
	Cache     Category = "cache"
	Leftover  Category = "leftover"
	Duplicate Category = "duplicate"
	Secret    Category = "secret"
	Security  Category = "security"
	Config    Category = "config"
)

// Finding is one problem with its evidence and its fix.
type Finding struct {
	// Rule is the stable slug of the rule ("apt-lists").
	Rule string `json:"rule"`
	// Category and Severity classify the finding.
	Category Category `json:"category"`
	Severity Severity `json:"severity"`
	// Title says in one line what is wrong.
	Title string `json:"title"`
	// Layer is the index of the layer that caused it, or -1 when the finding
	// concerns the image as a whole (its configuration, its reference).
	Layer int `json:"layer"`
	// Step is the index of the instruction in the reconstructed Dockerfile
	// (Result.Dockerfile.Steps), or -1 when no instruction is to blame.
	Step int `json:"step"`
	// Instruction is the history instruction of that layer or step, with
	// secret-looking values masked.
	Instruction string `json:"instruction,omitempty"`
	// Dockerfile is the line of the Dockerfile to blame, when the image is
	// mapped to its Dockerfile: the instruction that made the layer or
	// step, or the final stage's FROM for the image as a whole.
	Dockerfile *dockerfile.Location `json:"dockerfile,omitempty"`
	// Paths are a few of the paths involved; PathCount counts all of them.
	Paths     []string `json:"paths,omitempty"`
	PathCount int      `json:"pathCount"`
	// Bytes is what the problem costs (what fixing it would save).
	Bytes int64 `json:"bytes"`
	// Hint is the concrete Dockerfile change that fixes it.
	Hint string `json:"hint"`
	// Evidence is extra detail; for secrets, the kind and a masked preview,
	// never the value.
	Evidence string `json:"evidence,omitempty"`
	// References name linter rules and benchmarks (hadolint DL3009, CIS-DI-0001).
	References []string `json:"references,omitempty"`
}
