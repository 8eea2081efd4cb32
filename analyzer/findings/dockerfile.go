package findings

import (
	"fmt"

	"github.com/stratascan/strata/analyzer/dockerfile"
)

// Dockerfile is the image's Dockerfile reconstructed from its history: one
// step per history entry, with the findings attached to the step that
// caused them. Stage boundaries and the base image's name are not recorded
// in an image, so the base image shows as its own steps.
type Dockerfile struct {
	// Steps are the instructions, oldest first.
	Steps []Step `json:"steps"`
	// HistoryMatched is false when the history does not match the layers
	// (then layers are matched to history entries from the newest down).
	HistoryMatched bool `json:"historyMatched"`
	// Path is the Dockerfile the steps are mapped to ("" when none);
	// From says where it came from: "file" (--dockerfile) or "provenance"
	// (the image's build attestation).
	Path string `json:"path,omitempty"`
	From string `json:"from,omitempty"`
	// Warnings say where the image and the Dockerfile disagree.
	Warnings []string `json:"warnings,omitempty"`
}

// Step is one instruction of the reconstructed Dockerfile.
type Step struct {
	// Index is the step's position.
	Index int `json:"index"`
	// Layer is the layer the step made, or -1 (ENV, CMD, ...).
	Layer int `json:"layer"`
	// Instruction is the instruction, secret-looking values masked.
	Instruction string `json:"instruction"`
	// Source is the Dockerfile instruction that made the step, when the
	// image is mapped to its Dockerfile; Confidence says how sure that is
	// ("exact", "probable", "base", "none") and Reason why it is not exact.
	Source     *dockerfile.Location `json:"source,omitempty"`
	Confidence string               `json:"confidence,omitempty"`
	Reason     string               `json:"reason,omitempty"`
	// Findings are the indexes (in Result.Findings) of the findings the
	// step caused.
	Findings []int `json:"findings,omitempty"`
}

// reconstruct builds the steps from the history and maps every layer to
// its step. Layers the history does not describe get a step of their own.
func reconstruct(in *Input) ([]Step, []int) {
	hist := in.history()
	layers := len(in.Layers)
	nonEmpty := 0
	for _, h := range hist {
		if !h.EmptyLayer {
			nonEmpty++
		}
	}
	stepOf := make([]int, layers)
	var steps []Step
	missing := max(layers-nonEmpty, 0) // oldest layers without history
	for i := 0; i < missing; i++ {
		stepOf[i] = len(steps)
		steps = append(steps, Step{Index: len(steps), Layer: i, Instruction: fmt.Sprintf("# layer %d: no history entry", i)})
	}
	skip := max(nonEmpty-layers, 0) // oldest history entries without a layer
	layer := missing
	for hi, h := range hist {
		s := Step{Index: len(steps), Layer: -1, Instruction: MaskText(Instruction(h.CreatedBy))}
		if s.Instruction == "" {
			s.Instruction = "# (empty history entry)"
		}
		if m := in.Dockerfile; m != nil && hi < len(m.Steps) {
			ms := m.Steps[hi]
			s.Source, s.Confidence, s.Reason = ms.Location, string(ms.Confidence), ms.Reason
		}
		if !h.EmptyLayer {
			if skip > 0 {
				skip--
			} else if layer < layers {
				s.Layer = layer
				stepOf[layer] = s.Index
				layer++
			}
		}
		steps = append(steps, s)
	}
	return steps, stepOf
}

// historyMatches reports whether the history describes the layers one for
// one: as many entries that made a layer as there are layers (the
// condition under which each layer's command is known), each of them a
// real instruction.
func historyMatches(in *Input, steps []Step) bool {
	nonEmpty := 0
	for _, h := range in.history() {
		if !h.EmptyLayer {
			nonEmpty++
		}
	}
	return nonEmpty == len(in.Layers) && countLayerSteps(steps) == len(in.Layers)
}

// countLayerSteps counts the steps that made a layer from a history entry.
func countLayerSteps(steps []Step) int {
	n := 0
	for _, s := range steps {
		if s.Layer >= 0 && (len(s.Instruction) == 0 || s.Instruction[0] != '#') {
			n++
		}
	}
	return n
}

// attach lists each finding under its step.
func attach(steps []Step, fs []Finding, matched bool, m *dockerfile.Mapping) Dockerfile {
	d := Dockerfile{Steps: make([]Step, len(steps)), HistoryMatched: matched}
	if m != nil {
		d.Path, d.From, d.Warnings = m.File.Path, m.From, m.Warnings
	}
	copy(d.Steps, steps)
	for i, f := range fs {
		if f.Step >= 0 && f.Step < len(d.Steps) {
			d.Steps[f.Step].Findings = append(d.Steps[f.Step].Findings, i)
		}
	}
	return d
}

// lastStep returns the index of the last step whose instruction starts with
// one of the keywords, or -1.
func (r *run) lastStep(keywords ...string) int {
	for i := len(r.steps) - 1; i >= 0; i-- {
		for _, k := range keywords {
			if hasKeyword(r.steps[i].Instruction, k) {
				return i
			}
		}
	}
	return -1
}

// hasKeyword reports whether an instruction starts with the keyword.
func hasKeyword(instr, k string) bool {
	return len(instr) > len(k) && instr[:len(k)] == k && instr[len(k)] == ' '
}

// locate returns the Dockerfile line to blame for a finding: its step's
// instruction, or the final stage's FROM for the image as a whole.
func (r *run) locate(f *Finding) *dockerfile.Location {
	m := r.in.Dockerfile
	if m == nil {
		return nil
	}
	if f.Step >= 0 && f.Step < len(r.steps) {
		return r.steps[f.Step].Source
	}
	if f.Layer < 0 {
		return m.File.FinalFrom()
	}
	return nil
}
