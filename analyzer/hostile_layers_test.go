package analyzer_test

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/source"
)

// TestHostileLayerCount analyses images with more layers than 16-bit
// indexes hold: layer 0 adds /f (100 bytes), every layer adds /l/N (1
// byte), the last removes /f. The 100 bytes are wasted, whatever the count.
func TestHostileLayerCount(t *testing.T) {
	// The tree's own test goes to 200,000 layers; here one count past
	// 2^15 goes through the whole analysis.
	for _, n := range []int{32770} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ls := make([]v1.Layer, n)
			for i := range ls {
				hs := []*tar.Header{reg(fmt.Sprintf("l/%d", i), 1)}
				switch i {
				case 0:
					hs = append(hs, reg("f", 100))
				case n - 1:
					hs = append(hs, reg(".wh.f", 0))
				}
				ls[i] = bytesLayer(fmt.Sprint(i), tarOf(t, hs...))
			}
			a, err := analyzeWithin(t, 5*time.Minute, manyLayers(t, ls), analyzer.WithRules(false))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, a)
			s := a.Summary
			if len(a.Layers) != n || s.TotalBytes != int64(n)+100 || s.WastedBytes != 100 || s.VisibleBytes != int64(n) {
				t.Errorf("%d layers: total %d, wasted %d, visible %d; want %d layers, total %d, wasted 100, visible %d",
					len(a.Layers), s.TotalBytes, s.WastedBytes, s.VisibleBytes, n, n+100, n)
			}
		})
	}
}

// stackedImage is an image made of layers, built without mutate.Append,
// whose Layers() costs one lookup per layer (mutate.Append's image costs
// a configuration marshalled per layer, quadratic in the count).
type stackedImage struct {
	manifest, config []byte
	byDigest         map[v1.Hash]v1.Layer
}

func (s *stackedImage) RawConfigFile() ([]byte, error)      { return s.config, nil }
func (s *stackedImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (s *stackedImage) RawManifest() ([]byte, error)        { return s.manifest, nil }
func (s *stackedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	return s.byDigest[h], nil
}

// manyLayers stacks layers into an image ready for analyzer.Analyze.
func manyLayers(t *testing.T, ls []v1.Layer) *source.Image {
	t.Helper()
	return stacked(t, ls, nil)
}

// stacked stacks layers under a given history (nil: one entry per layer).
func stacked(t *testing.T, ls []v1.Layer, hist []v1.History) *source.Image {
	t.Helper()
	cfg := v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers"}}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1}
	s := &stackedImage{byDigest: map[v1.Hash]v1.Layer{}}
	for i, l := range ls {
		d, _ := l.Digest()
		diff, _ := l.DiffID()
		size, _ := l.Size()
		s.byDigest[d] = l
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, diff)
		if hist == nil {
			cfg.History = append(cfg.History, v1.History{CreatedBy: fmt.Sprintf("/bin/sh -c step %d", i)})
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCILayer, Digest: d, Size: size})
	}
	if hist != nil {
		cfg.History = hist
	}
	var err error
	if s.config, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(s.config)), Digest: v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}}
	if s.manifest, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	img, err := partial.CompressedToImage(s)
	if err != nil {
		t.Fatal(err)
	}
	return &source.Image{Image: img, Reference: "hostile", Source: source.OCI, Name: "hostile"}
}

// panicLayer is a layer whose reading panics: a stand-in for a bug in a
// goroutine the analysis starts.
type panicLayer struct{ *blobLayer }

func (panicLayer) Compressed() (io.ReadCloser, error) {
	var m map[string]int
	m["x"]++ //nolint:staticcheck // SA5000: the layer panics on purpose
	return nil, nil
}

// TestPanicIsABug makes code running in the analysis's goroutines panic:
// the analysis returns a *bug.Error with the stack, and the process lives.
func TestPanicIsABug(t *testing.T) {
	ok := bytesLayer("ok", tarOf(t, reg("a", 1)))
	tests := []struct {
		name   string
		layers []v1.Layer
		opts   []analyzer.Option
		value  string
	}{
		{"layer reader", []v1.Layer{ok, panicLayer{bytesLayer("p", nil)}}, nil, "assignment to entry in nil map"},
		{"progress", []v1.Layer{ok}, []analyzer.Option{analyzer.WithProgress(func(p analyzer.Progress) {
			if p.Layer >= 0 { // a layer's report, sent from the goroutine reading it
				panic("progress")
			}
		})}, "progress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := analyzeWithin(t, time.Minute, imageOf(t, tt.layers...), tt.opts...)
			var be *bug.Error
			if !errors.As(err, &be) {
				t.Fatalf("got %v, want a *bug.Error", err)
			}
			if !strings.Contains(err.Error(), tt.value) || !strings.Contains(string(be.Stack), "analyzer.walkLayer") {
				t.Errorf("error %q with stack\n%s", err, be.Stack)
			}
		})
	}
}

// TestHistoryMatched: the reconstructed Dockerfile says the history matched
// only when every layer's command is known, whatever the mismatch.
func TestHistoryMatched(t *testing.T) {
	ls := []v1.Layer{bytesLayer("a", tarOf(t, reg("a", 1))), bytesLayer("b", tarOf(t, reg("b", 1)))}
	run := func(c string) v1.History { return v1.History{CreatedBy: "/bin/sh -c " + c} }
	env := v1.History{CreatedBy: "/bin/sh -c #(nop) ENV A=1", EmptyLayer: true}
	tests := []struct {
		name string
		hist []v1.History
		want bool
	}{
		{"one entry per layer", []v1.History{run("a"), env, run("b")}, true},
		{"one entry more", []v1.History{run("x"), run("a"), run("b")}, false},
		{"two entries more", []v1.History{run("x"), run("y"), run("a"), env, run("b")}, false},
		{"one entry fewer", []v1.History{run("b")}, false},
		{"no history", []v1.History{}, false},
		{"an empty entry", []v1.History{{}, run("b")}, false},
	}
	for _, tt := range tests {
		a, err := analyzeWithin(t, time.Minute, stacked(t, ls, tt.hist))
		if err != nil {
			t.Fatal(err)
		}
		known := true
		for _, l := range a.Layers {
			known = known && l.CommandKnown
		}
		if a.Dockerfile.HistoryMatched != tt.want || (a.Dockerfile.HistoryMatched && !known) {
			t.Errorf("%s: historyMatched %v, every command known %v; want matched %v", tt.name, a.Dockerfile.HistoryMatched, known, tt.want)
		}
	}
}
