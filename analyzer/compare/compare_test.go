package compare_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

func TestCompareVersionsOfAnApp(t *testing.T) {
	old, new := analyze(t, oldImage()), analyze(t, newImage())
	r := mustCompare(t, old, new, compare.Options{})
	if r.Identical {
		t.Fatal("Identical is true")
	}

	type pairRow struct {
		Status   compare.PairStatus
		Match    compare.MatchKind
		Old, New int
	}
	var pairs []pairRow
	for _, p := range r.Layers {
		row := pairRow{Status: p.Status, Match: p.Match, Old: -1, New: -1}
		if p.Old != nil {
			row.Old = p.Old.Index
		}
		if p.New != nil {
			row.New = p.New.Index
		}
		pairs = append(pairs, row)
	}
	wantPairs := []pairRow{
		{compare.Shared, compare.ByDiffID, 0, 0},
		{compare.Changed, compare.ByHistory, 1, 1},
		{compare.Changed, compare.ByHistory, 2, 2},
		{compare.OnlyNew, "", -1, 3},
	}
	if d := cmp.Diff(wantPairs, pairs); d != "" {
		t.Errorf("layer pairs (-want +got):\n%s", d)
	}

	type fileRow struct {
		Path   string
		Change compare.FileChangeType
		Fields []string
	}
	var files []fileRow
	for _, c := range r.Files.Changes {
		files = append(files, fileRow{c.Path, c.Change, c.Fields})
	}
	wantFiles := []fileRow{
		{"/app/config.yml", compare.FileModified, []string{"content"}},
		{"/app/current", compare.FileModified, []string{"link"}},
		{"/app/data", compare.FileTypeChanged, nil},
		{"/app/data/seed.csv", compare.FileAdded, nil},
		{"/app/main.py", compare.FileModified, []string{"mode"}},
		{"/app/old.txt", compare.FileRemoved, nil},
		{"/etc/passwd", compare.FileModified, []string{"content"}},
		{"/home", compare.FileAdded, nil},
		{"/home/app", compare.FileAdded, nil},
		{"/usr/bin/curl", compare.FileModified, []string{"content"}},
		{"/usr/bin/jq", compare.FileAdded, nil},
		{"/var/lib/apt", compare.FileRemoved, nil},
		{"/var/lib/apt/lists", compare.FileRemoved, nil},
		{"/var/lib/apt/lists/deb.debian.org_Packages", compare.FileRemoved, nil},
		{"/var/lib/dpkg/status", compare.FileModified, []string{"content"}},
	}
	if d := cmp.Diff(wantFiles, files); d != "" {
		t.Errorf("file changes (-want +got):\n%s", d)
	}
	// The noisy paths: /var/log/dpkg.log, /etc/passwd-, app/__pycache__ and its .pyc.
	if got := r.Files.Ignored.Count; got != 4 {
		t.Errorf("ignored changes = %d, want 4", got)
	}
	wantCounts := compare.FileCounts{Added: 4, Removed: 4, Modified: 6, TypeChanged: 1,
		AddedBytes: 40_000 + 6, RemovedBytes: 300_000 + 9, ModifiedBytes: r.Files.Counts.ModifiedBytes}
	if d := cmp.Diff(wantCounts, r.Files.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	if d := r.Files.Dirs[0]; d.Path != "/var/lib/apt" || d.SizeDelta != -300_000 || d.Removed != 2 {
		t.Errorf("largest directory change = %s %d %v, want /var/lib/apt -300000, 2 removed", d.Path, d.SizeDelta, d.FileCounts)
	}
	for _, d := range r.Files.Dirs {
		if d.NewBytes-d.OldBytes != d.SizeDelta {
			t.Errorf("%s: %d − %d ≠ %d", d.Path, d.NewBytes, d.OldBytes, d.SizeDelta)
		}
	}

	type pkgRow struct {
		Name     string
		Change   compare.PackageChangeType
		Old, New string
	}
	var pkgs []pkgRow
	for _, p := range r.Packages {
		pkgs = append(pkgs, pkgRow{p.Name, p.Change, p.OldVersion, p.NewVersion})
	}
	wantPkgs := []pkgRow{
		{"curl", compare.PackageUpgraded, "7.88.1-10", "7.88.1-10+deb12u5"},
		{"jq", compare.PackageAdded, "", "1.6-2.1"},
		{"libc6", compare.PackageRemoved, "2.36-9", ""},
		{"openssl", compare.PackageDowngraded, "3.0.11-1", "3.0.9-1"},
	}
	if d := cmp.Diff(wantPkgs, pkgs); d != "" {
		t.Errorf("packages (-want +got):\n%s", d)
	}

	var cfg []string
	for _, c := range r.Config {
		cfg = append(cfg, c.Change+" "+c.Name()+": "+c.Values())
	}
	wantCfg := []string{
		"added user: (none) → app",
		"changed env API_TOKEN: abc******** → abc******** (secret value changed; masked)",
		"added labels version: (none) → 2",
		"added exposedPorts: (none) → 9090/tcp",
	}
	if d := cmp.Diff(wantCfg, cfg); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}

	var fixed []string
	for _, f := range r.Findings.Fixed {
		fixed = append(fixed, f.Rule)
	}
	if !slices.Contains(fixed, "apt-lists") {
		t.Errorf("fixed findings %v lack apt-lists", fixed)
	}
	if r.Summary.LayerCount.Delta != 1 || r.Summary.SharedLayers != 1 {
		t.Errorf("layer summary %+v", r.Summary.LayerCount)
	}
	if want := new.Summary.TotalBytes - old.Summary.TotalBytes; r.Summary.TotalBytes.Delta != want {
		t.Errorf("size delta %d, want %d", r.Summary.TotalBytes.Delta, want)
	}
}

