package findings_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// baseCmd is the history of the base layer of every test image.
const baseCmd = "/bin/sh -c #(nop) ADD file:0a1b2c3d4e5f in / "

// baseLayer is a small, clean base layer: accounts, a shell and /tmp.
func baseLayer() fixtures.Layer {
	return fixtures.Layer{CreatedBy: baseCmd, Entries: []fixtures.Entry{
		fixtures.Dir("bin/"),
		fixtures.RandomFile("bin/sh", 3000, 1).WithMode(0o755),
		fixtures.Dir("etc/"),
		fixtures.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/sbin/nologin\n"),
		fixtures.File("etc/group", "root:x:0:\napp:x:10001:\n"),
		fixtures.File("etc/shadow", "root:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n").WithMode(0o640),
		fixtures.Dir("tmp/").WithMode(0o1777),
		fixtures.Dir("root/").WithMode(0o700),
	}}
}

// cleanCfg is an image configuration.
type cleanCfg = v1.Config

// cleanConfig is the configuration of a well-made image: a non-root user,
// a HEALTHCHECK and an exec-form CMD.
func cleanConfig() v1.Config {
	return v1.Config{
		User:        "10001",
		Env:         []string{"PATH=/usr/local/bin:/usr/bin:/bin", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"},
		Cmd:         []string{"/app/server"},
		Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "/app/server", "-health"}},
	}
}

// image returns an image of the base layer followed by layers, with the
// clean configuration.
func image(layers ...fixtures.Layer) fixtures.Image {
	return fixtures.Image{Layers: append([]fixtures.Layer{baseLayer()}, layers...), Config: cleanConfig()}
}

// run returns a RUN layer.
func run(script string, entries ...fixtures.Entry) fixtures.Layer {
	return fixtures.Layer{CreatedBy: "/bin/sh -c " + script, Entries: entries}
}

// copyTo returns a COPY layer.
func copyTo(dest string, entries ...fixtures.Entry) fixtures.Layer {
	return fixtures.Layer{CreatedBy: "/bin/sh -c #(nop) COPY dir:9f8e7d6c in " + dest + " ", Entries: entries}
}

// meta returns a history step that makes no layer (ENV, CMD, USER, ...).
func meta(instr string) fixtures.Layer {
	return fixtures.Layer{CreatedBy: "/bin/sh -c #(nop)  " + instr, EmptyLayer: true}
}

// file is a pseudo-random file of size bytes; seeds keep contents distinct.
func file(name string, size int64) fixtures.Entry {
	seed := uint64(size)*7919 + uint64(len(name))*104729
	for _, c := range name {
		seed = seed*31 + uint64(c)
	}
	return fixtures.RandomFile(name, size, seed)
}

// analyze builds the image and analyses it as ref (a Docker Engine
// reference unless source says otherwise).
func analyze(t *testing.T, im fixtures.Image, ref string, opts ...analyzer.Option) *analyzer.Analysis {
	t.Helper()
	img, err := fixtures.Build(im, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	if ref == "" {
		ref = "example.com/app:1.0"
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: ref, Source: source.Docker}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hit is the part of a finding the rule tables assert.
type hit struct {
	Layer     int
	Paths     []string
	PathCount int
	Bytes     int64
}

// ruleCase is one image and the findings one rule must give on it: a
// trigger (want set) or a false-positive guard (want empty).
type ruleCase struct {
	rule  string
	name  string
	image fixtures.Image
	ref   string
	want  []hit
}

// runCases checks each case: the rule's findings must be exactly want.
func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			if _, ok := findings.RuleByID(tc.rule); !ok {
				t.Fatalf("no rule %q", tc.rule)
			}
			a := analyze(t, tc.image, tc.ref)
			var got []hit
			for _, f := range a.Findings {
				if f.Rule == tc.rule {
					got = append(got, hit{f.Layer, f.Paths, f.PathCount, f.Bytes})
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings of %s (-want +got):\n%s\nall findings: %s", tc.rule, diff, summary(a.Findings))
			}
		})
	}
}

// summary lists findings briefly for failure messages.
func summary(fs []findings.Finding) string {
	s := ""
	for _, f := range fs {
		s += fmt.Sprintf("\n  %s %s layer %d %v %s", f.Severity, f.Rule, f.Layer, f.Paths, f.Evidence)
	}
	return s
}
