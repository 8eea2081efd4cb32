package dockerfile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Confidence says how sure a mapping is.
type Confidence string

// The confidences.
const (
	// Exact: the history records the instruction's text (with its ARG and
	// ENV values expanded).
	Exact Confidence = "exact"
	// Probable: the kind and the position agree but the recorded text does
	// not say more (classic COPY records a content hash) or differs (the
	// Dockerfile changed since the build).
	Probable Confidence = "probable"
	// Base: the step comes before the stage's first instruction: the base
	// image named by FROM (or ONBUILD triggers it ran).
	Base Confidence = "base"
	// Unmapped: no instruction of the Dockerfile made the step.
	Unmapped Confidence = "none"
)

// Location is where in the Dockerfile an instruction is.
type Location struct {
	// Path is the Dockerfile's path.
	Path string `json:"path"`
	// Line and EndLine are the instruction's first and last lines.
	Line    int `json:"line"`
	EndLine int `json:"endLine"`
	// Instruction is its first line as written.
	Instruction string `json:"instruction"`
}

// String names the lines the way compilers do: "Dockerfile:7", or
// "Dockerfile:7-9" for an instruction over several lines.
func (l *Location) String() string {
	s := l.Path + ":" + strconv.Itoa(l.Line)
	if l.EndLine > l.Line {
		s += "-" + strconv.Itoa(l.EndLine)
	}
	return s
}

// Step is the mapping of one history entry.
type Step struct {
	// History is the entry's index in the image history; Layer the layer
	// it made, or -1 for a metadata step.
	History int `json:"history"`
	Layer   int `json:"layer"`
	// Location is the instruction that made it (for Base, the FROM line);
	// nil when unmapped.
	Location *Location `json:"location,omitempty"`
	// Stage names the stage of the instruction.
	Stage string `json:"stage,omitempty"`
	// Confidence says how sure the mapping is; Reason explains a mapping
	// that is not exact.
	Confidence Confidence `json:"confidence"`
	Reason     string     `json:"reason,omitempty"`
	// Instruction is the Dockerfile instruction (nil when unmapped).
	Instruction *Instruction `json:"-"`
}

// Mapping is an image history mapped to a Dockerfile.
type Mapping struct {
	// File is the Dockerfile.
	File *File `json:"-"`
	// Steps are the history entries' mappings, in history order.
	Steps []Step `json:"steps"`
	// Warnings say where the image and the Dockerfile disagree.
	Warnings []string `json:"warnings,omitempty"`
	// From says where the Dockerfile came from: "file" or "provenance".
	From string `json:"from"`
}

// expected is one history entry the build made.
type expected struct {
	in      *Instruction
	keyword string
	text    string // normalized text as the builders record it
	// trigger is the ONBUILD instruction whose trigger ran here.
	trigger *Instruction
	// optional entries may be missing (BuildKit records no ARG).
	optional bool
}

// Map maps an image's history (and its layer count) to the Dockerfile.
// Entries are aligned from the newest: the target stage's last instruction
// made the last entry.
func (f *File) Map(hist []v1.History, layers int) *Mapping {
	m := &Mapping{File: f, Steps: make([]Step, len(hist)), From: f.Origin}
	nonEmpty := 0
	for _, h := range hist {
		if !h.EmptyLayer {
			nonEmpty++
		}
	}
	layer := layers - nonEmpty
	for i, h := range hist {
		m.Steps[i] = Step{History: i, Layer: -1, Confidence: Unmapped}
		if !h.EmptyLayer {
			if layer >= 0 {
				m.Steps[i].Layer = layer
			}
			layer++
		}
	}
	exp := f.expected()
	if len(hist)*len(exp) > maxCells {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d history entries and %d instructions are too many to map", len(hist), len(exp)))
		return m
	}
	i := m.align(hist, exp)
	root := f.Chain()[0]
	i = m.triggers(hist, i)
	for ; i >= 0; i-- {
		s := &m.Steps[i]
		s.Confidence, s.Location, s.Stage = Base, f.location(root.From), root.Name
		s.Instruction = root.From
		s.Reason = "made before the first instruction: the base image " + root.Base + " (or ONBUILD triggers it ran)"
	}
	if mis := m.count(Unmapped); mis > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d of %d history entries match no instruction of the Dockerfile", mis, len(hist)))
	}
	return m
}

