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
	"time"

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
	st, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	// The archive's layer blobs, in the image's order.
	opened, err := source.Open(ctx, "docker-archive:"+archive, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	members := opened.LayerMembers()
	opened.Close()
	for _, tt := range []struct {
		name string
		// known: as the blobs of a daemon whose inspection lists the
		// layers' diffIDs and names them by their diffIDs (Podman, Docker
		// 25), each blob's place in the image is known as it arrives.
		known bool
	}{{"stream", false}, {"stream with the layers' order", true}} {
		t.Run(tt.name, func(t *testing.T) {
			var reports []analyzer.Progress
			_, simg, err := analyzer.AnalyzeStream(ctx, func(onLayer source.LayerFunc, progress func(int64, int64)) (*source.Image, error) {
				f, err := os.Open(archive)
				if err != nil {
					return nil, err
				}
				defer f.Close()
				// As a daemon's stream: its size reported before the first
				// byte, then the bytes as they arrive.
				progress(0, st.Size())
				in := &countReader{r: f, report: func(n int64) { progress(n, st.Size()) }}
				return source.OpenArchiveStream(ctx, in, "test", "", source.Options{}, func(l source.StreamLayer, r io.Reader) error {
					if tt.known {
						for i, m := range members {
							if m == l.Member {
								l.Positions = append(l.Positions, i)
							}
						}
						l.Layers = len(members)
					}
					return onLayer(l, r)
				})
			}, analyzer.WithProgress(func(p analyzer.Progress) { reports = append(reports, p) }))
			if err != nil {
				t.Fatal(err)
			}
			simg.Close()
			checkProgress(t, reports, st.Size())
			checkLayerProgress(t, reports, len(members), tt.known)
		})
	}
}

// checkLayerProgress checks a stream's reports of its layers: with known
// positions, the number of layers is said from the first layer's report on,
// each layer's bytes never go backwards, never exceed its size and reach it
// when it is done, and every layer is done before the merge; without, no
// report is about one layer and the number of layers is said from the merge
// on.
func checkLayerProgress(t *testing.T, reports []analyzer.Progress, layers int, known bool) {
	t.Helper()
	read := make([]int64, layers)
	done := make([]bool, layers)
	saidLayers := false
	for i, p := range reports {
		if p.Layer >= 0 {
			if !known {
				t.Fatalf("report %d is about layer %d of a stream whose order is not known before its end: %+v", i, p.Layer, p)
			}
			saidLayers = true
			if p.Read < read[p.Layer] || p.Read > p.Size || done[p.Layer] || p.Done && p.Read != p.Size {
				t.Errorf("report %d: layer %d read %d of %d (done %v) after %d: %+v", i, p.Layer, p.Read, p.Size, done[p.Layer], read[p.Layer], p)
			}
			read[p.Layer], done[p.Layer] = p.Read, p.Done
		}
		if saidLayers && p.Layers != layers {
			t.Errorf("report %d: %d layers, want %d from the first layer's report on", i, p.Layers, layers)
		}
		if p.Phase == analyzer.PhaseMerge {
			if p.Layers != layers || p.LayersDone != layers {
				t.Errorf("merging: %d of %d layers done, want %d", p.LayersDone, p.Layers, layers)
			}
			if known && !saidLayers {
				t.Error("no report was about one layer before the merge")
			}
			for l, d := range done {
				if known && !d {
					t.Errorf("layer %d was never reported done", l)
				}
			}
			break
		}
	}
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

// TestProgressETA estimates from the rate since the first byte came: a
// daemon that took 4 s to start its save stream and then read a quarter of
// it in 2 s has 6 s left, not 18.
func TestProgressETA(t *testing.T) {
	tests := []struct {
		name string
		p    analyzer.Progress
		want time.Duration
		ok   bool
	}{
		{"after a wait", analyzer.Progress{Phase: analyzer.PhaseRead, ReadBytes: 25, TotalBytes: 100, Elapsed: 6 * time.Second, Waited: 4 * time.Second}, 6 * time.Second, true},
		{"no wait", analyzer.Progress{Phase: analyzer.PhaseRead, ReadBytes: 25, TotalBytes: 100, Elapsed: 2 * time.Second}, 6 * time.Second, true},
		{"under a second since the first byte", analyzer.Progress{Phase: analyzer.PhaseRead, ReadBytes: 25, TotalBytes: 100, Elapsed: 4500 * time.Millisecond, Waited: 4 * time.Second}, 0, false},
		{"under 1 %", analyzer.Progress{Phase: analyzer.PhaseRead, ReadBytes: 5, TotalBytes: 1000, Elapsed: 9 * time.Second}, 0, false},
		{"merging", analyzer.Progress{Phase: analyzer.PhaseMerge, ReadBytes: 100, TotalBytes: 100, Elapsed: 9 * time.Second}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.p.ETA()
			if got != tt.want || ok != tt.ok {
				t.Errorf("ETA() = %s, %v; want %s, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
