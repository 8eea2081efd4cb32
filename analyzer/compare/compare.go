package compare

import (
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/glob"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// Options configure Compare.
type Options struct {
	// IgnorePaths are globs of paths left out of the file comparison (see
	// glob.MatchPath for the syntax). They add to NoisyPaths.
	IgnorePaths []string
	// IncludeNoisy compares the NoisyPaths too.
	IncludeNoisy bool
	// Gate is the size-regression and findings budget; its zero value
	// checks nothing.
	Gate Gate
}

// Result is the comparison of an OLD and a NEW analysis. Field names are
// stable; see docs/diff.md.
type Result struct {
	// Old and New say which images were compared.
	Old analyzer.ImageInfo `json:"old"`
	New analyzer.ImageInfo `json:"new"`
	// Identical is true when nothing differs: every layer is shared, and
	// the files (ignored paths included), packages, findings and
	// configuration are the same.
	Identical bool `json:"identical"`
	// Summary holds the deltas of the image-wide measures.
	Summary Summary `json:"summary"`
	// Layers are the two images' layers aligned, base first.
	Layers []LayerPair `json:"layers"`
	// Files compares the final filesystems.
	Files Files `json:"files"`
	// Packages are the packages added, removed, upgraded or downgraded.
	Packages []PackageChange `json:"packages"`
	// Findings are the findings new in NEW and those fixed since OLD.
	Findings FindingChanges `json:"findings"`
	// Config lists the configuration changes (env values that look secret
	// are masked).
	Config []ConfigChange `json:"config"`
	// Gate is the evaluated budget (checks is empty when none was set).
	Gate GateResult `json:"gate"`
}

// Compare compares two analyses. It only reads them; the work is one merge
// pass over the two trees plus small passes over layers, packages,
// findings and configuration. The only error is a malformed ignore glob,
// reported before any work (as Validate reports it).
func Compare(old, new *analyzer.Analysis, opts Options) (*Result, error) {
	m, err := opts.matcher()
	if err != nil {
		return nil, err
	}
	r := &Result{Old: old.Image, New: new.Image}
	r.Layers = AlignLayers(old.Layers, new.Layers)
	r.Files = compareFiles(old, new, m)
	r.Packages = comparePackages(old.Packages, new.Packages)
	r.Findings = compareFindings(old.Findings, new.Findings)
	r.Config = compareConfig(old, new)
	r.Summary = summarize(old, new, r)
	r.Identical = r.identical()
	r.Gate = opts.Gate.Evaluate(r)
	return r, nil
}

// Validate reports the first malformed ignore glob, so that a caller can
// reject the options before loading the images.
func (o Options) Validate() error {
	_, err := o.matcher()
	return err
}

// matcher compiles the noise globs (unless IncludeNoisy) and the ignore
// globs.
func (o Options) matcher() (*glob.Matcher, error) {
	var globs []string
	if !o.IncludeNoisy {
		globs = append(globs, NoisyPaths...)
	}
	return glob.New(append(globs, o.IgnorePaths...)...)
}

// identical reports whether nothing at all differs.
func (r *Result) identical() bool {
	for _, p := range r.Layers {
		if p.Status != Shared {
			return false
		}
	}
	f := r.Files.Counts
	return f.Added+f.Removed+f.Modified+f.TypeChanged+r.Files.Ignored.Count == 0 &&
		len(r.Packages) == 0 && len(r.Findings.New) == 0 && len(r.Findings.Fixed) == 0 &&
		len(r.Config) == 0 && r.Summary.TotalBytes.Delta == 0
}

// Delta is a measure in both images and its change (NEW − OLD).
type Delta struct {
	Old   int64 `json:"old"`
	New   int64 `json:"new"`
	Delta int64 `json:"delta"`
}

func delta(old, new int64) Delta { return Delta{Old: old, New: new, Delta: new - old} }

// Ratio is a ratio in both images and its change (NEW − OLD).
type Ratio struct {
	Old   float64 `json:"old"`
	New   float64 `json:"new"`
	Delta float64 `json:"delta"`
}

// Summary holds the deltas of the image-wide measures.
type Summary struct {
	// TotalBytes is the image size: Σ layer content bytes (uncompressed).
	TotalBytes Delta `json:"totalBytes"`
	// GrowthPercent is TotalBytes.Delta / TotalBytes.Old × 100 (0 when OLD
	// is empty).
	GrowthPercent float64 `json:"growthPercent"`
	// CompressedBytes is Σ stored layer sizes (0 where unknown).
	CompressedBytes Delta `json:"compressedBytes"`
	VisibleBytes    Delta `json:"visibleBytes"`
	WastedBytes     Delta `json:"wastedBytes"`
	Efficiency      Ratio `json:"efficiency"`
	// PotentialSavingsBytes is what fixing every finding would remove.
	PotentialSavingsBytes Delta `json:"potentialSavingsBytes"`
	FileCount             Delta `json:"fileCount"`
	LayerCount            Delta `json:"layerCount"`
	// SharedLayers counts the layers both images have (by diffID) and
	// SharedBytes their content bytes.
	SharedLayers int   `json:"sharedLayers"`
	SharedBytes  int64 `json:"sharedBytes"`
	// Findings counts the findings of each severity, highest first.
	Findings []SeverityDelta `json:"findings"`
}

// SeverityDelta counts the findings of one severity in both images.
type SeverityDelta struct {
	Severity findings.Severity `json:"severity"`
	Old      int               `json:"old"`
	New      int               `json:"new"`
	Delta    int               `json:"delta"`
}

// summarize computes the image-wide deltas.
func summarize(old, new *analyzer.Analysis, r *Result) Summary {
	o, n := old.Summary, new.Summary
	s := Summary{
		TotalBytes:            delta(o.TotalBytes, n.TotalBytes),
		CompressedBytes:       delta(compressed(old.Layers), compressed(new.Layers)),
		VisibleBytes:          delta(o.VisibleBytes, n.VisibleBytes),
		WastedBytes:           delta(o.WastedBytes, n.WastedBytes),
		Efficiency:            Ratio{Old: o.Efficiency, New: n.Efficiency, Delta: n.Efficiency - o.Efficiency},
		PotentialSavingsBytes: delta(o.PotentialSavingsBytes, n.PotentialSavingsBytes),
		FileCount:             delta(int64(o.FileCount), int64(n.FileCount)),
		LayerCount:            delta(int64(len(old.Layers)), int64(len(new.Layers))),
	}
	if o.TotalBytes > 0 {
		s.GrowthPercent = float64(s.TotalBytes.Delta) / float64(o.TotalBytes) * 100
	}
	for _, p := range r.Layers {
		if p.Status == Shared {
			s.SharedLayers++
			s.SharedBytes += p.New.SizeBytes
		}
	}
	var co, cn [findings.Critical + 1]int
	for _, f := range old.Findings {
		if f.Severity >= findings.Info && f.Severity <= findings.Critical {
			co[f.Severity]++
		}
	}
	for _, f := range new.Findings {
		if f.Severity >= findings.Info && f.Severity <= findings.Critical {
			cn[f.Severity]++
		}
	}
	for sev := findings.Critical; sev >= findings.Info; sev-- {
		s.Findings = append(s.Findings, SeverityDelta{Severity: sev, Old: co[sev], New: cn[sev], Delta: cn[sev] - co[sev]})
	}
	return s
}

func compressed(ls []analyzer.Layer) int64 {
	var n int64
	for _, l := range ls {
		n += l.CompressedBytes
	}
	return n
}

// Growth describes the relative growth of the image size: "+4.10 %", or
// "new" when OLD is empty (growth from nothing has no percentage; a
// percentage budget fails on it, a byte budget compares the bytes).
func (s Summary) Growth() string {
	if s.TotalBytes.Old == 0 && s.TotalBytes.New > 0 {
		return "new"
	}
	return termtext.SignedPercent(s.GrowthPercent)
}
