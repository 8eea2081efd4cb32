package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/glob"
	"github.com/stratascan/strata/analyzer/policy"
)

// configSeeds are configuration files of both formats: the documented
// examples, dive's own file, and shapes YAML parsers trip on.
var configSeeds = []string{
	"lowest-efficiency: 0.95\nhighest-wasted-bytes: 20MB\nhighest-user-wasted-percent: disabled\nmax-image-bytes: 1.5GiB\nmax-layers: 30\nfail-on: medium\nmetrics: dive\nrules:\n  apt-lists: off\n  secret-env: critical\nignore-paths:\n  - /usr/share/doc/**\n  - \"*.pyc\"\n",
	"rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.20\n",
	"rules:\n  lowest-efficiency: disabled\n  highest-wasted-bytes: '1e30'\n  highest-user-wasted-percent: -1\n",
	"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nrules: *c\nignore-paths: *c\n",
	"--- \n...\n---\nmax-layers: 1\n",
	"max-layers: !!binary aGVsbG8=\nfail-on: {a: b}\n",
	"ignore-paths: ['[', '**/**/**', '\\x00']\n",
	"\ufeffmax-layers: 0x10\n",
	"",
}

// checkConfigError requires an error to be a *policy.ConfigError naming the
// file.
func checkConfigError(t *testing.T, err error, file string) {
	t.Helper()
	var ce *policy.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %q is not a *policy.ConfigError", err, err)
	}
	if !strings.Contains(err.Error(), file) {
		t.Fatalf("error %q does not name the file %s", err, file)
	}
}

// FuzzParseStrata feeds arbitrary .strata.yaml files to the loader: a
// configuration or an error naming the file, never a panic or a hang.
func FuzzParseStrata(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := policy.ParseStrata(data, ".strata.yaml")
		if err != nil {
			checkConfigError(t, err, ".strata.yaml")
			return
		}
		for _, g := range c.IgnorePaths {
			glob.MatchPath(g, "/usr/share/doc/x")
		}
		c.RuleOptions()
	})
}

// FuzzParseDive does the same for dive's .dive-ci files.
func FuzzParseDive(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := policy.ParseDive(data, ".dive-ci")
		if err != nil {
			checkConfigError(t, err, ".dive-ci")
		}
	})
}

// FuzzLoad goes through the file: format sniffing, then the parser the
// format calls for, and the baseline reader.
func FuzzLoad(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"schemaVersion":1,"findings":[{"fingerprint":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "policy.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		path, format, err := policy.Locate(p, policy.Env{Dir: t.TempDir()})
		if err != nil {
			checkConfigError(t, err, p)
			return
		}
		if _, err := policy.Load(path, format); err != nil {
			checkConfigError(t, err, p)
		}
		if _, err := policy.ReadBaseline(p); err != nil {
			checkConfigError(t, err, p)
		}
	})
}
