package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/units"
)

// Format says where a configuration came from.
type Format string

// The configuration formats.
const (
	// FormatDefault is the built-in policy, used when no file was found.
	FormatDefault Format = "default"
	// FormatStrata is a .strata.yaml (or $XDG_CONFIG_HOME/strata/config.yaml).
	FormatStrata Format = "strata"
	// FormatDive is dive's .dive-ci, read with dive's meaning.
	FormatDive Format = "dive"
)

// Metrics says which metrics dive's three thresholds are evaluated on.
type Metrics string

// The metric sets.
const (
	// MetricsStrata are strata's own metrics (Summary).
	MetricsStrata Metrics = "strata"
	// MetricsDive are the dive-compatible metrics (Summary.Dive), used for a
	// .dive-ci so that dive's thresholds keep their meaning.
	MetricsDive Metrics = "dive"
)

// The policy keys, as written in .strata.yaml and as flags.
const (
	KeyLowestEfficiency         = "lowest-efficiency"
	KeyHighestWastedBytes       = "highest-wasted-bytes"
	KeyHighestUserWastedPercent = "highest-user-wasted-percent"
	KeyMaxImageBytes            = "max-image-bytes"
	KeyMaxLayers                = "max-layers"
	KeyFailOn                   = "fail-on"
	KeyRules                    = "rules"
	KeyIgnorePaths              = "ignore-paths"
	KeyMetrics                  = "metrics"
	KeyDockerfile               = "dockerfile"
)

// Limit is one threshold: disabled, or a value. Ratios are 0..1, sizes are
// bytes, counts are whole numbers.
type Limit struct {
	Enabled bool
	Value   float64
}

// On returns an enabled limit of value v.
func On(v float64) Limit { return Limit{Enabled: true, Value: v} }

// SeverityLimit is the fail-on gate: disabled, or the lowest severity that
// fails.
type SeverityLimit struct {
	Enabled  bool
	Severity findings.Severity
}

// RuleOverride changes what a rule's findings count for.
type RuleOverride struct {
	// Off drops the rule's findings.
	Off bool
	// Severity replaces the rule's severity when Off is false.
	Severity findings.Severity
}

// Config is a policy: the thresholds, the findings gate, the per-rule
// overrides and the ignored paths.
type Config struct {
	// Path is the file the policy was read from ("" for the built-in one).
	Path string
	// Format says what kind of file it was.
	Format Format
	// Metrics says which metrics dive's three thresholds are evaluated on.
	Metrics Metrics

	LowestEfficiency         Limit
	HighestWastedBytes       Limit
	HighestUserWastedPercent Limit
	MaxImageBytes            Limit
	MaxLayers                Limit
	FailOn                   SeverityLimit

	// Rules maps a rule slug to its override.
	Rules map[string]RuleOverride
	// IgnorePaths are globs (with ** for any number of directories); a
	// finding's paths that match one are dropped, and a finding left with no
	// path is dropped.
	IgnorePaths []string
	// Dockerfile is the Dockerfile that builds the image (findings then
	// point at its lines), as --dockerfile, --target and --build-arg give it.
	Dockerfile DockerfileConfig
}

// DockerfileConfig names the Dockerfile of the image. A relative Path is
// relative to the configuration file's directory.
type DockerfileConfig struct {
	Path      string
	Target    string
	BuildArgs map[string]string
}

// Default returns the built-in policy, used when no file is found: dive's
// defaults (efficiency at least 0.9, user wasted percent at most 0.1, wasted
// bytes not limited) on strata's metrics, and findings of high severity or
// above fail.
func Default() Config {
	return Config{
		Format:                   FormatDefault,
		Metrics:                  MetricsStrata,
		LowestEfficiency:         On(0.9),
		HighestUserWastedPercent: On(0.1),
		FailOn:                   SeverityLimit{Enabled: true, Severity: findings.High},
	}
}

// DiveDefault returns the policy dive applies when its file leaves a rule
// out: efficiency at least 0.9, user wasted percent at most 0.1, wasted bytes
// not limited, on the dive-compatible metrics, and no findings gate (dive has
// none).
func DiveDefault() Config {
	c := Default()
	c.Format = FormatDive
	c.Metrics = MetricsDive
	c.FailOn = SeverityLimit{}
	return c
}

// disabledWords are the values that switch a threshold off, as in dive.
var disabledWords = map[string]bool{"": true, "disabled": true, "off": true, "false": true, "none": true, "null": true, "~": true}