// maxCells bounds the alignment's table.
const maxCells = 1 << 22

// The alignment's costs: an exact match is free, a probable one costs 1, a
// history entry left unmapped 2, an instruction without an entry 4 (every
// instruction leaves one; only an ARG may not: BuildKit's older releases
// record none). Entries before the first match are the base image's.
const (
	costProbable = 1
	costSkip     = 2
	costMissing  = 4
)

// align aligns the history with the expected entries, the oldest entries
// before the first match being the base image, records the matches and
// returns the index of the newest base entry (-1 when none).
func (m *Mapping) align(hist []v1.History, exp []expected) int {
	n, k := len(hist), len(exp)
	texts := make([]string, n)
	for i, h := range hist {
		texts[i] = FromHistory(h.CreatedBy)
	}
	matchCost := func(i, j int) int {
		kw := Keyword(texts[i])
		if kw == "" || kw != exp[j].keyword {
			return -1
		}
		if exp[j].trigger != nil || exp[j].exact(texts[i]) {
			return 0
		}
		return costProbable
	}
	skipExp := func(j int) int {
		if exp[j].optional {
			return 0
		}
		return costMissing
	}
	// d[i][j]: the cost of aligning hist[:i] with exp[:j].
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, k+1)
	}
	for j := 1; j <= k; j++ {
		d[0][j] = d[0][j-1] + skipExp(j-1)
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= k; j++ {
			best := d[i-1][j] + costSkip
			if c := d[i][j-1] + skipExp(j-1); c < best {
				best = c
			}
			if mc := matchCost(i-1, j-1); mc >= 0 && d[i-1][j-1]+mc <= best {
				best = d[i-1][j-1] + mc
			}
			d[i][j] = best
		}
	}
	i, j := n, k
	for i > 0 && j > 0 {
		if mc := matchCost(i-1, j-1); mc >= 0 && d[i][j] == d[i-1][j-1]+mc {
			m.set(i-1, exp[j-1], texts[i-1])
			i--
			j--
			continue
		}
		if d[i][j] == d[i][j-1]+skipExp(j-1) {
			if !exp[j-1].optional {
				m.Warnings = append(m.Warnings, fmt.Sprintf("%s at line %d has no history entry: the image may not have been built from this Dockerfile", exp[j-1].keyword, exp[j-1].line()))
			}
			j--
			continue
		}
		next := exp[j-1]
		m.Steps[i-1].Reason = fmt.Sprintf("the Dockerfile has no %s here (the next instruction up is %s at line %d)", orText(Keyword(texts[i-1]), texts[i-1]), next.keyword, next.line())
		i--
	}
	for ; j > 0; j-- {
		if !exp[j-1].optional {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s at line %d has no history entry: the image may not have been built from this Dockerfile", exp[j-1].keyword, exp[j-1].line()))
		}
	}
	return i - 1
}

// orText returns k, or a short quote of text when k is "".
func orText(k, text string) string {
	if k != "" {
		return k
	}
	return fmt.Sprintf("%q", clip(text, 40))
}

// exact reports whether the history text is what the builders record for
// the instruction.
func (e expected) exact(got string) bool {
	g := normalize(got)
	switch e.keyword {
	case "ARG":
		return argNames(g) == argNames(e.text)
	case "COPY", "ADD":
		return g == e.text || classicCopyMatches(got, e.in)
	case "EXPOSE":
		// BuildKit records the port set: "EXPOSE map[8080/tcp:{}]".
		return ports(g) == ports(e.text)
	}
	return g == e.text
}

