package analyzer_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoUIDependencies keeps the analyzer a pure library: nothing it imports,
// directly or not, may come from the terminal UI or CLI toolkits.
func TestNoUIDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/stratascan/strata/analyzer/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := []string{"github.com/charmbracelet/", "github.com/spf13/cobra", "github.com/spf13/pflag", "github.com/stratascan/strata/ui", "github.com/stratascan/strata/cmd"}
	for _, dep := range strings.Fields(string(out)) {
		for _, b := range banned {
			if strings.HasPrefix(dep, b) {
				t.Errorf("analyzer depends on %s", dep)
			}
		}
	}
}
