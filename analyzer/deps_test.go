package analyzer_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/stratascan/strata/"

// deps lists the packages pkgs depend on, directly or not.
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	statSources(t)
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// TestDependencies keeps each room to its contract: the analyzer is a pure
// library (nothing from the terminal UI or CLI toolkits), the comparison
// computes and leaves every writer to report, the UI renders with the
// terminal-text helpers and never with a report writer, the package
// inventory stands on the tree alone, and termtext and bug are leaves.
func TestDependencies(t *testing.T) {
	for _, c := range []struct {
		pkgs    []string
		banned  []string
		allowed []string
	}{
		{
			pkgs:   []string{module + "analyzer/..."},
			banned: []string{"github.com/charmbracelet/", "github.com/spf13/cobra", "github.com/spf13/pflag", module + "ui", module + "cmd"},
		},
		{
			pkgs:    []string{module + "analyzer/compare"},
			banned:  []string{module + "analyzer/report", module + "analyzer/policy"},
			allowed: []string{module + "analyzer/report/termtext"},
		},
		{
			pkgs:    []string{module + "ui/..."},
			banned:  []string{module + "analyzer/report"},
			allowed: []string{module + "analyzer/report/termtext"},
		},
		{
			pkgs:    []string{module + "analyzer/installed"},
			banned:  []string{module},
			allowed: []string{module + "analyzer/installed", module + "analyzer/tree", module + "analyzer/walk", module + "analyzer/bug"},
		},
		{
			pkgs:    []string{module + "analyzer/bug"},
			banned:  []string{module},
			allowed: []string{module + "analyzer/bug"},
		},
		{
			pkgs:    []string{module + "analyzer/report/termtext"},
			banned:  []string{module},
			allowed: []string{module + "analyzer/report/termtext"},
		},
	} {
		for _, dep := range deps(t, c.pkgs...) {
			for _, b := range c.banned {
				if (dep == strings.TrimSuffix(b, "/") || strings.HasPrefix(dep, b)) && !isAllowed(dep, c.allowed) {
					t.Errorf("%s depends on %s", strings.Join(c.pkgs, " "), dep)
				}
			}
		}
	}
}

func isAllowed(dep string, allowed []string) bool {
	for _, a := range allowed {
		if dep == a {
			return true
		}
	}
	return false
}

// statSources stats every Go file and go.mod of the module, so that the test
// cache, which does not see what `go list` reads, reruns the test when an
// import changes.
func statSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") || d.Name() == "go.mod" {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
