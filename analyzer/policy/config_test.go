package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
)

func TestParseStrata(t *testing.T) {
	c, err := policy.ParseStrata([]byte(`# the team's policy
lowest-efficiency: 0.95
highest-wasted-bytes: 20MB
highest-user-wasted-percent: disabled
max-image-bytes: 1.5GiB
max-layers: 30
fail-on: medium
metrics: dive
rules:
  apt-lists: off
  secret-env: critical
ignore-paths:
  - /usr/share/doc/**
  - "*.pyc"
`), ".strata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := policy.Config{
		Path: ".strata.yaml", Format: policy.FormatStrata, Metrics: policy.MetricsDive,
		LowestEfficiency: policy.On(0.95), HighestWastedBytes: policy.On(20_000_000),
		MaxImageBytes: policy.On(1.5 * 1024 * 1024 * 1024), MaxLayers: policy.On(30),
		FailOn: policy.SeverityLimit{Enabled: true, Severity: findings.Medium},
		Rules: map[string]policy.RuleOverride{
			"apt-lists":  {Off: true},
			"secret-env": {Severity: findings.Critical},
		},
		IgnorePaths: []string{"/usr/share/doc/**", "*.pyc"},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("config differs (-want +got):\n%s", diff)
	}
}

func TestParseStrataDefaults(t *testing.T) {
	for _, body := range []string{"", "# nothing\n", "max-layers: 5\n"} {
		c, err := policy.ParseStrata([]byte(body), "x.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if c.LowestEfficiency != policy.On(0.9) || c.HighestUserWastedPercent != policy.On(0.1) ||
			c.HighestWastedBytes.Enabled || !c.FailOn.Enabled || c.FailOn.Severity != findings.High ||
			c.Metrics != policy.MetricsStrata {
			t.Errorf("%q: defaults not applied: %+v", body, c)
		}
	}
}

// TestParseStrataErrors: every unusable configuration names the file, the
// line and the key.
func TestParseStrataErrors(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"unknown key", "lowest-efficiency: 0.9\nmax-layer: 3\n", []string{".strata.yaml:2:", "max-layer", "unknown key", "max-layers"}},
		{"dive's camelCase", "lowestEfficiency: 0.9\n", []string{".strata.yaml:1:", "lowestEfficiency", "did you mean lowest-efficiency"}},
		{"ratio out of range", "\nlowest-efficiency: 1.1\n", []string{".strata.yaml:2:", "lowest-efficiency", "1.1 is out of range"}},
		{"negative ratio", "highest-user-wasted-percent: -0.1\n", []string{"highest-user-wasted-percent", "out of range"}},
		{"not a number", "lowest-efficiency: high\n", []string{"lowest-efficiency", `"high" is not a number`}},
		{"not a size", "highest-wasted-bytes: lots\n", []string{"highest-wasted-bytes", `"lots" is not a size`}},
		{"size of 8 EiB", "highest-wasted-bytes: 8EiB\n", []string{"highest-wasted-bytes", `"8EiB" is too large`}},
		{"size of 9.3 EB", "max-image-bytes: 9.3EB\n", []string{"max-image-bytes", `"9.3EB" is too large`}},
		{"size of 2^64", "max-image-bytes: 18446744073709551616\n", []string{"max-image-bytes", "is too large"}},
		{"negative count", "max-layers: -1\n", []string{"max-layers", "out of range"}},
		{"bad severity", "fail-on: urgent\n", []string{"fail-on", `"urgent"`}},
		{"bad rule setting", "rules:\n  apt-lists: maybe\n", []string{".strata.yaml:2:", "rules.apt-lists", `"maybe"`}},
		{"unknown rule", "rules:\n  no-such-rule: off\n", []string{".strata.yaml:2:", "rules.no-such-rule", "unknown rule"}},
		{"rules not a mapping", "rules: [a]\n", []string{"rules", "mapping"}},
		{"list for a scalar", "max-layers: [1]\n", []string{"max-layers", "single value"}},
		{"bad glob", "ignore-paths: ['/a/[b']\n", []string{"ignore-paths", "bad glob"}},
		{"duplicate key", "max-layers: 1\nmax-layers: 2\n", []string{".strata.yaml:2:", "max-layers", "twice"}},
		{"broken YAML", "max-layers: [1\n", []string{".strata.yaml", "not valid YAML"}},
		{"not a mapping", "- 1\n", []string{".strata.yaml", "mapping"}},
		{"unknown metrics", "metrics: docker\n", []string{"metrics", "strata or dive"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.ParseStrata([]byte(tt.body), ".strata.yaml")
			var ce *policy.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *policy.ConfigError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSetFlagError(t *testing.T) {
	c := policy.Default()
	err := c.Set(policy.KeyMaxLayers, "x")
	if err == nil {
		t.Fatal("want an error")
	}
	ce := &policy.ConfigError{Key: policy.KeyMaxLayers, Err: err}
	if !strings.HasPrefix(ce.Error(), "--max-layers: ") {
		t.Errorf("flag error = %q", ce)
	}
	if err := c.Set("nope", "1"); err == nil {
		t.Error("unknown key accepted")
	}
}

// TestLocate follows the lookup order: --config, ./.strata.yaml,
// $XDG_CONFIG_HOME/strata/config.yaml (~/.config without XDG), ./.dive-ci.
func TestLocate(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	xdg := filepath.Join(home, "xdg")
	write := func(p, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := func(vars map[string]string) policy.Env {
		return policy.Env{Dir: dir, Getenv: func(k string) string { return vars[k] }}
	}
	withXDG := env(map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home})
	noXDG := env(map[string]string{"HOME": home})
	check := func(e policy.Env, explicit, wantPath string, wantFormat policy.Format) {
		t.Helper()
		p, f, err := policy.Locate(explicit, e)
		if err != nil || p != wantPath || f != wantFormat {
			t.Errorf("Locate(%q) = %q, %q, %v; want %q, %q", explicit, p, f, err, wantPath, wantFormat)
		}
	}
	check(withXDG, "", "", policy.FormatDefault)

	dive := filepath.Join(dir, ".dive-ci")
	write(dive, "rules:\n  lowestEfficiency: 0.9\n")
	check(withXDG, "", dive, policy.FormatDive)

	homeCfg := filepath.Join(home, ".config", "strata", "config.yaml")
	write(homeCfg, "max-layers: 3\n")
	check(noXDG, "", homeCfg, policy.FormatStrata)
	check(withXDG, "", dive, policy.FormatDive) // XDG set: ~/.config is not read

	xdgCfg := filepath.Join(xdg, "strata", "config.yaml")
	write(xdgCfg, "max-layers: 3\n")
	check(withXDG, "", xdgCfg, policy.FormatStrata)

	local := filepath.Join(dir, ".strata.yaml")
	write(local, "max-layers: 3\n")
	check(withXDG, "", local, policy.FormatStrata)

	other := filepath.Join(dir, "ci", "policy.yaml")
	write(other, "rules:\n  highest-wasted-bytes: 1MB\n")
	check(withXDG, other, other, policy.FormatDive) // dive's keys under rules:
	write(other, "rules:\n  apt-lists: off\n")
	check(withXDG, other, other, policy.FormatStrata)

	if _, _, err := policy.Locate(filepath.Join(dir, "missing.yaml"), withXDG); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing --config: err = %v", err)
	}
}

func TestDockerfileKey(t *testing.T) {
	tests := []struct {
		yaml string
		want policy.DockerfileConfig
		err  string
	}{
		{yaml: "dockerfile: build/Dockerfile\n", want: policy.DockerfileConfig{Path: filepath.Join("repo", "build", "Dockerfile")}},
		{yaml: "dockerfile:\n  path: /src/Dockerfile\n  target: app\n  build-args:\n    VERSION: \"1.2\"\n",
			want: policy.DockerfileConfig{Path: "/src/Dockerfile", Target: "app", BuildArgs: map[string]string{"VERSION": "1.2"}}},
		{yaml: "dockerfile:\n  target: app\n", err: "no path"},
		{yaml: "dockerfile:\n  path: x\n  stage: app\n", err: `unknown key "stage"`},
	}
	for _, tc := range tests {
		c, err := policy.ParseStrata([]byte(tc.yaml), filepath.Join("repo", ".strata.yaml"))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), ".strata.yaml") {
				t.Errorf("%q: err = %v, want %q naming the file", tc.yaml, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.yaml, err)
		}
		if diff := cmp.Diff(tc.want, c.Dockerfile); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.yaml, diff)
		}
	}
}