// ports returns the sorted ports of an EXPOSE text, with their protocol.
func ports(s string) string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.TrimPrefix(s, "EXPOSE"), func(r rune) bool {
		return r == ' ' || r == '[' || r == ']' || r == '{' || r == '}'
	}) {
		w = strings.TrimPrefix(strings.TrimSuffix(w, ":"), "map")
		if w == "" {
			continue
		}
		if !strings.Contains(w, "/") {
			w += "/tcp"
		}
		out = append(out, w)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// argNames returns the names an ARG declares.
func argNames(s string) string {
	var names []string
	for _, w := range strings.Fields(s)[1:] {
		k, _, _ := strings.Cut(w, "=")
		names = append(names, k)
	}
	return strings.Join(names, " ")
}

// triggers marks the entries at the top of hist[:i+1] that ran the ONBUILD
// triggers the base image records, and returns the index of the last entry
// left.
func (m *Mapping) triggers(hist []v1.History, i int) int {
	var onbuild []string
	for _, h := range hist[:i+1] {
		if rest, ok := strings.CutPrefix(FromHistory(h.CreatedBy), "ONBUILD "); ok {
			onbuild = append(onbuild, strings.TrimSpace(rest))
		}
	}
	for k := min(len(onbuild), i+1); k > 0; k-- {
		top, trig := hist[i-k+1:i+1], onbuild[len(onbuild)-k:]
		match := true
		for n := range top {
			if normalize(FromHistory(top[n].CreatedBy)) != normalize(trig[n]) && Keyword(FromHistory(top[n].CreatedBy)) != "COPY" &&
				Keyword(FromHistory(top[n].CreatedBy)) != "ADD" || Keyword(FromHistory(top[n].CreatedBy)) != Keyword(trig[n]) {
				match = false
				break
			}
		}
		if match {
			for n := i - k + 1; n <= i; n++ {
				m.Steps[n].Confidence = Unmapped
				m.Steps[n].Reason = "an ONBUILD trigger of the base image (" + clip(onbuild[len(onbuild)-k+n-(i-k+1)], 60) + "): no line of this Dockerfile"
			}
			return i - k
		}
	}
	return i
}

// set records that history entry i is e.
func (m *Mapping) set(i int, e expected, got string) {
	s := &m.Steps[i]
	if e.trigger != nil {
		s.Confidence = Unmapped
		s.Reason = fmt.Sprintf("run by the ONBUILD at line %d of the stage built FROM", e.trigger.Line)
		return
	}
	f := m.File
	s.Location, s.Instruction = f.location(e.in), e.in
	s.Stage = f.Stages[e.in.Stage].Name
	if s.Stage == "" {
		s.Stage = fmt.Sprint(e.in.Stage)
	}
	if e.exact(got) {
		s.Confidence = Exact
		return
	}
	s.Confidence, s.Reason = Probable, "the history records a different text: "+clip(got, 80)
}

// count counts the steps of a confidence.
func (m *Mapping) count(c Confidence) int {
	n := 0
	for _, s := range m.Steps {
		if s.Confidence == c {
			n++
		}
	}
	return n
}

// Layer returns the step that made a layer, or nil.
func (m *Mapping) Layer(l int) *Step {
	if m == nil {
		return nil
	}
	for i := range m.Steps {
		if m.Steps[i].Layer == l {
			return &m.Steps[i]
		}
	}
	return nil
}

// FinalFrom returns the location of the target stage's FROM line, where
// findings about the image as a whole belong.
func (f *File) FinalFrom() *Location { return f.location(f.Final().From) }

// location returns an instruction's location.
func (f *File) location(in *Instruction) *Location {
	first, _, _ := strings.Cut(in.Original, "\n")
	if lines := f.Lines(in.Line, in.Line); len(lines) == 1 {
		first = strings.TrimRight(lines[0], "\r\n")
	}
	return &Location{Path: f.Path, Line: in.Line, EndLine: in.EndLine, Instruction: strings.TrimSpace(first)}
}

// expected lists the history entries the build of the target made, root
// stage first.
func (f *File) expected() []expected {
	var out []expected
	chain := f.Chain()
	for k, s := range chain {
		if k > 0 {
			for _, in := range chain[k-1].Instructions {
				if oc, ok := in.Command.(*instructions.OnbuildCommand); ok {
					kw := strings.ToUpper(strings.Fields(oc.Expression + " x")[0])
					out = append(out, expected{keyword: kw, trigger: in, in: in})
				}
			}
		}
		for _, in := range s.Instructions {
			// BuildKit before v0.10 records neither ARG nor ONBUILD.
			out = append(out, expected{in: in, keyword: in.Keyword, text: recorded(in), optional: in.Keyword == "ARG" || in.Keyword == "ONBUILD"})
		}
	}
	return out
}

func (e expected) line() int { return e.in.Line }

// recorded returns the normalized text the builders record for an
// instruction.
func recorded(in *Instruction) string {
	var b strings.Builder
	b.WriteString(in.Keyword)
	switch c := in.Command.(type) {
	case *instructions.EnvCommand:
		for i, kv := range c.Env {
			fmt.Fprintf(&b, " %s=%s", kv.Key, in.expandedValue(i, kv.Value))
		}
	case *instructions.LabelCommand:
		for i, kv := range c.Labels {
			fmt.Fprintf(&b, " %s=%s", kv.Key, in.expandedValue(i, kv.Value))
		}
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			b.WriteString(" " + kv.String())
		}
	case *instructions.OnbuildCommand:
		b.WriteString(" " + c.Expression)
	case *instructions.RunCommand:
		if len(c.Files) == 1 && len(c.CmdLine) == 1 && parser.MustParseHeredoc(c.CmdLine[0]) != nil {
			// BuildKit runs a lone heredoc's content as the script.
			b.WriteString(" " + c.Files[0].Data)
		} else {
			b.WriteString(" " + strings.Join(c.CmdLine, " "))
		}
	case *instructions.CopyCommand:
		copyText(&b, in, c.Chown, c.Chmod)
	case *instructions.AddCommand:
		copyText(&b, in, c.Chown, c.Chmod)
	case *instructions.CmdCommand:
		b.WriteString(" " + strings.Join(withShell(in, c.CmdLine, c.PrependShell), " "))
	case *instructions.EntrypointCommand:
		b.WriteString(" " + strings.Join(withShell(in, c.CmdLine, c.PrependShell), " "))
	default:
		for _, f := range in.Flags {
			b.WriteString(" " + f)
		}
		for _, a := range in.Expanded {
			b.WriteString(" " + a)
		}
	}
	return normalize(b.String())
}

