package policy_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/policy"
)

// statuses maps dive's rule names to their outcome.
func statuses(r *policy.Result) map[string]policy.Status {
	m := map[string]policy.Status{}
	for _, c := range r.Checks {
		if c.DiveName != "" {
			m[c.DiveName] = c.Status
		}
	}
	return m
}

// TestDiveThresholds evaluates dive's cases from EXPECTED.md on
// test-docker-image.tar: the outcome of each rule must be dive's.
func TestDiveThresholds(t *testing.T) {
	a := diveTestImage(t)
	const (
		P = policy.Pass
		F = policy.Fail
		S = policy.Skip
	)
	tests := []struct {
		name, file string
		want       map[string]policy.Status
		passed     bool
	}{
		{"all three fail", "rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: 1B\n  highestUserWastedPercent: 0.01\n",
			map[string]policy.Status{"lowestEfficiency": F, "highestWastedBytes": F, "highestUserWastedPercent": F}, false},
		{"all pass", "rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: 50kB\n  highestUserWastedPercent: 0.5\n",
			map[string]policy.Status{"lowestEfficiency": P, "highestWastedBytes": P, "highestUserWastedPercent": P}, true},
		{"only wasted bytes fail", "rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: 1B\n  highestUserWastedPercent: 0.5\n",
			map[string]policy.Status{"lowestEfficiency": P, "highestWastedBytes": F, "highestUserWastedPercent": P}, false},
		{"dive's defaults", "rules: {}\n",
			map[string]policy.Status{"lowestEfficiency": P, "highestWastedBytes": S, "highestUserWastedPercent": F}, false},
		{"kebab-case keys", "rules:\n  lowest-efficiency: 0.99\n  highest-wasted-bytes: 50kB\n  highest-user-wasted-percent: disabled\n",
			map[string]policy.Status{"lowestEfficiency": F, "highestWastedBytes": P, "highestUserWastedPercent": S}, false},
		{"strict comparisons: equal values pass", "rules:\n  highestWastedBytes: 32025\n  highestUserWastedPercent: off\n  lowestEfficiency: false\n",
			map[string]policy.Status{"lowestEfficiency": S, "highestWastedBytes": P, "highestUserWastedPercent": S}, true},
		{"one byte less fails", "rules:\n  highestWastedBytes: 32024\n  highestUserWastedPercent:\n  lowestEfficiency: disabled\n",
			map[string]policy.Status{"lowestEfficiency": S, "highestWastedBytes": F, "highestUserWastedPercent": S}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := policy.ParseDive([]byte(tt.file), ".dive-ci")
			if err != nil {
				t.Fatal(err)
			}
			r := policy.Evaluate(a, c, nil)
			if diff := cmp.Diff(tt.want, statuses(r)); diff != "" {
				t.Errorf("outcomes differ (-want +got):\n%s", diff)
			}
			if r.Passed != tt.passed {
				t.Errorf("passed = %v, want %v", r.Passed, tt.passed)
			}
			for _, ch := range r.Checks {
				if ch.Name == policy.KeyFailOn && ch.Status != policy.Skip {
					t.Errorf("a .dive-ci has no findings gate, got %s", ch.Status)
				}
			}
		})
	}
}

// TestDiveSampleFile reads dive's sample .dive-ci (unknown plugins: key,
// plugin1/rule1 rule, "20Mb") and evaluates it on dive's metrics.
func TestDiveSampleFile(t *testing.T) {
	fx := diveFixtures(t)
	path := filepath.Join(fx, "dive-ci.yaml")
	file, format, err := policy.Locate(path, policy.Env{})
	if err != nil || format != policy.FormatDive || file != path {
		t.Fatalf("Locate(%s) = %q, %q, %v; want the dive format", path, file, format, err)
	}
	c, err := policy.Load(file, format)
	if err != nil {
		t.Fatal(err)
	}
	want := policy.DiveDefault()
	want.Path = path
	want.LowestEfficiency = policy.On(0.95)
	want.HighestWastedBytes = policy.On(20_000_000)
	want.HighestUserWastedPercent = policy.On(0.5)
	if diff := cmp.Diff(want, c); diff != "" {
		t.Fatalf("config differs (-want +got):\n%s", diff)
	}
	r := policy.Evaluate(diveTestImage(t), c, nil)
	if !r.Passed {
		t.Errorf("dive's sample thresholds should pass on its test image: %+v", r.Checks)
	}
	for _, ch := range r.Checks {
		if ch.DiveName == "" {
			continue
		}
		if !strings.HasPrefix(ch.Metric, "summary.dive.") {
			t.Errorf("%s evaluated on %s, want a dive-compatible metric", ch.DiveName, ch.Metric)
		}
	}
}