func TestIncludeNoisyAndIgnorePaths(t *testing.T) {
	old, new := analyze(t, oldImage()), analyze(t, newImage())
	noisy := mustCompare(t, old, new, compare.Options{IncludeNoisy: true})
	paths := func(r *compare.Result) []string {
		var out []string
		for _, c := range r.Files.Changes {
			out = append(out, c.Path)
		}
		return out
	}
	for _, p := range []string{"/var/log/dpkg.log", "/etc/passwd-", "/app/__pycache__", "/app/__pycache__/main.cpython-311.pyc"} {
		if !slices.Contains(paths(noisy), p) {
			t.Errorf("--include-noisy: %s missing from %v", p, paths(noisy))
		}
	}
	if noisy.Files.Ignored.Count != 0 {
		t.Errorf("--include-noisy ignored %d", noisy.Files.Ignored.Count)
	}
	r := mustCompare(t, old, new, compare.Options{IgnorePaths: []string{"/app/**", "/var/lib/apt"}})
	for _, p := range paths(r) {
		if p == "/app" {
			continue // the directory itself is compared; what it holds is not
		}
		if p == "/var/lib/apt" || filepath.Dir(p) == "/app" || filepath.Dir(filepath.Dir(p)) == "/app" || filepath.Dir(p) == "/var/lib/apt/lists" {
			t.Errorf("%s is not ignored", p)
		}
	}
	bad := compare.Options{IgnorePaths: []string{"/app/**", "[a-"}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), `"[a-"`) {
		t.Errorf("Validate of a malformed glob: %v, want an error naming it", err)
	}
	if r, err := compare.Compare(old, new, bad); err == nil || r != nil || !strings.Contains(err.Error(), `"[a-"`) {
		t.Errorf("Compare with a malformed glob: %v, %v; want no result and an error naming it", r, err)
	}
}

func TestSelfIsIdentical(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			a := analyze(t, c.Image)
			r := mustCompare(t, a, a, compare.Options{IncludeNoisy: true})
			if !r.Identical {
				t.Errorf("an image compared with itself differs: %d file changes, %d layer pairs", r.Files.Counts.Total(), len(r.Layers))
			}
			for _, p := range r.Layers {
				if p.Status != compare.Shared {
					t.Errorf("layer pair %+v is not shared", p)
				}
			}
		})
	}
	a, b := analyze(t, oldImage()), analyze(t, oldImage())
	if r := mustCompare(t, a, b, compare.Options{}); !r.Identical {
		t.Error("two analyses of one image differ")
	}
}

