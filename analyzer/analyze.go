package analyzer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/installed"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// Analysis is the immutable result of analysing an image.
type Analysis struct {
	Image   ImageInfo
	Layers  []Layer
	Summary Summary
	// Wasted lists the paths whose bytes are shadowed, largest first.
	Wasted []WastedPath
	// DiveInefficiencies are the paths dive reports as inefficient.
	DiveInefficiencies []DiveInefficiency
	// Tree is the merged filesystem with every path's history.
	Tree *tree.Tree
	// Config is the image's configuration file.
	Config *v1.ConfigFile
	// Findings are the problems the rules found, highest severity first.
	Findings []findings.Finding
	// Packages is the package inventory (dpkg, apk) of the final filesystem.
	Packages []installed.Package
	// Dockerfile is the Dockerfile reconstructed from the history, with the
	// findings attached to their steps.
	Dockerfile findings.Dockerfile
}

// Analyze walks every layer of the image once (layers concurrently) and
// computes the analysis. Layers downloaded from a registry are walked as
// they arrive, as many at once as the source downloads.
//
// A panic anywhere in the analysis, in any of its goroutines, is a bug: it
// is returned as a *bug.Error carrying the stack where it happened.
func Analyze(ctx context.Context, img *source.Image, opts ...Option) (_ *Analysis, err error) {
	defer bug.Catch(&err)
	o := makeOptions(opts)
	cfg, v1layers, layers, err := readLayers(img)
	if err != nil {
		return nil, err
	}
	if img.Downloads > 0 {
		o.downloads = true
		if !o.concurrencySet {
			o.concurrency = img.Downloads
		}
	}
	pt := newTracker(o.progress, layers, img.Downloads > 0)
	t, headerSizes, contents, err := walkAll(ctx, v1layers, layers, o, pt)
	if err != nil {
		return nil, err
	}
	return assemble(img, cfg, layers, t, headerSizes, contents, o, pt)
}

// assemble computes everything the analysis holds besides the tree.
func assemble(img *source.Image, cfg *v1.ConfigFile, layers []Layer, t *tree.Tree, headerSizes []int64, contents []*findings.Content, o options, pt *tracker) (*Analysis, error) {
	base := min(o.baseLayers, len(layers))
	a := &Analysis{
		Image: ImageInfo{
			Reference: img.Reference, Source: string(img.Source), Name: img.Name,
			Digest: img.Digest, Platform: img.Platform, Config: summarizeConfig(cfg),
		},
		Layers: layers,
		Tree:   t,
		Config: cfg,
	}
	pt.phase(PhaseRules)
	a.Summary = measure(t, layers, base)
	if o.tree != nil {
		early := *a
		early.Layers = slices.Clone(layers)
		o.tree(&early, img)
	}
	// The duplicates and the wasted paths, dive's metrics and the rules only
	// read the tree: they run side by side, unless the tree was handed over
	// to be browsed meanwhile. Then they run one after the other on one
	// core, leaving the other to the browser, and their working memory is
	// not all held at once.
	var dive DiveMetrics
	var rules findings.Result
	steps := []func(){
		func() {
			a.Summary.DuplicateBytes = duplicateBytes(t)
			a.Wasted = wastedPaths(t)
		},
		func() { dive, a.DiveInefficiencies = diveMetrics(t, headerSizes) },
	}
	if !o.noRules {
		in := rulesInput(a, img, base, contents, o.dockerfile)
		steps = append(steps, func() { rules = findings.Run(in, o.rules) })
	}
	if err := runSteps(o.tree == nil, steps); err != nil {
		return nil, err
	}
	a.Summary.PotentialSavingsBytes = a.Summary.WastedBytes + a.Summary.DuplicateBytes
	a.Summary.EstimatedOptimizedBytes = a.Summary.TotalBytes - a.Summary.PotentialSavingsBytes
	a.Summary.Dive = dive
	if !o.noRules {
		a.setRules(rules)
	}
	pt.phase(PhaseDone)
	return a, nil
}

// runSteps runs functions side by side or one after the other and returns
// the first panic among them as a *bug.Error.
func runSteps(parallel bool, steps []func()) error {
	errs := make([]error, len(steps))
	run := func(i int) {
		defer bug.Catch(&errs[i])
		steps[i]()
	}
	if !parallel {
		for i := range steps {
			if run(i); errs[i] != nil {
				return errs[i]
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	for i := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(i)
		}()
	}
	wg.Wait()
	return cmp.Or(errs...)
}

// readLayers reads the image's configuration and layers, and describes
// each layer from them.
func readLayers(img *source.Image) (*v1.ConfigFile, []v1.Layer, []Layer, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the image configuration: %w", err)
	}
	v1layers, err := img.Layers()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("listing the image layers: %w", err)
	}
	layers, err := describeLayers(v1layers, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	return cfg, v1layers, layers, nil
}

// describeLayers reads each layer's digests, stored size and command.
func describeLayers(ls []v1.Layer, cfg *v1.ConfigFile) ([]Layer, error) {
	cmds, raw, known := layerCommands(cfg, len(ls))
	out := make([]Layer, len(ls))
	for i, l := range ls {
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("reading the digest of layer %d: %w", i, err)
		}
		diffID, err := l.DiffID()
		if err != nil {
			return nil, fmt.Errorf("reading the diffID of layer %d: %w", i, err)
		}
		size, err := l.Size()
		if err != nil {
			return nil, fmt.Errorf("reading the size of layer %d: %w", i, err)
		}
		out[i] = Layer{
			Index: i, Digest: d.String(), DiffID: diffID.String(),
			CompressedBytes: size, Command: findings.MaskText(cmds[i]), CreatedBy: findings.MaskText(raw[i]),
			CommandKnown: known,
		}
	}
	return out, nil
}

