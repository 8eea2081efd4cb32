package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// longImage has what makes report lines long: deep paths, long commands,
// names with control characters, a wasted file hidden by a long command.
func longImage(t *testing.T) *analyzer.Analysis {
	t.Helper()
	deep := strings.Repeat("directory-with-a-long-name/", 12) + "file.bin"
	cmd := "/bin/sh -c apt-get update && apt-get install -y " + strings.Repeat("package-name ", 30)
	im := fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: cmd, Entries: []fixtures.Entry{
			fixtures.File(deep, strings.Repeat("x", 50000)),
			fixtures.File("var/lib/apt/lists/"+strings.Repeat("long_", 30)+"Packages", strings.Repeat("p", 40000)),
			fixtures.File("tmp/odd\x1b[31mname\n", "x"),
		}},
		{CreatedBy: "/bin/sh -c rm -rf /" + deep + " && echo " + strings.Repeat("done ", 40), Entries: []fixtures.Entry{
			fixtures.Whiteout(deep),
		}},
	}}
	img, err := fixtures.Build(im, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "registry.example.com/" + strings.Repeat("team/", 15) + "app:1", Source: source.Registry})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestTextWidth: with a width every line fits it, nothing is lost but the
// middle of cut commands and the start of cut paths, and without one the
// report is unchanged.
func TestTextWidth(t *testing.T) {
	for name, a := range map[string]*analyzer.Analysis{"demo": demo(t), "long": longImage(t)} {
		var whole bytes.Buffer
		if err := report.WriteText(&whole, a, report.TextOptions{}); err != nil {
			t.Fatal(err)
		}
		longest := 0
		for _, l := range strings.Split(whole.String(), "\n") {
			longest = max(longest, utf8.RuneCountInString(l))
		}
		if longest <= 80 {
			t.Errorf("%s: the longest whole line has %d columns: the test exercises nothing", name, longest)
		}
		for _, width := range []int{40, 60, 80, 100, 132} {
			var buf bytes.Buffer
			if err := report.WriteText(&buf, a, report.TextOptions{Width: width}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for i, l := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(l); n > width {
					t.Errorf("%s at %d columns: line %d has %d: %q", name, width, i+1, n, l)
				}
			}
			for _, f := range a.Findings {
				if !strings.Contains(out, f.Rule) {
					t.Errorf("%s at %d columns: finding %s is missing", name, width, f.Rule)
				}
				// A hint survives whole: its characters, in order, once the
				// line breaks (and the spaces) are taken out.
				if joined := strings.Join(strings.Fields(out), ""); !strings.Contains(joined, strings.Join(strings.Fields(f.Hint), "")) {
					t.Errorf("%s at %d columns: the fix of %s is cut", name, width, f.Rule)
				}
			}
			if strings.ContainsAny(out, "\x1b\r") {
				t.Errorf("%s at %d columns: a control character reached the report", name, width)
			}
		}
	}
}

// TestTextSeverityAndTop: MinSeverity leaves out the findings below it
// (and their marks in the Dockerfile) and says how many; TopWasted bounds
// the wasted paths, -1 lists them all.
func TestTextSeverityAndTop(t *testing.T) {
	a := demo(t)
	count := func(opts report.TextOptions) (findingsShown, marks, wasted int, text string) {
		var buf bytes.Buffer
		if err := report.WriteText(&buf, a, opts); err != nil {
			t.Fatal(err)
		}
		text = buf.String()
		section := ""
		for _, l := range strings.Split(text, "\n") {
			switch {
			case strings.HasPrefix(l, "Findings"), strings.HasPrefix(l, "Largest wasted"), strings.HasPrefix(l, "Dockerfile"), strings.HasPrefix(l, "Layers:"):
				section = l[:4]
			case section == "Find" && strings.HasPrefix(l, "  ["):
				findingsShown++
			case section == "Dock" && strings.Contains(l, "^ ["):
				marks++
			case section == "Larg" && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "  WASTED"):
				wasted++
			}
		}
		return
	}
	bySeverity := map[findings.Severity]int{}
	for _, f := range a.Findings {
		bySeverity[f.Severity]++
	}
	all, allMarks, _, _ := count(report.TextOptions{})
	if all != len(a.Findings) {
		t.Fatalf("%d findings shown, want %d", all, len(a.Findings))
	}
	for s := findings.Info; s <= findings.Critical; s++ {
		want := 0
		for t := s; t <= findings.Critical; t++ {
			want += bySeverity[t]
		}
		got, marks, _, text := count(report.TextOptions{MinSeverity: s})
		if got != want {
			t.Errorf("MinSeverity %s: %d findings shown, want %d", s, got, want)
		}
		if s > findings.Info && marks >= allMarks && bySeverity[findings.Info] > 0 {
			t.Errorf("MinSeverity %s: %d Dockerfile marks, want fewer than %d", s, marks, allMarks)
		}
		if hidden := len(a.Findings) - want; hidden > 0 && !strings.Contains(text, "below "+s.String()+" not shown") {
			t.Errorf("MinSeverity %s: the report does not say %d findings are not shown", s, hidden)
		}
	}
	for _, top := range []int{1, 3, 10} {
		if _, _, got, _ := count(report.TextOptions{TopWasted: top}); got != min(top, len(a.Wasted)) {
			t.Errorf("TopWasted %d: %d paths, want %d", top, got, min(top, len(a.Wasted)))
		}
	}
	if _, _, got, _ := count(report.TextOptions{TopWasted: -1}); got != len(a.Wasted) || got <= 10 {
		t.Errorf("TopWasted -1: %d paths, want all %d (more than 10)", got, len(a.Wasted))
	}
}

// TestPolicyTextWidth: the gate's text report fits its width too, and
// without one is unchanged (its golden file).
func TestPolicyTextWidth(t *testing.T) {
	a, r := evaluated(t)
	var whole bytes.Buffer
	if err := report.WritePolicyText(&whole, a, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, l := range strings.Split(whole.String(), "\n") {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	if longest <= 80 {
		t.Fatalf("the longest whole line has %d columns: the test exercises nothing", longest)
	}
	for _, width := range []int{50, 80, 120} {
		var buf bytes.Buffer
		if err := report.WritePolicyText(&buf, a, r, report.TextOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(buf.String(), "\n") {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("at %d columns: line %d has %d: %q", width, i+1, n, l)
			}
		}
		if !strings.Contains(buf.String(), "\nFAIL [") && !strings.Contains(buf.String(), "\nPASS [") {
			t.Errorf("at %d columns: the closing verdict line is gone", width)
		}
	}
}