// TestSameImageFromTwoSources compares an image read from a docker archive
// with the same image read from an OCI layout.
func TestSameImageFromTwoSources(t *testing.T) {
	img, err := fixtures.Build(newImage(), fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archive, layout := filepath.Join(dir, "app.tar"), filepath.Join(dir, "app-oci")
	if err := fixtures.WriteDockerArchive(archive, "app:2", img); err != nil {
		t.Fatal(err)
	}
	if err := fixtures.WriteOCILayout(layout, "app:2", img); err != nil {
		t.Fatal(err)
	}
	load := func(ref string) *analyzer.Analysis {
		si, err := source.Open(context.Background(), ref, source.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer si.Close()
		a, err := analyzer.Analyze(context.Background(), si)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := load("docker-archive:"+archive), load("oci:"+layout)
	if a.Image.Source == b.Image.Source {
		t.Fatalf("both read from %s", a.Image.Source)
	}
	r := mustCompare(t, a, b, compare.Options{IncludeNoisy: true})
	if !r.Identical {
		t.Errorf("the same image from two sources differs: layers %+v, files %+v, config %+v", r.Layers, r.Files.Counts, r.Config)
	}
}

func TestAlignLayers(t *testing.T) {
	l := func(i int, diffID, cmd string, size int64) analyzer.Layer {
		return analyzer.Layer{Index: i, DiffID: diffID, Command: cmd, SizeBytes: size, CommandKnown: true}
	}
	type row struct {
		Status   compare.PairStatus
		Match    compare.MatchKind
		Old, New int
		Delta    int64
	}
	rows := func(ps []compare.LayerPair) []row {
		var out []row
		for _, p := range ps {
			r := row{Status: p.Status, Match: p.Match, Old: -1, New: -1, Delta: p.SizeDelta}
			if p.Old != nil {
				r.Old = p.Old.Index
			}
			if p.New != nil {
				r.New = p.New.Index
			}
			out = append(out, r)
		}
		return out
	}
	tests := []struct {
		name     string
		old, new []analyzer.Layer
		want     []row
	}{{
		name: "a layer inserted in the middle",
		old:  []analyzer.Layer{l(0, "a", "ADD file:0a in /", 10), l(1, "b", "RUN apt-get install -y curl", 5), l(2, "c", "COPY . /app", 3)},
		new:  []analyzer.Layer{l(0, "a", "ADD file:0a in /", 10), l(1, "x", "RUN pip install flask", 7), l(2, "b2", "RUN apt-get install -y curl wget", 6), l(3, "c", "COPY . /app", 3)},
		want: []row{
			{compare.Shared, compare.ByDiffID, 0, 0, 0},
			{compare.OnlyNew, "", -1, 1, 7},
			{compare.Changed, compare.ByHistory, 1, 2, 1},
			{compare.Shared, compare.ByDiffID, 2, 3, 0},
		},
	}, {
		name: "a new base, an unrelated step replaced",
		old:  []analyzer.Layer{l(0, "a", "ADD file:0a0a0a0a0a0a0a0a in /", 10), l(1, "b", "RUN make", 5), l(2, "c", "RUN rm -rf /tmp/x", 1)},
		new:  []analyzer.Layer{l(0, "a2", "ADD file:1b1b1b1b1b1b1b1b in /", 11), l(1, "d", "RUN go build ./...", 4), l(2, "c2", "RUN rm -rf /tmp/x", 0)},
		want: []row{
			{compare.Changed, compare.ByHistory, 0, 0, 1},
			{compare.Changed, compare.ByPosition, 1, 1, -1},
			{compare.Changed, compare.ByHistory, 2, 2, -1},
		},
	}, {
		name: "layers removed at the end",
		old:  []analyzer.Layer{l(0, "a", "ADD file:0a in /", 10), l(1, "b", "RUN a", 5), l(2, "c", "COPY x /x", 1)},
		new:  []analyzer.Layer{l(0, "a", "ADD file:0a in /", 10)},
		want: []row{
			{compare.Shared, compare.ByDiffID, 0, 0, 0},
			{compare.OnlyOld, "", 1, -1, -5},
			{compare.OnlyOld, "", 2, -1, -1},
		},
	}, {
		name: "a shared layer moved: one order is kept",
		old:  []analyzer.Layer{l(0, "a", "ADD file:0a in /", 10), l(1, "b", "COPY b /b", 5), l(2, "c", "COPY c /c", 1)},
		new:  []analyzer.Layer{l(0, "a", "ADD file:0a in /", 10), l(1, "c", "COPY c /c", 1), l(2, "b", "COPY b /b", 5)},
		want: []row{
			{compare.Shared, compare.ByDiffID, 0, 0, 0},
			{compare.OnlyOld, "", 1, -1, -5},
			{compare.Shared, compare.ByDiffID, 2, 1, 0},
			{compare.OnlyNew, "", -1, 2, 5},
		},
	}, {
		name: "empty",
		want: nil,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, rows(compare.AlignLayers(tt.old, tt.new))); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