// TestDiveInvalidValues: values dive refuses are configuration errors that
// name the file and the key.
func TestDiveInvalidValues(t *testing.T) {
	for _, tt := range []struct{ key, value string }{
		{"lowestEfficiency", "1.1"},
		{"highestUserWastedPercent", "-0.1"},
		{"lowestEfficiency", "not_a_number"},
		{"highestWastedBytes", "not_a_size"},
		{"highest-user-wasted-percent", "not_a_number"},
	} {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			_, err := policy.ParseDive([]byte("rules:\n  "+tt.key+": "+tt.value+"\n"), "ci/.dive-ci")
			var ce *policy.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *policy.ConfigError", err)
			}
			msg := err.Error()
			for _, want := range []string{"ci/.dive-ci:2:", "rules." + tt.key, tt.value} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
		})
	}
}

// TestDiveIgnoresUnknownKeys: dive ignores keys it does not know, and so do we.
func TestDiveIgnoresUnknownKeys(t *testing.T) {
	c, err := policy.ParseDive([]byte("plugins: [a]\nci: true\nrules:\n  lowestEfficiency: 0.5\n  plugin1/rule1: error\n  somethingElse: [1, 2]\n"), ".dive-ci")
	if err != nil {
		t.Fatal(err)
	}
	if c.LowestEfficiency != policy.On(0.5) {
		t.Errorf("lowestEfficiency = %+v", c.LowestEfficiency)
	}
	if _, err := policy.ParseDive([]byte("rules: [1]\n"), ".dive-ci"); err == nil {
		t.Error("rules: as a list should be an error")
	}
	if _, err := policy.ParseDive([]byte("rules:\n  lowestEfficiency: [0.9\n"), ".dive-ci"); err == nil || !strings.Contains(err.Error(), ".dive-ci") {
		t.Errorf("broken YAML: err = %v, want one naming the file", err)
	}
}

// TestBaselineThresholds: with a baseline, a threshold it already broke
// passes while the value is no worse, and fails once it is.
func TestBaselineThresholds(t *testing.T) {
	a := diveTestImage(t)
	c, err := policy.ParseDive([]byte("rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: 1B\n  highestUserWastedPercent: 0.01\n"), ".dive-ci")
	if err != nil {
		t.Fatal(err)
	}
	first := policy.Evaluate(a, c, nil)
	if first.Passed {
		t.Fatal("the thresholds should fail without a baseline")
	}
	b := policy.NewBaseline(first, "dive-test")
	second := policy.Evaluate(a, c, b)
	if !second.Passed {
		t.Fatalf("the baseline should accept today's values: %+v", second.Checks)
	}
	for _, ch := range second.Checks {
		if ch.DiveName != "" && (ch.Baseline == nil || !strings.Contains(ch.Reason, "baseline")) {
			t.Errorf("%s: baseline %v, reason %q", ch.DiveName, ch.Baseline, ch.Reason)
		}
	}
	b.Values[policy.KeyHighestWastedBytes] = 100 // the image got worse since
	third := policy.Evaluate(a, c, b)
	if third.Passed || !strings.Contains(third.Checks[1].Reason, "worse than the baseline") {
		t.Errorf("a worse value should fail: %+v", third.Checks[1])
	}
}
