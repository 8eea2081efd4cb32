package analyzer

import (
	"context"
	"fmt"
	"io"

	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/analyzer/walk"
)

// StreamOpener opens an image by reading a stream once, handing each layer
// blob to onLayer as it arrives and reporting the bytes of the stream read
// against its expected size (0 when unknown) to progress, first before
// reading anything. source.OpenStream with Options.SaveProgress is one.
type StreamOpener func(onLayer source.LayerFunc, progress func(read, total int64)) (*source.Image, error)

// AnalyzeStream analyses an image while its stream arrives, as a daemon
// saves it: each layer blob is walked as it streams by and nothing is
// written to disk; once the stream has ended and its manifest says which
// blobs make the image, in which order, the walks are merged. The result is
// the one Analyze gives for the same image. The image is returned too; close
// it when done.
//
// A panic in the analysis is returned as a *bug.Error, as by Analyze.
func AnalyzeStream(ctx context.Context, open StreamOpener, opts ...Option) (_ *Analysis, _ *source.Image, err error) {
	defer bug.Catch(&err)
	o := makeOptions(opts)
	pt := newStreamTracker(o.progress)
	type walked struct {
		res     *walk.Result
		content *findings.Content
	}
	walks := map[string]walked{}
	img, err := open(func(l source.StreamLayer, r io.Reader) error {
		if _, ok := walks[l.Member]; ok {
			return nil
		}
		wo := walk.Options{SizeHint: l.Size, HashDiffID: o.verify}
		if l.Positions != nil {
			// The blob's place in the image is known: report it as a layer.
			wo.Progress = func(read int64) { pt.blob(l.Positions, l.Layers, read, l.Size, false) }
		}
		var scanner *findings.Scanner
		if !o.noRules {
			scanner = findings.NewScanner()
			wo.Inspect = scanner.Inspect
		}
		res, err := walk.Layer(ctx, r, wo)
		if err != nil {
			return fmt.Errorf("layer blob %s: %w", l.Member, err)
		}
		if l.Positions != nil {
			pt.blob(l.Positions, l.Layers, l.Size, l.Size, true)
		}
		w := walked{res: res}
		if scanner != nil {
			w.content = scanner.Content()
		}
		walks[l.Member] = w
		return nil
	}, pt.stream)
	if err != nil {
		return nil, nil, err
	}
	a, err := analyzeWalked(img, o, pt, func(i int, member string) (*walk.Result, *findings.Content, error) {
		w, ok := walks[member]
		if !ok {
			return nil, nil, fmt.Errorf("layer %d: blob %s was not in the stream", i, member)
		}
		return w.res, w.content, nil
	})
	if err != nil {
		img.Close()
		return nil, nil, err
	}
	return a, img, nil
}

// analyzeWalked merges walks done already and computes the analysis.
func analyzeWalked(img *source.Image, o options, pt *tracker, walked func(i int, member string) (*walk.Result, *findings.Content, error)) (*Analysis, error) {
	cfg, _, layers, err := readLayers(img)
	if err != nil {
		return nil, err
	}
	members := img.LayerMembers()
	if len(members) != len(layers) {
		return nil, fmt.Errorf("the image has %d layers but %d layer blobs", len(layers), len(members))
	}
	pt.setLayers(len(layers))
	pt.phase(PhaseMerge)
	m := newMerger(layers)
	for i := range layers {
		res, content, err := walked(i, members[i])
		if err != nil {
			return nil, err
		}
		if o.verify && res.DiffID != layers[i].DiffID {
			return nil, fmt.Errorf("layer %d (%s): %w: expected %s, content hashes to %s",
				i, shortDigest(layers[i].Digest), walk.ErrDiffIDMismatch, layers[i].DiffID, res.DiffID)
		}
		m.add(i, res, content)
	}
	return assemble(img, cfg, layers, m.b.Build(), m.headerSizes, m.contents, o, pt)
}
