package analyzer_test

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// countingLayer counts how often its blob is read.
type countingLayer struct {
	v1.Layer
	reads *atomic.Int32
}

func (l countingLayer) Compressed() (io.ReadCloser, error) {
	l.reads.Add(1)
	return l.Layer.Compressed()
}

// TestLayerCacheSharesWalks analyses two versions of an image that share
// their lower layers side by side: each shared layer is read once, and both
// analyses equal those made without the cache.
func TestLayerCacheSharesWalks(t *testing.T) {
	layer := func(entries ...fixtures.Entry) v1.Layer {
		l, err := fixtures.BuildLayer(entries, fixtures.Gzip)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	base := layer(fixtures.Dir("etc/"), fixtures.File("etc/os-release", "ID=test\n"), fixtures.RandomFile("bin/tool", 5000, 1))
	app := layer(fixtures.Dir("app/"), fixtures.RandomFile("app/lib.so", 3000, 2))
	v1Top := layer(fixtures.File("app/main.py", "print(1)\n"))
	v2Top := layer(fixtures.File("app/main.py", "print(2)\n"), fixtures.Whiteout("bin/tool"))

	var reads [4]atomic.Int32
	counted := func(i int, l v1.Layer) v1.Layer { return countingLayer{l, &reads[i]} }
	image := func(ls ...v1.Layer) *source.Image {
		img, err := mutate.AppendLayers(empty.Image, ls...)
		if err != nil {
			t.Fatal(err)
		}
		return &source.Image{Image: img}
	}
	oldImg := image(counted(0, base), counted(1, app), counted(2, v1Top))
	newImg := image(counted(0, base), counted(1, app), counted(3, v2Top))

	ctx := context.Background()
	want := [2]*analyzer.Analysis{}
	for i, img := range []*source.Image{oldImg, newImg} {
		a, err := analyzer.Analyze(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = a
	}
	for i := range reads {
		reads[i].Store(0)
	}

	cache := analyzer.NewLayerCache()
	var got [2]*analyzer.Analysis
	var errs [2]error
	var wg sync.WaitGroup
	for i, img := range []*source.Image{oldImg, newImg} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = analyzer.Analyze(ctx, img, analyzer.WithLayerCache(cache))
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if diff := cmp.Diff(want[i].Summary, got[i].Summary); diff != "" {
			t.Errorf("image %d summary with the cache (-without +with):\n%s", i, diff)
		}
		if diff := cmp.Diff(want[i].Layers, got[i].Layers); diff != "" {
			t.Errorf("image %d layers with the cache (-without +with):\n%s", i, diff)
		}
	}
	for i, wantReads := range []int32{1, 1, 1, 1} {
		if n := reads[i].Load(); n != wantReads {
			t.Errorf("layer %d read %d times, want %d", i, n, wantReads)
		}
	}
}
