package analyzer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// TestProvenanceDockerfile reads an OCI layout recorded with a BuildKit
// provenance attestation (testdata/provenance: the history of a real
// BuildKit build of analyzer/dockerfile/testdata/multistage/Dockerfile, an
// attestation manifest marked attestation-manifest for the image, and an
// in-toto statement with a SLSA v0.2 predicate that embeds the Dockerfile
// and the build args as BuildKit's mode=max does). Without --dockerfile,
// the history is mapped to the embedded Dockerfile.
func TestProvenanceDockerfile(t *testing.T) {
	ctx := context.Background()
	img, err := source.Open(ctx, filepath.Join("testdata", "provenance"), source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if len(img.Provenance) == 0 {
		t.Fatal("the attestation was not found")
	}
	a, err := analyzer.Analyze(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	d := a.Dockerfile
	if d.From != "provenance" || d.Path != "Dockerfile" || len(d.Warnings) != 0 {
		t.Errorf("dockerfile from %q path %q warnings %q", d.From, d.Path, d.Warnings)
	}
	var got []string
	for _, s := range d.Steps {
		line := 0
		if s.Source != nil {
			line = s.Source.Line
		}
		got = append(got, fmt.Sprintf("L%d %d %s", s.Layer, line, s.Confidence))
	}
	want := []string{"L0 16 base", "L-1 17 exact", "L-1 18 exact", "L-1 19 exact", "L1 20 exact", "L2 21 exact",
		"L-1 23 exact", "L-1 24 exact", "L-1 25 exact"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	for _, f := range a.Findings {
		if f.Rule == "root-user" && (f.Dockerfile == nil || f.Dockerfile.Line != 24) {
			t.Errorf("root-user at %+v, want the USER root line 24", f.Dockerfile)
		}
	}
}
