package fix

import (
	"cmp"
	"slices"

	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/tree"
)

// Input is what a plan is made from.
type Input struct {
	// File is the Dockerfile and Mapping the image's history mapped to it.
	File    *dockerfile.File
	Mapping *dockerfile.Mapping
	// Findings are the image's findings (with their Dockerfile lines).
	Findings []findings.Finding
	// Tree is the image's merged filesystem (to see which layer deleted
	// a file).
	Tree *tree.Tree
	// LayerBytes are the layers' sizes (regular files), base first.
	LayerBytes []int64
}

// Options choose the fixes.
type Options struct {
	// Security also applies the fixes that can change behaviour (an
	// unprivileged USER).
	Security bool
}

// Plan is the patch and the advice.
type Plan struct {
	// Path is the Dockerfile's path.
	Path string `json:"path"`
	// Hunks are the changes, in file order.
	Hunks []Hunk `json:"hunks"`
	// Advice lists the findings that need a human.
	Advice []Advice `json:"advice"`
	// PredictedSavingsBytes is what the whole patch should remove from the
	// image.
	PredictedSavingsBytes int64 `json:"predictedSavingsBytes"`
	// Original and Patched are the Dockerfile before and after.
	Original []byte `json:"-"`
	Patched  []byte `json:"-"`
}

// Hunk is one change of the patch.
type Hunk struct {
	// Line and EndLine are the changed lines of the original (EndLine <
	// Line for a pure insertion before Line); NewLine and NewEndLine those
	// of the patched file.
	Line       int `json:"line"`
	EndLine    int `json:"endLine"`
	NewLine    int `json:"newLine"`
	NewEndLine int `json:"newEndLine"`
	// Description says what changes.
	Description []string `json:"description"`
	// Findings are the findings it fixes.
	Findings []Ref `json:"findings"`
	// PredictedSavingsBytes is what it should remove from the image.
	PredictedSavingsBytes int64 `json:"predictedSavingsBytes"`
	// Old and New are the lines before and after.
	Old []string `json:"old"`
	New []string `json:"new"`
}

// Ref names a finding.
type Ref struct {
	Rule  string `json:"rule"`
	Layer int    `json:"layer"`
	Bytes int64  `json:"bytes"`
}

// Advice is a finding without a mechanical fix.
type Advice struct {
	Ref
	Title string `json:"title"`
	// Advice says what to do.
	Advice string `json:"advice"`
	// Line and EndLine are the instruction to change (0 when none).
	Line    int `json:"line"`
	EndLine int `json:"endLine"`
	// Why says why it is not patched.
	Why string `json:"why"`
}

// fixer builds a plan.
type fixer struct {
	in    Input
	opts  Options
	src   []byte
	edits []edit
	// fixes are the applied fixes with the findings each accounts for.
	fixes  []applied
	advice []Advice
	// scripts caches the parsed RUN scripts by instruction.
	scripts map[*dockerfile.Instruction]*runScript
	// done marks findings already fixed by another fix (rule/layer).
	done map[Ref]bool
	// appended records the cleanups appended to each RUN, and by which fix.
	appended  map[*runScript]map[string]bool
	appendFix map[*runScript]int
}

// applied is one fix: its primary edit position and its findings.
type applied struct {
	at       int // byte offset of the primary edit
	what     string
	findings []findings.Finding
	// layer, when >= 0, is a layer the fix removes whole, its content
	// made by an earlier instruction instead: the saving is its size.
	layer int
}

// Make builds the plan.
func Make(in Input, opts Options) (*Plan, error) {
	fx := &fixer{in: in, opts: opts, src: in.File.Source, scripts: map[*dockerfile.Instruction]*runScript{}, done: map[Ref]bool{},
		appended: map[*runScript]map[string]bool{}, appendFix: map[*runScript]int{}}
	fs := slices.Clone(in.Findings)
	// Fix in a stable order: by rule precedence, then layer.
	slices.SortStableFunc(fs, func(a, b findings.Finding) int {
		if c := cmp.Compare(order(a.Rule), order(b.Rule)); c != 0 {
			return c
		}
		return cmp.Compare(a.Layer, b.Layer)
	})
	for _, f := range fs {
		fx.fix(f)
	}
	return fx.plan()
}

// order puts the fixes that restructure instructions first, so that the
// cleanups after them land in the merged RUN.
func order(rule string) int {
	switch rule {
	case "update-alone":
		return 0
	case "apt-lists", "apt-cache":
		return 1
	}
	return 2
}

// ref returns a finding's reference.
func ref(f findings.Finding) Ref { return Ref{Rule: f.Rule, Layer: f.Layer, Bytes: f.Bytes} }

// advise lists a finding with its advice.
func (fx *fixer) advise(f findings.Finding, why string) {
	a := Advice{Ref: ref(f), Title: f.Title, Advice: f.Hint, Why: why}
	if f.Dockerfile != nil {
		a.Line, a.EndLine = f.Dockerfile.Line, f.Dockerfile.EndLine
	}
	fx.advice = append(fx.advice, a)
}

// record records an applied fix.
func (fx *fixer) record(at int, what string, fs ...findings.Finding) {
	for _, f := range fs {
		fx.done[ref(f)] = true
	}
	fx.fixes = append(fx.fixes, applied{at: at, what: what, findings: fs, layer: -1})
}

// recordLayer records a fix that removes a whole layer whose content an
// earlier instruction now makes: every finding of that layer goes with it.
func (fx *fixer) recordLayer(at int, what string, layer int, f findings.Finding) {
	fs := []findings.Finding{f}
	for _, g := range fx.in.Findings {
		if g.Layer == layer && ref(g) != ref(f) && !fx.done[ref(g)] && byteRule(g) {
			fs = append(fs, g)
		}
	}
	fx.record(at, what, fs...)
	fx.fixes[len(fx.fixes)-1].layer = layer
}

// markAppended notes that the last recorded fix ended a RUN with cmd.
func (fx *fixer) markAppended(s *runScript, cmd string) {
	if fx.appended[s] == nil {
		fx.appended[s] = map[string]bool{}
	}
	fx.appended[s][cmd] = true
	fx.appendFix[s] = len(fx.fixes) - 1
}

// appendOnce ends a RUN with cmd unless it already does.
func (fx *fixer) appendOnce(s *runScript, cmd string) {
	if cmd == "" || hasCommand(s, cmd) || fx.appended[s][cmd] {
		return
	}
	if e, ok := s.appendCommand(cmd); ok && fx.add(e) {
		if fx.appended[s] == nil {
			fx.appended[s] = map[string]bool{}
		}
		fx.appended[s][cmd] = true
		fx.appendFix[s] = len(fx.fixes) // the fix being recorded
	}
}

// attach adds a finding to the fix that already ended its RUN with the
// cleanup.
func (fx *fixer) attach(s *runScript, f findings.Finding) {
	i := fx.appendFix[s]
	if i >= 0 && i < len(fx.fixes) {
		fx.fixes[i].findings = append(fx.fixes[i].findings, f)
		fx.done[ref(f)] = true
	}
}
