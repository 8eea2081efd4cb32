package fix

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// TestDemoPatch fixes the demo image's Dockerfile from a real analysis: the
// diff and the JSON are golden, and the diff applies with git apply.
func TestDemoPatch(t *testing.T) {
	img, err := fixtures.Build(fixtures.DemoImage(), fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "demo.Dockerfile")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	df, err := dockerfile.Parse("Dockerfile", src, dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "demo", Source: source.DockerArchive}, analyzer.WithDockerfile(df))
	if err != nil {
		t.Fatal(err)
	}
	in := Input{File: df, Mapping: df.Map(a.Config.History, len(a.Layers)), Findings: a.Findings, Tree: a.Tree}
	for _, l := range a.Layers {
		in.LayerBytes = append(in.LayerBytes, l.SizeBytes)
	}
	for _, security := range []bool{false, true} {
		p, err := Make(in, Options{Security: security})
		if err != nil {
			t.Fatal(err)
		}
		name := "demo"
		if security {
			name = "demo-security"
		}
		t.Run(name, func(t *testing.T) {
			var diff bytes.Buffer
			if err := p.WriteDiff(&diff, "Dockerfile"); err != nil {
				t.Fatal(err)
			}
			t.Run("patch", func(t *testing.T) { golden.RequireEqual(t, diff.Bytes()) })
			var js bytes.Buffer
			if err := p.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			t.Run("json", func(t *testing.T) { golden.RequireEqual(t, js.Bytes()) })
			gitApply(t, src, diff.Bytes(), p.Patched)
			if _, err := dockerfile.Parse("Dockerfile", p.Patched, dockerfile.Options{}); err != nil {
				t.Errorf("the patched Dockerfile does not parse: %v\n%s", err, p.Patched)
			}
		})
	}
}

// gitApply applies a patch to src with git apply and checks the result.
func gitApply(t *testing.T, src, patch, want []byte) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fix.patch"), patch, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "apply", "fix.patch")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, patch)
	}
	got, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("git apply gave another file (-want +got):\n%s", diff)
	}
}

// classicHistory writes the history the classic builder records for a
// Dockerfile's last stage: every instruction after FROM, in order.
func classicHistory(f *dockerfile.File) []v1.History {
	h := []v1.History{{CreatedBy: "/bin/sh -c #(nop) ADD file:base in / "}}
	for _, in := range f.Final().Instructions {
		switch in.Keyword {
		case "RUN":
			script := strings.Join(in.Args, " ")
			if len(in.Heredocs) == 1 {
				script = in.Heredocs[0].Content
			}
			h = append(h, v1.History{CreatedBy: "/bin/sh -c " + script})
		case "COPY", "ADD", "WORKDIR":
			h = append(h, v1.History{CreatedBy: "/bin/sh -c #(nop) " + in.Keyword + " file:x in " + in.Expanded[len(in.Expanded)-1]})
		default:
			h = append(h, v1.History{CreatedBy: "/bin/sh -c #(nop)  " + in.Original, EmptyLayer: true})
		}
	}
	return h
}

