package analyzer

import (
	"runtime"

	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
)

// Option configures Analyze.
type Option func(*options)

type options struct {
	baseLayers  int
	verify      bool
	progress    func(Progress)
	concurrency int
	cache       *LayerCache
	noRules     bool
	dockerfile  *dockerfile.File
	rules       findings.Options
	tree        func(*Analysis, *source.Image)
	// concurrencySet is true when WithConcurrency chose the concurrency.
	concurrencySet bool
	// downloads is true when the layers are downloaded as they are read.
	downloads bool
}

func makeOptions(opts []Option) options {
	o := options{baseLayers: 1, concurrency: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		opt(&o)
	}
	if o.concurrency < 1 {
		o.concurrency = 1
	}
	return o
}

// WithBaseLayers sets how many leading layers belong to the base image.
// The default is 1, as in dive. Values beyond the layer count are clamped.
func WithBaseLayers(n int) Option { return func(o *options) { o.baseLayers = max(n, 0) } }

// WithVerify makes the walk check every layer's content against its diffID.
// Off by default: a full SHA-256 pass costs more than the analysis itself.
func WithVerify(v bool) Option { return func(o *options) { o.verify = v } }

// WithProgress sets a function called as layers are read. Calls are
// serialized. The default reports nothing.
func WithProgress(f func(Progress)) Option { return func(o *options) { o.progress = f } }

// WithRules turns the rule engine (findings, package inventory, the
// reconstructed Dockerfile, and the content scan during the walk that feeds
// them) on or off. It is on by default; off leaves the metrics only.
func WithRules(on bool) Option { return func(o *options) { o.noRules = !on } }

// WithRuleOptions sets the rule overrides (severities, disabled rules) the
// rules run with, so that the findings, the reconstructed Dockerfile and the
// potential savings all agree with a policy. The default runs every rule at
// its own severity.
func WithRuleOptions(ro findings.Options) Option { return func(o *options) { o.rules = ro } }

// WithConcurrency sets how many layers are read at once. The default is
// GOMAXPROCS for layers read from local storage, and as many as the source
// downloads at once (source.Image.Downloads) for layers downloaded from a
// registry, each walked as it arrives.
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency, o.concurrencySet = n, true }
}

// WithDockerfile maps the image's history to the Dockerfile that built it:
// findings then carry their Dockerfile line and each step its instruction
// and confidence. Without it, the Dockerfile embedded in the image's
// BuildKit provenance attestation is used when there is one.
func WithDockerfile(f *dockerfile.File) Option { return func(o *options) { o.dockerfile = f } }

// WithTree sets a function called once, as soon as the merged tree and the
// layers' sizes, changes and waste are known, before the duplicates, dive's
// metrics and the rules are computed: a browser can show the tree while they
// finish. The Analysis it gets holds the Image, Layers, Tree and Config and
// the Summary's counts, sizes and waste; the duplicates, the potential
// savings, dive's metrics, Wasted, DiveInefficiencies, Findings, Packages
// and Dockerfile come only with Analyze's result. It is called from the
// analysis' goroutine, with the image the analysis reads.
func WithTree(f func(early *Analysis, img *source.Image)) Option {
	return func(o *options) { o.tree = f }
}