// Disabled reports whether a value switches a threshold off ("disabled",
// "off", "false", "none" or empty).
func Disabled(v string) bool { return disabledWords[strings.ToLower(strings.TrimSpace(v))] }

// ParseRatio reads a ratio between 0 and 1 ("0.9").
func ParseRatio(v string) (Limit, error) {
	if Disabled(v) {
		return Limit{}, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return Limit{}, fmt.Errorf("%q is not a number (want a ratio between 0 and 1, e.g. 0.9, or disabled)", v)
	}
	if f < 0 || f > 1 {
		return Limit{}, fmt.Errorf("%s is out of range (want a ratio between 0 and 1, e.g. 0.9, or disabled)", v)
	}
	return On(f), nil
}

// ParseBytes reads a size: a number of bytes or a humanized size ("20MB",
// "1.5 GiB"), as dive reads them.
func ParseBytes(v string) (Limit, error) {
	if Disabled(v) {
		return Limit{}, nil
	}
	n, err := units.ParseBytes(v)
	if err != nil {
		return Limit{}, fmt.Errorf("%w, or disabled", err)
	}
	return On(float64(n)), nil
}

// ParseCount reads a whole number of 0 or more.
func ParseCount(v string) (Limit, error) {
	if Disabled(v) {
		return Limit{}, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return Limit{}, fmt.Errorf("%q is not a whole number (want a count such as 20, or disabled)", v)
	}
	if n < 0 {
		return Limit{}, fmt.Errorf("%d is out of range (want 0 or more, or disabled)", n)
	}
	return On(float64(n)), nil
}

// ParseFailOn reads a severity (info, low, medium, high, critical) or a
// disabled value.
func ParseFailOn(v string) (SeverityLimit, error) {
	if Disabled(v) {
		return SeverityLimit{}, nil
	}
	s, err := findings.ParseSeverity(v)
	if err != nil {
		return SeverityLimit{}, fmt.Errorf("unknown severity %q (use info, low, medium, high, critical or off)", v)
	}
	return SeverityLimit{Enabled: true, Severity: s}, nil
}

// ParseRuleOverride reads a rule's setting: off, or a severity.
func ParseRuleOverride(v string) (RuleOverride, error) {
	if Disabled(v) {
		return RuleOverride{Off: true}, nil
	}
	s, err := findings.ParseSeverity(v)
	if err != nil {
		return RuleOverride{}, fmt.Errorf("unknown setting %q (use off or a severity: info, low, medium, high, critical)", v)
	}
	return RuleOverride{Severity: s}, nil
}

// RuleOptions returns the rule overrides as options of the rule engine, so
// that the analysis runs its rules with them (analyzer.WithRuleOptions).
func (c Config) RuleOptions() findings.Options {
	o := findings.Options{Severity: map[string]findings.Severity{}, Disabled: map[string]bool{}}
	for id, r := range c.Rules {
		if r.Off {
			o.Disabled[id] = true
		} else {
			o.Severity[id] = r.Severity
		}
	}
	return o
}

// Set sets one scalar policy key from its text form, as a flag or a
// .strata.yaml gives it. Unknown keys are errors.
func (c *Config) Set(key, value string) error {
	var err error
	switch key {
	case KeyLowestEfficiency:
		c.LowestEfficiency, err = ParseRatio(value)
	case KeyHighestWastedBytes:
		c.HighestWastedBytes, err = ParseBytes(value)
	case KeyHighestUserWastedPercent:
		c.HighestUserWastedPercent, err = ParseRatio(value)
	case KeyMaxImageBytes:
		c.MaxImageBytes, err = ParseBytes(value)
	case KeyMaxLayers:
		c.MaxLayers, err = ParseCount(value)
	case KeyFailOn:
		c.FailOn, err = ParseFailOn(value)
	case KeyMetrics:
		switch Metrics(strings.TrimSpace(value)) {
		case MetricsStrata, MetricsDive:
			c.Metrics = Metrics(strings.TrimSpace(value))
		default:
			err = fmt.Errorf("unknown metrics %q (use strata or dive)", value)
		}
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return err
}

// ConfigError is a configuration that cannot be used; it names the file
// (or flag), the line when known, and the key.
type ConfigError struct {
	// File is the configuration file, or "" for a flag.
	File string
	// Line is the 1-based line of the key (0 when unknown).
	Line int
	// Key is the offending key ("rules.apt-lists"), or "" for the whole file.
	Key string
	Err error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		if e.File == "" {
			b.WriteString("--")
		}
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }
