package browse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/ui/common"
)

// TestDetailsDockerfileLine: with the image mapped to its Dockerfile, the
// layer details show the instruction line under the layer's command.
func TestDetailsDockerfileLine(t *testing.T) {
	_, img := demo(t)
	src, err := os.ReadFile(filepath.Join("..", "..", "analyzer", "report", "testdata", "demo.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df, err := dockerfile.Parse("Dockerfile", src, dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), img, analyzer.WithDockerfile(df))
	if err != nil {
		t.Fatal(err)
	}
	d := newDetails(a.Layers, common.DefaultKeyMap(), common.DefaultStyles())
	d.SetSize(80, 40)
	d.SetDockerfile(a.Dockerfile)
	for layer, want := range map[int]string{1: "Dockerfile:4  RUN apt-get update", 3: "Dockerfile:6-8  RUN apt-get install -y \\",
		0: "Dockerfile:2  FROM debian:bookworm-slim (base)"} {
		d.SetLayer(layer)
		got := ansi.Strip(strings.Join(d.lines(), "\n"))
		if !strings.Contains(got, "Dockerfile\n"+want) {
			t.Errorf("layer %d details have no %q:\n%s", layer, want, got)
		}
	}
	// Without a Dockerfile, no such line.
	plain := newDetails(a.Layers, common.DefaultKeyMap(), common.DefaultStyles())
	plain.SetSize(80, 40)
	plain.SetLayer(1)
	if got := ansi.Strip(strings.Join(plain.lines(), "\n")); strings.Contains(got, "Dockerfile:") {
		t.Errorf("unmapped details show a Dockerfile line:\n%s", got)
	}
}
