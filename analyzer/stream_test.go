package analyzer_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// streamOf opens an archive file as a stream that cannot seek, as a
// daemon's save stream arrives.
func streamOf(t *testing.T, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return struct{ io.Reader }{f}
}

func jsonOf(t *testing.T, a *analyzer.Analysis) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteJSON(&b, a, report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAnalyzeStreamMatchesArchive analyses every fixture case, written as a
// docker archive or an OCI archive in one of the compressions (each pairing
// in turn, so that all are met), once in place and once as a stream read in
// one pass: the JSON reports are identical.
func TestAnalyzeStreamMatchesArchive(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	type form struct {
		f    fixtures.Format
		comp fixtures.Compression
	}
	var forms []form
	for _, f := range []fixtures.Format{fixtures.DockerArchive, fixtures.OCIArchive} {
		for _, comp := range fixtures.Compressions() {
			forms = append(forms, form{f, comp})
		}
	}
	for i, c := range fixtures.Cases() {
		// The first case in every form, the others in one form each.
		for k, fm := range forms {
			if i > 0 && k != i%len(forms) {
				continue
			}
			f, comp := fm.f, fm.comp
			{
				ref, err := fixtures.Write(dir, c.Name+"-"+string(f)+"-"+string(comp), c.Image, f, comp)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(c.Name+"/"+string(f)+"/"+string(comp), func(t *testing.T) {
					img, err := source.Open(ctx, ref, source.Options{})
					if err != nil {
						t.Fatal(err)
					}
					defer img.Close()
					want, err := analyzer.Analyze(ctx, img)
					if err != nil {
						t.Fatal(err)
					}
					path := ref[strings.IndexByte(ref, ':')+1:]
					var reports []analyzer.Progress
					got, simg, err := analyzer.AnalyzeStream(ctx, func(onLayer source.LayerFunc, progress func(int64, int64)) (*source.Image, error) {
						progress(0, 0)
						s, err := source.OpenArchiveStream(ctx, streamOf(t, path), "test stream", "", source.Options{}, onLayer)
						if err != nil {
							return nil, err
						}
						s.Reference, s.Source, s.Name = img.Reference, img.Source, img.Name
						return s, nil
					}, analyzer.WithProgress(func(p analyzer.Progress) { reports = append(reports, p) }))
					if err != nil {
						t.Fatal(err)
					}
					defer simg.Close()
					if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, got)); diff != "" {
						t.Errorf("streamed analysis differs (-in place +streamed):\n%s", diff)
					}
					var phases []analyzer.Phase
					for _, p := range reports {
						if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
							phases = append(phases, p.Phase)
						}
					}
					wantPhases := []analyzer.Phase{analyzer.PhaseRead, analyzer.PhaseMerge, analyzer.PhaseRules, analyzer.PhaseDone}
					if diff := cmp.Diff(wantPhases, phases); diff != "" {
						t.Errorf("phases (-want +got):\n%s", diff)
					}
				})
			}
		}
	}
}
