package analyzer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// fuzzReports runs the whole analysis and both reports on img: whatever the
// input, an error or an analysis whose invariants hold and whose reports
// are safe.
func fuzzReports(t *testing.T, img *source.Image) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := analyzer.Analyze(ctx, img)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error message")
		}
		return
	}
	checkInvariants(t, a)
	checkReports(t, a)
}

// FuzzAnalyzeLayers analyses a two-layer image whose stored layer blobs are
// the fuzzer's bytes: the walk, the merge of whiteouts and opaque markers
// across layers, the metrics, the rules and the reports.
func FuzzAnalyzeLayers(f *testing.F) {
	for _, c := range fixtures.Cases() {
		var raws [][]byte
		for _, l := range c.Image.Layers {
			if l.EmptyLayer {
				continue
			}
			raw, err := fixtures.LayerTar(l.Entries)
			if err != nil {
				f.Fatal(err)
			}
			raws = append(raws, raw)
		}
		for len(raws) < 2 {
			raws = append(raws, nil)
		}
		f.Add(raws[0], raws[len(raws)-1])
	}
	f.Fuzz(func(t *testing.T, l1, l2 []byte) {
		fuzzReports(t, imageOf(t, bytesLayer("l1", l1), bytesLayer("l2", l2)))
	})
}

// FuzzAnalyzeConfig analyses a one-layer image whose configuration is the
// fuzzer's JSON (its diff_ids forced to match the layer): history matching,
// the configuration rules, secret masking and the reports.
func FuzzAnalyzeConfig(f *testing.F) {
	demo, err := fixtures.Build(fixtures.DemoImage(), fixtures.Uncompressed)
	if err != nil {
		f.Fatal(err)
	}
	if raw, err := demo.RawConfigFile(); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(`{"history":[{"created_by":"RUN a","empty_layer":true},{"created_by":"|1 X=1 /bin/sh -c apt-get update"}],"config":{"Env":["AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","=","X"],"User":"root","Healthcheck":{"Test":["NONE"]},"ExposedPorts":{"22/tcp":{}},"Labels":{"\u001b[2J":"\u0007"}}}`))
	f.Add([]byte(`{"history":[]}`))
	f.Add([]byte(`{}`))
	layer := bytesLayer("cfg", mustTar(f))
	f.Fuzz(func(t *testing.T, config []byte) {
		cfg, err := v1.ParseConfigFile(bytes.NewReader(config))
		if err != nil {
			return
		}
		img := imageOf(t, layer)
		d, _ := layer.DiffID()
		cfg.RootFS = v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{d}}
		withCfg, err := mutate.ConfigFile(img.Image, cfg)
		if err != nil {
			return
		}
		img.Image = withCfg
		fuzzReports(t, img)
	})
}

func mustTar(f *testing.F) []byte {
	raw, err := fixtures.LayerTar([]fixtures.Entry{
		fixtures.Dir("etc/"), fixtures.File("etc/os-release", "ID=debian\n"),
		fixtures.File("var/lib/apt/lists/x", strings.Repeat("p", 100)),
		fixtures.File("app/.env", "TOKEN=ghp_0123456789abcdef0123456789abcdef0123\n"),
	})
	if err != nil {
		f.Fatal(err)
	}
	return raw
}
