package dockerfile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// recorded is an image history recorded from a real build of a testdata
// Dockerfile (docker save, then the config's history and layer count).
type recording struct {
	History []v1.History `json:"history"`
	Layers  int          `json:"layers"`
}

func loadRecording(t *testing.T, path string) recording {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r recording
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// got renders a step as "layer line confidence".
func got(s Step) string {
	line := 0
	if s.Location != nil {
		line = s.Location.Line
	}
	return fmt.Sprintf("L%d %d %s", s.Layer, line, s.Confidence)
}

func TestMapRecordedBuilds(t *testing.T) {
	tests := []struct {
		dir, recording, target string
		args                   map[string]string
		want                   []string
		warnings               int
	}{
		{dir: "multistage", recording: "classic.json", want: []string{
			"L0 16 base",     // the imported rootfs: FROM strata-dfw/base:1
			"L-1 17 exact",   // SHELL
			"L-1 18 exact",   // ARG VERSION=2.0
			"L-1 19 exact",   // LABEL version=$VERSION, expanded
			"L1 20 exact",    // COPY --from=builder, recorded as COPY file:<hash> in /usr/local/bin/app
			"L2 21 exact",    // RUN with a continuation, under the SHELL, with its build arg
			"L-1 23 exact",   // EXPOSE
			"L-1 24 exact",   // USER
			"L-1 25 exact"}}, // CMD
		{dir: "multistage", recording: "classic-tools.json", target: "tools", want: []string{
			"L0 3 base",     // FROM ${BASE} AS builder, the global ARG expanded
			"L-1 4 exact",   // ARG
			"L-1 5 exact",   // ENV
			"L1 6 exact",    // WORKDIR $APP_HOME, expanded
			"L2 7 exact",    // COPY
			"L3 8 exact",    // RUN: continuation and a comment line inside it
			"L-1 13 exact",  // ONBUILD, a metadata step of its own
			"L4 14 exact"}}, // RUN of the stage built FROM builder
		{dir: "multistage", recording: "buildkit.json", want: []string{
			"L0 16 base", "L-1 17 exact", "L-1 18 exact", "L-1 19 exact",
			"L1 20 exact",  // COPY --from=builder, recorded as COPY /opt/app/app.bin /usr/local/bin/app
			"L2 21 exact",  // RUN |1 VERSION=2.0 /bin/sh -o pipefail -c … # buildkit
			"L-1 23 exact", // EXPOSE, recorded as EXPOSE map[8080/tcp:{}]
			"L-1 24 exact", "L-1 25 exact"}},
		{dir: "multistage", recording: "buildkit-tools.json", target: "tools", want: []string{
			"L0 3 base", "L-1 4 exact", "L-1 5 exact", "L1 6 exact", "L2 7 exact", "L3 8 exact",
			"L4 14 exact"}}, // this BuildKit records no ONBUILD entry
		{dir: "child", recording: "buildkit.json", want: []string{
			// Without the base's ONBUILD entry the trigger cannot be told from
			// the base image: it is reported as made before the first
			// instruction, not guessed.
			"L0 1 base", "L-1 1 base", "L-1 1 base", "L1 1 base", "L2 1 base", "L3 1 base", "L4 1 base", "L5 1 base",
			"L6 2 exact"}},
		{dir: "child", recording: "classic.json", want: []string{
			"L0 1 base", "L-1 1 base", "L-1 1 base", "L1 1 base", "L2 1 base", "L3 1 base", "L-1 1 base", "L4 1 base",
			"L5 0 none",             // the base image's ONBUILD trigger ran here: no line of this Dockerfile
			"L6 2 exact"}, warnings: 1},
	}
	for _, tc := range tests {
		t.Run(tc.dir+"/"+tc.recording, func(t *testing.T) {
			path := filepath.Join("testdata", tc.dir, "Dockerfile")
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(path, src, Options{Target: tc.target, BuildArgs: tc.args})
			if err != nil {
				t.Fatal(err)
			}
			rec := loadRecording(t, filepath.Join("testdata", tc.dir, tc.recording))
			m := f.Map(rec.History, rec.Layers)
			var steps []string
			for _, s := range m.Steps {
				steps = append(steps, got(s))
			}
			if diff := cmp.Diff(tc.want, steps); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if len(m.Warnings) != tc.warnings {
				t.Errorf("warnings = %q, want %d", m.Warnings, tc.warnings)
			}
		})
	}
}
