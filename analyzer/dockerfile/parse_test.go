package dockerfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// heredocDockerfile has heredocs (a script run by RUN, a file written by
// COPY), COPY --from, build args and a second stage.
const heredocDockerfile = `# syntax=docker/dockerfile:1
ARG GO=1.22
FROM golang:${GO} AS build
RUN <<EOF
set -e
go build -o /out/app .
EOF

FROM alpine:3.20
ARG PORT=8080
COPY --from=build /out/app /usr/local/bin/app
COPY <<EOF /etc/app.conf
port=${PORT}
EOF
RUN --mount=type=cache,target=/root/.cache \
    apk add --no-cache ca-certificates \
 && echo ok
ENV PORT=$PORT
CMD app -port $PORT
`

// TestMapBuildKitFormats maps a history written in BuildKit's formats
// (dockerfile2llb's commitToHistory: "RUN |n A=b /bin/sh -c … # buildkit",
// a lone heredoc run as the script, COPY without --from).
func TestMapBuildKitFormats(t *testing.T) {
	f, err := Parse("Dockerfile", []byte(heredocDockerfile), Options{BuildArgs: map[string]string{"PORT": "9090"}})
	if err != nil {
		t.Fatal(err)
	}
	hist := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:alpine in / "},
		{CreatedBy: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", EmptyLayer: true},
		{CreatedBy: "ARG PORT=9090", EmptyLayer: true},
		{CreatedBy: "COPY /out/app /usr/local/bin/app # buildkit"},
		{CreatedBy: "COPY <<EOF /etc/app.conf # buildkit"},
		{CreatedBy: "RUN |1 PORT=9090 /bin/sh -c apk add --no-cache ca-certificates  && echo ok # buildkit"},
		{CreatedBy: "ENV PORT=9090", EmptyLayer: true},
		{CreatedBy: "CMD [\"/bin/sh\" \"-c\" \"app -port $PORT\"]", EmptyLayer: true},
	}
	m := f.Map(hist, 4)
	var steps []string
	for _, s := range m.Steps {
		steps = append(steps, got(s))
	}
	want := []string{"L0 9 base", "L-1 9 base", "L-1 10 exact", "L1 11 exact", "L2 12 exact", "L3 15 exact", "L-1 18 exact", "L-1 19 exact"}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if l := m.Steps[5].Location; l.EndLine != 17 || l.Instruction != "RUN --mount=type=cache,target=/root/.cache \\" {
		t.Errorf("RUN location = %+v, want lines 15-17", l)
	}
	if l := m.Steps[4].Location; l.Line != 12 || l.EndLine != 14 {
		t.Errorf("COPY heredoc location = %+v, want lines 12-14", l)
	}

	// The build stage's lone heredoc is recorded as its content.
	f, err = Parse("Dockerfile", []byte(heredocDockerfile), Options{Target: "build"})
	if err != nil {
		t.Fatal(err)
	}
	m = f.Map([]v1.History{{CreatedBy: "/bin/sh -c #(nop) ADD file:go in / "},
		{CreatedBy: "RUN /bin/sh -c set -e\ngo build -o /out/app .\n # buildkit"}}, 2)
	if s := m.Steps[1]; got(s) != "L1 4 exact" || s.Location.EndLine != 7 {
		t.Errorf("heredoc RUN = %s %+v, want L1 4 exact, lines 4-7", got(s), s.Location)
	}
}

// TestMapNeverGuesses: entries that match nothing are reported unmapped with
// a reason, changed text is only probable, and instructions with no entry
// are warned about.
func TestMapNeverGuesses(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("FROM base\nRUN make\nUSER app\nCMD [\"/app\"]\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Map([]v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:x in / "},
		{CreatedBy: "/bin/sh -c make all"},
		{CreatedBy: "/bin/sh -c #(nop)  EXPOSE 80", EmptyLayer: true},
		{CreatedBy: "/bin/sh -c #(nop)  CMD [\"/app\"]", EmptyLayer: true},
	}, 2)
	var steps []string
	for _, s := range m.Steps {
		steps = append(steps, got(s))
	}
	want := []string{"L0 1 base", "L1 2 probable", "L-1 0 none", "L-1 4 exact"}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if !strings.Contains(m.Steps[2].Reason, "no EXPOSE here") || !strings.Contains(m.Steps[1].Reason, "make all") {
		t.Errorf("reasons = %q, %q", m.Steps[1].Reason, m.Steps[2].Reason)
	}
	if len(m.Warnings) != 2 || !strings.Contains(m.Warnings[0], "USER at line 3 has no history entry") {
		t.Errorf("warnings = %q", m.Warnings)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, target, want string }{
		{"RUN x\n", "", "no build stage"},
		{"FROM a AS one\nFROM b AS two\n", "three", `no stage named "three" (stages: one, two)`},
		{"FROM a\nCOPY\n", "", "line 2"},
		{"FROM a\nFOO bar\n", "", "unknown instruction"},
	}
	for _, tc := range tests {
		_, err := Parse("Dockerfile", []byte(tc.src), Options{Target: tc.target})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "Dockerfile") {
			t.Errorf("Parse(%q) = %v, want an error naming the file and %q", tc.src, err, tc.want)
		}
	}
}