// walkAll reads the layers concurrently and merges them in order as they
// complete. It returns the tree, each layer's Σ tar header sizes and what
// the rules' content scanner captured in each layer.
func walkAll(ctx context.Context, ls []v1.Layer, layers []Layer, o options, pt *tracker) (*tree.Tree, []int64, []*findings.Content, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		index   int
		res     *walk.Result
		content *findings.Content
		err     error
	}
	report := pt.layer
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for w := 0; w < min(o.concurrency, max(len(ls), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res, content, err := walkGuarded(ctx, ls[i], i, layers, o, report)
				select {
				case results <- result{i, res, content, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range ls {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	m := newMerger(layers)
	merged := 0
	var firstErr error
	for r := range results {
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
				cancel()
			}
			continue
		}
		if firstErr != nil {
			continue
		}
		// Merge each layer as soon as its walk completes, while the others
		// are still being read.
		m.add(r.index, r.res, r.content)
		merged++
	}
	if firstErr != nil {
		return nil, nil, nil, firstErr
	}
	if err := ctx.Err(); err != nil && merged < len(ls) {
		return nil, nil, nil, err
	}
	pt.phase(PhaseMerge)
	return m.b.Build(), m.headerSizes, m.contents, nil
}

// merger adds the layers' walks to the tree as they complete.
type merger struct {
	layers      []Layer
	b           *tree.Builder
	headerSizes []int64
	contents    []*findings.Content
}

func newMerger(layers []Layer) *merger {
	return &merger{
		layers:      layers,
		b:           tree.NewBuilder(),
		headerSizes: make([]int64, len(layers)),
		contents:    make([]*findings.Content, len(layers)),
	}
}

// add merges layer i's walk.
func (m *merger) add(i int, res *walk.Result, content *findings.Content) {
	m.contents[i] = content
	l := &m.layers[i]
	l.Compression = string(res.Compression)
	l.Entries = len(res.Entries)
	for j := range res.Entries {
		e := &res.Entries[j]
		m.headerSizes[i] += e.HeaderSize
		if e.Kind == walk.File {
			l.SizeBytes += e.Size
		}
	}
	m.b.Add(i, res.Entries)
}

// walkLayer opens one layer's stored blob and walks it, letting the rules'
// content scanner look at the few files it selects.
func walkLayer(ctx context.Context, l v1.Layer, i int, layers []Layer, o options, report func(Progress)) (*walk.Result, *findings.Content, error) {
	info := &layers[i]
	if o.cache == nil {
		return readLayer(ctx, l, i, layers, o, report)
	}
	key := layerKey{digest: info.Digest, diffID: info.DiffID, verify: o.verify}
	res, content, shared, err := o.cache.walk(key, func() (*walk.Result, *findings.Content, error) {
		return readLayer(ctx, l, i, layers, o, report)
	})
	if shared && err == nil {
		info.Compression = string(res.Compression)
		report(Progress{Layer: i, Layers: len(layers), Read: res.StoredBytes, Size: info.CompressedBytes, Done: true})
	}
	return res, content, err
}

// readLayer opens one layer's stored blob and walks it.
func readLayer(ctx context.Context, l v1.Layer, i int, layers []Layer, o options, report func(Progress)) (*walk.Result, *findings.Content, error) {
	info := &layers[i]
	fail := func(err error) error {
		return fmt.Errorf("layer %d (%s): %w", i, shortDigest(info.Digest), err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, nil, fail(fmt.Errorf("opening: %w", err))
	}
	defer rc.Close()
	progress := func(n int64) {
		report(Progress{Layer: i, Layers: len(layers), Read: n, Size: info.CompressedBytes})
	}
	if o.downloads && o.progress != nil {
		rc = &arrivals{ReadCloser: rc, report: progress}
	}
	wo := walk.Options{Progress: progress}
	wo.SizeHint = info.CompressedBytes
	var scanner *findings.Scanner
	if !o.noRules {
		scanner = findings.NewScanner()
		wo.Inspect = scanner.Inspect
	}
	if o.verify {
		wo.VerifyDiffID = info.DiffID
	}
	res, err := walk.Layer(ctx, rc, wo)
	if err != nil {
		return nil, nil, fail(err)
	}
	info.Compression = string(res.Compression)
	if err := rc.Close(); err != nil {
		return nil, nil, fail(fmt.Errorf("closing: %w", err))
	}
	report(Progress{Layer: i, Layers: len(layers), Read: res.StoredBytes, Size: info.CompressedBytes, Done: true})
	if scanner == nil {
		return res, nil, nil
	}
	return res, scanner.Content(), nil
}

// shortDigest abbreviates "sha256:0123456789ab..." to "sha256:0123456789ab".
func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// walkGuarded is walkLayer with a panic returned as a *bug.Error.
func walkGuarded(ctx context.Context, l v1.Layer, i int, layers []Layer, o options, report func(Progress)) (res *walk.Result, content *findings.Content, err error) {
	defer bug.Catch(&err)
	return walkLayer(ctx, l, i, layers, o, report)
}
