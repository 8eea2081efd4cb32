package analyzer_test

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// checkProgress checks a run's reports: the first, sent before anything is
// read, already carries the total, which is the stored size of the layers
// (want); bytes read and the fraction done never go backwards; the phases
// come in order; the reading ends with every byte of the total read.
func checkProgress(t *testing.T, reports []analyzer.Progress, want int64) {
	t.Helper()
	if len(reports) == 0 {
		t.Fatal("no progress reports")
	}
	first := reports[0]
	if first.Phase != analyzer.PhaseRead || first.ReadBytes != 0 || first.TotalBytes != want {
		t.Errorf("first report %+v, want reading, 0 read, total %d", first, want)
	}
	var phases []analyzer.Phase
	prev := first
	for i, p := range reports {
		if p.TotalBytes != first.TotalBytes {
			t.Errorf("report %d: total %d, the first said %d", i, p.TotalBytes, first.TotalBytes)
		}
		if p.ReadBytes < prev.ReadBytes || p.Fraction() < prev.Fraction() || p.LayersDone < prev.LayersDone {
			t.Errorf("report %d goes backwards: %+v after %+v", i, p, prev)
		}
		if p.ReadBytes > p.TotalBytes && p.TotalBytes > 0 {
			t.Errorf("report %d: %d bytes read of %d", i, p.ReadBytes, p.TotalBytes)
		}
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
			if p.Phase == analyzer.PhaseMerge && (p.ReadBytes != want || p.Fraction() != 1) {
				t.Errorf("reading ended at %d of %d bytes (%.2f)", p.ReadBytes, want, p.Fraction())
			}
		}
		prev = p
	}
	wantPhases := []analyzer.Phase{analyzer.PhaseRead, analyzer.PhaseMerge, analyzer.PhaseRules, analyzer.PhaseDone}
	if diff := cmp.Diff(wantPhases, phases); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
}

// TestProgressTotalKnownFromStart analyses one image from an archive, an
// OCI layout, an in-process registry, the real registry (its layers
// downloaded: the total is the manifest's) and a stream whose producer
// reports its size.
func TestProgressTotalKnownFromStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := fixtures.Cases()[0]
	for _, c2 := range fixtures.Cases() {
		if c2.Name == "many-layers" {
			c = c2
		}
	}
	img, err := fixtures.Build(c.Image, fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	r, err := name.ParseReference(host+"/progress:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "img.tar")
	if err := fixtures.WriteDockerArchive(archive, "progress:1", img); err != nil {
		t.Fatal(err)
	}
	layout := filepath.Join(dir, "layout")
	if err := fixtures.WriteOCILayout(layout, fixtures.OCIRefName, img); err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		want += n
	}
	for _, ref := range []string{"docker-archive:" + archive, "oci:" + layout, "registry://" + host + "/progress:1"} {
		t.Run(ref[:strings.IndexByte(ref, ':')], func(t *testing.T) {
			si, err := source.Open(ctx, ref, source.Options{InsecureRegistries: []string{host}})
			if err != nil {
				t.Fatal(err)
			}
			defer si.Close()
			var reports []analyzer.Progress
			if _, err := analyzer.Analyze(ctx, si, analyzer.WithProgress(func(p analyzer.Progress) { reports = append(reports, p) })); err != nil {
				t.Fatal(err)
			}
			checkProgress(t, reports, want)
		})
	}
	t.Run("real registry", func(t *testing.T) {
		real := realRegistry(t)
		r, err := name.ParseReference(real+"/strata-analyzer/progress:1", name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img); err != nil {
			t.Fatal(err)
		}
		si, err := source.Open(ctx, "registry://"+r.String(), source.Options{InsecureRegistries: []string{real}})
		if err != nil {
			t.Fatal(err)
		}
		defer si.Close()
		var reports []analyzer.Progress
		if _, err := analyzer.Analyze(ctx, si, analyzer.WithProgress(func(p analyzer.Progress) { reports = append(reports, p) })); err != nil {
			t.Fatal(err)
		}
		checkProgress(t, reports, want)
		for i, p := range reports {
			if !p.Downloading {
				t.Fatalf("report %d does not say the layers are downloaded: %+v", i, p)
			}
			if p.Done && p.Read != p.Size {
				t.Errorf("layer %d done after %d bytes downloaded of %d", p.Layer, p.Read, p.Size)
			}
		}
	})
	t.Run("stream", func(t *testing.T) {
		st, err := os.Stat(archive)
		if err != nil {
			t.Fatal(err)
		}
		var reports []analyzer.Progress
		_, simg, err := analyzer.AnalyzeStream(ctx, func(onLayer source.LayerFunc, progress func(int64, int64)) (*source.Image, error) {
			f, err := os.Open(archive)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			// As a daemon's stream: its size reported before the first byte,
			// then the bytes as they arrive.
			progress(0, st.Size())
			return source.OpenArchiveStream(ctx, &countReader{r: f, report: func(n int64) { progress(n, st.Size()) }}, "test", "", source.Options{}, onLayer)
		}, analyzer.WithProgress(func(p analyzer.Progress) { reports = append(reports, p) }))
		if err != nil {
			t.Fatal(err)
		}
		simg.Close()
		checkProgress(t, reports, st.Size())
	})
}

type countReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.report(c.n)
	return n, err
}
