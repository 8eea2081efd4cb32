package findings

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/installed"
	"github.com/stratascan/strata/analyzer/tree"
)

// Input is everything the rules look at: the merged tree, what is known of
// each layer, the image configuration and history, the reference the user
// gave and the content the walk captured.
type Input struct {
	// Tree is the merged filesystem with every path's history.
	Tree *tree.Tree
	// Layers describe the layers, base first.
	Layers []Layer
	// BaseLayers is how many leading layers belong to the base image.
	BaseLayers int
	// Config is the image configuration (may be nil).
	Config *v1.ConfigFile
	// History is the image history; nil means Config.History.
	History []v1.History
	// Reference is the image as the user named it; Name is the resolved
	// name and Source the kind of source ("docker", "oci", ...).
	Reference, Name, Source string
	// Dockerfile maps the history to the Dockerfile that built the image
	// (nil when none was given or found).
	Dockerfile *dockerfile.Mapping
	// Content holds, per layer, what the walk captured (see Scanner); an
	// entry may be nil when nothing was captured.
	Content []*Content
}

// Layer is what the rules know of one layer.
type Layer struct {
	// Index is the layer's position, base first.
	Index int
	// Command is the instruction that made the layer ("RUN apt-get update").
	Command string
	// CreatedBy is the history entry as recorded.
	CreatedBy string
	// SizeBytes is the size of the layer's regular files.
	SizeBytes int64
}

// Options tune a rule run.
type Options struct {
	// Severity overrides the default severity of the rules it names.
	Severity map[string]Severity
	// Disabled turns off the rules it names.
	Disabled map[string]bool
	// IgnorePaths are globs (see package glob) of paths left out of the
	// findings: their bytes and paths no longer count, and a finding about
	// paths that are all ignored is dropped.
	IgnorePaths []string
}

// Result is what a rule run found.
type Result struct {
	// Findings are sorted by severity (highest first), then bytes (largest
	// first), then rule and layer.
	Findings []Finding
	// PotentialSavingsBytes is what fixing every finding would remove from
	// the image, each byte counted once.
	PotentialSavingsBytes int64
	// Packages is the package inventory of the final filesystem.
	Packages []installed.Package
	// Dockerfile is the image's Dockerfile reconstructed from its history,
	// with the findings attached to the steps that caused them.
	Dockerfile Dockerfile
}

// content returns the captured content of a layer (never nil).
func (in *Input) content(layer int) *Content {
	if layer >= 0 && layer < len(in.Content) && in.Content[layer] != nil {
		return in.Content[layer]
	}
	return &Content{}
}

// history returns the image history.
func (in *Input) history() []v1.History {
	if in.History != nil {
		return in.History
	}
	if in.Config != nil {
		return in.Config.History
	}
	return nil
}