// copyText writes a COPY or ADD as BuildKit records it: the --chown and
// --chmod flags, then the sources and the destination (no --from).
func copyText(b *strings.Builder, in *Instruction, chown, chmod string) {
	if chown != "" {
		b.WriteString(" --chown=" + chown)
	}
	if chmod != "" {
		b.WriteString(" --chmod=" + chmod)
	}
	for _, a := range in.Expanded {
		b.WriteString(" " + a)
	}
}

// expandedValue returns the expanded value of the i-th key=value of ENV or
// LABEL (the parser lists them as key, value, separator triples).
func (in *Instruction) expandedValue(i int, raw string) string {
	if 3*i+1 < len(in.Expanded) {
		return in.Expanded[3*i+1]
	}
	return raw
}

// withShell prepends the shell to a shell-form CMD or ENTRYPOINT.
func withShell(in *Instruction, cmd []string, prepend bool) []string {
	if !prepend {
		return cmd
	}
	sh := in.Shell
	if sh == nil {
		sh = defaultShell
	}
	return append(append([]string{}, sh...), cmd...)
}

// normalize makes recorded texts comparable: JSON brackets, quotes and
// commas dropped, whitespace collapsed.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '[', ']', '"', ',':
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// classicCopyMatches reports whether a classic builder's "COPY file:<hash>
// in <dest>" has the instruction's destination.
func classicCopyMatches(got string, in *Instruction) bool {
	_, dest, ok := strings.Cut(got, " in ")
	if !ok || len(in.Expanded) == 0 {
		return false
	}
	want := in.Expanded[len(in.Expanded)-1]
	dest = strings.TrimSpace(dest)
	return dest == want || strings.TrimSuffix(dest, "/") == strings.TrimSuffix(want, "/") || want == "." || want == "./"
}

// clip shortens s to n bytes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