// TestLayouts edits the right command in && chains, if blocks, heredocs
// and continuations with comment lines, in the author's layout.
func TestLayouts(t *testing.T) {
	tests := []struct {
		name, dockerfile string
		findings         []findings.Finding
		want             string
	}{
		{name: "leading && style, comment inside the continuation",
			dockerfile: "FROM debian\nRUN apt-get update \\\n    # the tools\n    && apt-get install -y curl\nCMD [\"curl\"]\n",
			findings:   []findings.Finding{{Rule: "apt-lists", Category: findings.Cache, Layer: 1, Bytes: 100}},
			want: "FROM debian\nRUN apt-get update \\\n    # the tools\n    && apt-get install --no-install-recommends -y curl \\\n" +
				"    && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n"},
		{name: "trailing && style",
			dockerfile: "FROM debian\nRUN apt-get update && \\\n\tapt-get install -y curl\n",
			findings:   []findings.Finding{{Rule: "apt-cache", Category: findings.Cache, Layer: 1, Bytes: 100}},
			want:       "FROM debian\nRUN apt-get update && \\\n\tapt-get install --no-install-recommends -y curl && \\\n\tapt-get clean\n"},
		{name: "flag on the command inside an if block",
			dockerfile: "FROM python\nRUN if [ -f requirements.txt ]; then pip install -r requirements.txt; fi\n",
			findings:   []findings.Finding{{Rule: "pip-cache", Category: findings.Cache, Layer: 1, Bytes: 100}},
			want:       "FROM python\nRUN if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi\n"},
		{name: "heredoc script: the cleanup on a line of its own",
			dockerfile: "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\nCMD [\"curl\"]\n",
			findings:   []findings.Finding{{Rule: "apt-lists", Category: findings.Cache, Layer: 1, Bytes: 100}},
			want:       "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install --no-install-recommends -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\nCMD [\"curl\"]\n"},
		{name: "apk --no-cache, python -m pip",
			dockerfile: "FROM alpine\nRUN apk add curl && python3 -m pip install flask\n",
			findings: []findings.Finding{{Rule: "apk-cache", Category: findings.Cache, Layer: 1, Bytes: 10},
				{Rule: "pip-cache", Category: findings.Cache, Layer: 1, Bytes: 20}},
			want: "FROM alpine\nRUN apk add --no-cache curl && python3 -m pip install --no-cache-dir flask\n"},
		{name: "npm, dnf",
			dockerfile: "FROM node\nRUN dnf install -y make && npm ci\n",
			findings: []findings.Finding{{Rule: "dnf-cache", Category: findings.Cache, Layer: 1, Bytes: 10},
				{Rule: "npm-cache", Category: findings.Cache, Layer: 1, Bytes: 20}},
			want: "FROM node\nRUN dnf install -y make && npm ci && dnf clean all && npm cache clean --force\n"},
		{name: "update alone merged into the next install, which cleans",
			dockerfile: "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n",
			findings: []findings.Finding{{Rule: "update-alone", Category: findings.Config, Layer: 1},
				{Rule: "apt-lists", Category: findings.Cache, Layer: 1, Bytes: 100}},
			want: "FROM debian\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "a later rm of the lists moves into the RUN that made them",
			dockerfile: "FROM debian\nRUN apt-get update && apt-get install -y curl\nCOPY . /app\nRUN make -C /app && rm -rf /var/lib/apt/lists/*\n",
			findings:   []findings.Finding{{Rule: "apt-lists", Category: findings.Cache, Layer: 1, Bytes: 100}},
			want:       "FROM debian\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nRUN make -C /app\n"},
		{name: "exec-form CMD; shell features left alone",
			dockerfile: "FROM debian\nCMD python3 -m http.server 8000\n",
			findings:   []findings.Finding{{Rule: "shell-form-cmd", Category: findings.Config, Layer: -1, Step: 1}},
			want:       "FROM debian\nCMD [\"python3\", \"-m\", \"http.server\", \"8000\"]\n"},
		{name: "chown -R after COPY",
			dockerfile: "FROM debian\nWORKDIR /srv\nCOPY site/ ./site/\nRUN chown -R www-data:www-data site\n",
			findings:   []findings.Finding{{Rule: "metadata-only-readd", Category: findings.Waste, Layer: 3, Bytes: 100}},
			want:       "FROM debian\nWORKDIR /srv\nCOPY --chown=www-data:www-data site/ ./site/\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := dockerfile.Parse("Dockerfile", []byte(tc.dockerfile), dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			hist := classicHistory(f)
			layers := 0
			for _, h := range hist {
				if !h.EmptyLayer {
					layers++
				}
			}
			m := f.Map(hist, layers)
			for i := range tc.findings {
				fd := &tc.findings[i]
				if fd.Layer >= 0 {
					fd.Step = -1
					if s := m.Layer(fd.Layer); s != nil {
						fd.Dockerfile = s.Location
					}
				} else {
					fd.Dockerfile = m.Steps[fd.Step+0].Location
				}
				if fd.Dockerfile == nil {
					t.Fatalf("finding %s maps to no line: %+v", fd.Rule, m.Steps)
				}
			}
			p, err := Make(Input{File: f, Mapping: m, Findings: tc.findings}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(p.Patched)); diff != "" {
				t.Errorf("patched (-want +got):\n%s\nadvice: %+v", diff, p.Advice)
			}
			var d bytes.Buffer
			if err := p.WriteDiff(&d, "Dockerfile"); err != nil {
				t.Fatal(err)
			}
			gitApply(t, []byte(tc.dockerfile), d.Bytes(), p.Patched)
		})
	}
}
