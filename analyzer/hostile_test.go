package analyzer_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/fixtures"
)

// Images come from strangers. Every test here feeds the analysis a crafted
// image and requires a clear error or a correct analysis: no panic, no hang
// (each runs under a watchdog) and, where it matters, bounded memory.

// analyzeWithin runs Analyze and fails the test, with every goroutine's
// stack, when it does not return within limit.
func analyzeWithin(t *testing.T, limit time.Duration, img *source.Image, opts ...analyzer.Option) (*analyzer.Analysis, error) {
	t.Helper()
	type result struct {
		a   *analyzer.Analysis
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := analyzer.Analyze(context.Background(), img, opts...)
		done <- result{a, err}
	}()
	select {
	case r := <-done:
		return r.a, r.err
	case <-time.After(limit):
		var b strings.Builder
		pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Fatalf("the analysis did not finish within %s:\n%s", limit, b.String())
		return nil, nil
	}
}

// checkInvariants verifies what must hold for any analysis: clean absolute
// paths that never leave the root, and total = visible + wasted.
func checkInvariants(t *testing.T, a *analyzer.Analysis) {
	t.Helper()
	s := a.Summary
	if s.TotalBytes != s.VisibleBytes+s.WastedBytes || s.TotalBytes < 0 || s.WastedBytes < 0 {
		t.Errorf("total %d != visible %d + wasted %d", s.TotalBytes, s.VisibleBytes, s.WastedBytes)
	}
	for n := tree.NodeID(0); int(n) < a.Tree.Len(); n++ {
		p := a.Tree.Path(n)
		if !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
			t.Fatalf("tree path %q is not absolute and clean", p)
		}
	}
}

// checkReports renders the text and JSON reports: the text must carry no
// raw control character but newlines, the JSON must be valid.
func checkReports(t *testing.T, a *analyzer.Analysis) (text string, doc []byte) {
	t.Helper()
	var tb bytes.Buffer
	if err := report.WriteText(&tb, a, report.TextOptions{TopWasted: 1000}); err != nil {
		t.Fatal(err)
	}
	for i, r := range tb.String() {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("text report has the raw control character %q at %d", r, i)
		}
		if r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x2028 && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("text report has the raw bidirectional or separator character %+q at %d", r, i)
		}
	}
	var jb bytes.Buffer
	if err := report.WriteJSON(&jb, a, report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(jb.Bytes()) {
		t.Fatal("the JSON report is not valid JSON")
	}
	if bytes.ContainsAny(jb.Bytes(), "\x1b\x00\a") {
		t.Fatal("the JSON report holds raw control bytes")
	}
	return tb.String(), jb.Bytes()
}

func tarOf(t *testing.T, hs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hs {
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("writing %q: %v", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg && h.Size > 0 {
			tw.Write(bytes.Repeat([]byte{'x'}, int(h.Size)))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func reg(name string, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Size: size}
}

// TestHostileTruncated: sizes declared far beyond the data end in a clear
// "truncated" error, in a layer and in an archive.
func TestHostileTruncated(t *testing.T) {
	huge := append(rawHeader("big.bin", tar.TypeReg, 1<<40, ""), bytes.Repeat([]byte{'x'}, 100)...)
	whole := tarOf(t, reg("a.bin", 5000))
	for _, tc := range []struct {
		name, blob string
		want       string
	}{
		{"1 TiB declared, 100 bytes present", string(huge), "truncated tar stream"},
		{"cut inside content", string(whole[:2000]), "truncated tar stream"},
		{"cut inside a header", string(whole[:300]), "truncated tar stream"},
		{"gzip cut short", string(gzipOf(t, whole)[:40]), "gzip layer"},
		{"4 EiB declared in base-256", string(rawHeader("x", tar.TypeReg, 1<<62, "")), "truncated tar stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer(tc.name, []byte(tc.blob))))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "layer 0") {
				t.Fatalf("error = %v, want one naming layer 0 and containing %q", err, tc.want)
			}
		})
	}

	// An archive whose member is declared longer than the file.
	dir := t.TempDir()
	v1img, err := fixtures.Build(fixtures.Image{Layers: []fixtures.Layer{{CreatedBy: "x", Entries: []fixtures.Entry{
		fixtures.RandomFile("data.bin", 64<<10, 1),
	}}}}, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "img.tar")
	if err := fixtures.WriteDockerArchive(p, "trunc:1", v1img); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.tar")
	os.WriteFile(cut, b[:len(b)/2], 0o644)
	if img, err := source.Open(context.Background(), cut, source.Options{}); err == nil {
		img.Close()
		t.Fatal("a truncated archive opened")
	} else if !strings.Contains(err.Error(), "truncated tar") || !strings.Contains(err.Error(), cut) {
		t.Fatalf("error = %v, want a truncated tar naming the file", err)
	}
}

// gzipBomb returns a gzip stream of a tar holding one file of size bytes of
// zeros, made of one member repeated (gzip readers read concatenated
// members as one stream), so that it is small in memory too.
func gzipBomb(t *testing.T, size int64) (head, middle, tail []byte, count int) {
	t.Helper()
	const chunk = 16 << 20
	if size%chunk != 0 {
		t.Fatalf("size must be a multiple of %d", chunk)
	}
	member := func(b []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	return member(rawHeader("bomb.bin", tar.TypeReg, size, "")), member(make([]byte, chunk)), member(endBlocks), int(size / chunk)
}

// TestHostileDecompressionBomb: a few MiB of gzip that expand to 4 GiB of
// zeros in one file. The walk streams content and keeps none of it, so the
// analysis finishes with the right size in bounded memory: strata sets no
// expansion limit (see docs/fuzzing.md).
func TestHostileDecompressionBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 4 GiB of zeros (a few seconds)")
	}
	const size = 4 << 30
	head, middle, tail, count := gzipBomb(t, size)
	stored := int64(len(head) + count*len(middle) + len(tail))
	l := &blobLayer{name: "bomb", size: stored, open: func() io.ReadCloser {
		return io.NopCloser(&repeatReader{head: head, middle: middle, tail: tail, count: count})
	}}
	t.Logf("stored blob: %d bytes for %d bytes of content (ratio %d:1)", stored, size, size/stored)
	heap := watchHeap()
	start := time.Now()
	a, err := analyzeWithin(t, 3*time.Minute, imageOf(t, l))
	grew := heap.done()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("analysed in %s, heap grew by at most %d MiB", time.Since(start).Round(time.Millisecond), grew>>20)
	if a.Summary.TotalBytes != size || a.Layers[0].SizeBytes != size {
		t.Errorf("total %d, layer %d; want %d", a.Summary.TotalBytes, a.Layers[0].SizeBytes, size)
	}
	if grew > 256<<20 {
		t.Errorf("the heap grew by %d MiB reading the bomb; want under 256 MiB", grew>>20)
	}
	checkInvariants(t, a)
	checkReports(t, a)
}

// sparseLayer is a PAX 1.0 GNU sparse file of logical size real holding 512
// stored bytes at its end: a few hundred bytes of tar that read back as
// real bytes of zeros.
func sparseLayer(name string, real int64) []byte {
	var b []byte
	b = append(b, paxHeader(
		[2]string{"GNU.sparse.major", "1"}, [2]string{"GNU.sparse.minor", "0"},
		[2]string{"GNU.sparse.name", name}, [2]string{"GNU.sparse.realsize", fmt.Sprint(real)},
	)...)
	sparseMap := pad([]byte(fmt.Sprintf("1\n%d\n512\n", real-512)))
	data := bytes.Repeat([]byte{'d'}, 512)
	b = append(b, rawHeader("GNUSparseFile.0/"+name, tar.TypeReg, int64(len(sparseMap)+len(data)), "")...)
	b = append(b, sparseMap...)
	b = append(b, data...)
	return b
}

// TestHostileSparseBomb: a sparse file declaring an exabyte is recorded with
// its logical size without expanding its holes; sparse files declaring more
// than strata accepts in one layer are refused with a clear error.
func TestHostileSparseBomb(t *testing.T) {
	ok := append(sparseLayer("sparse.img", 1<<39), endBlocks...) // 512 GiB
	a, err := analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer("sparse", ok)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Layers[0].SizeBytes != 1<<39 {
		t.Errorf("layer size %d, want %d", a.Layers[0].SizeBytes, int64(1<<39))
	}
	if _, found := a.Tree.Lookup("/sparse.img"); !found {
		t.Error("the sparse file is not in the tree")
	}
	checkInvariants(t, a)

	var bomb []byte
	for i := range 4 {
		bomb = append(bomb, sparseLayer(fmt.Sprintf("s%d", i), 1<<60)...)
	}
	bomb = append(bomb, endBlocks...)
	_, err = analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer("sparse-bomb", bomb)))
	if err == nil || !strings.Contains(err.Error(), "sparse") {
		t.Fatalf("error = %v, want the sparse files refused", err)
	}
}

// TestHostileMillionEntries: one directory with a million entries, streamed
// from a generator. The analysis must finish and keep its memory per entry
// bounded.
func TestHostileMillionEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("walks a million entries")
	}
	const n = 1_000_000
	l := generated("million", func(tw *tar.Writer) error {
		if err := tw.WriteHeader(&tar.Header{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return err
		}
		for i := range n {
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d/f%07d", i), Typeflag: tar.TypeReg, Mode: 0o644}); err != nil {
				return err
			}
		}
		return nil
	})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	heap := watchHeap()
	start := time.Now()
	a, err := analyzeWithin(t, 5*time.Minute, imageOf(t, l))
	peak := heap.done()
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if a.Summary.FileCount != n+1 {
		t.Errorf("file count %d, want %d", a.Summary.FileCount, n+1)
	}
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	perEntry := kept / n
	peakPerEntry := int64(peak) / n
	t.Logf("%d entries in %s: %d B/entry kept, %d B/entry at peak", n, elapsed.Round(time.Millisecond), perEntry, peakPerEntry)
	// The budget: what the analysis keeps per entry (tree node, history
	// entry, interned name; about 140 bytes measured) and what the walk and
	// the merge need on the way (about 740 bytes measured).
	if perEntry > 200 {
		t.Errorf("the analysis keeps %d bytes per entry, want at most 200", perEntry)
	}
	if peakPerEntry > 1024 {
		t.Errorf("the analysis peaks at %d bytes per entry, want at most 1024", peakPerEntry)
	}
	runtime.KeepAlive(a)
}

// hostileNames is a layer whose names are every kind of trouble.
func hostileNames(t *testing.T) ([]byte, map[string]string) {
	deep := strings.Repeat("d/", 4095) + "leaf"
	long := strings.Repeat("n", 64<<10)
	// name in the tar → path the analysis must show
	want := map[string]string{
		deep:                              "/" + deep,
		"long/" + long:                    "/long/" + long,
		"/abs/file":                       "/abs/file",
		"../../../escape":                 "/escape",
		"a/../../../../b/c":               "/b/c",
		"./x/./y/../z":                    "/x/z",
		"nl/line1\nline2":                 "/nl/line1\nline2",
		"esc/\x1b]0;pwned\a":              "/esc/\x1b]0;pwned\a",
		"esc/\x1b[2J\x1b[H":               "/esc/\x1b[2J\x1b[H",
		"bad/\xff\xfe\xc3":                "/bad/\xff\xfe\xc3",
		"c1/\u009b31m":                    "/c1/\u009b31m",
		"del/\x7f":                        "/del/\x7f",
		"\x1b[31m/under-an-escaped-dir/f": "/\x1b[31m/under-an-escaped-dir/f",
		// Names that reorder the text shown around them.
		"bidi/invoice\u202egnp.exe":   "/bidi/invoice\u202egnp.exe",
		"bidi/\u2066isolate\u2069.sh": "/bidi/\u2066isolate\u2069.sh",
		"bidi/\u202bembed\u202c":      "/bidi/\u202bembed\u202c",
		"bidi/rlm\u200f\u061c":        "/bidi/rlm\u200f\u061c",
		"bidi/sep\u2028line":          "/bidi/sep\u2028line",
	}
	var hs []*tar.Header
	for name := range want {
		hs = append(hs, reg(name, 3))
	}
	hs = append(hs,
		&tar.Header{Name: "loop/a", Typeflag: tar.TypeSymlink, Linkname: "b"},
		&tar.Header{Name: "loop/b", Typeflag: tar.TypeSymlink, Linkname: "a"},
		&tar.Header{Name: "loop/self", Typeflag: tar.TypeSymlink, Linkname: "self"},
		&tar.Header{Name: "loop/up", Typeflag: tar.TypeSymlink, Linkname: "../loop/up/x"},
		&tar.Header{Name: "link/missing", Typeflag: tar.TypeLink, Linkname: "no/such/file"},
		&tar.Header{Name: "link/outside", Typeflag: tar.TypeLink, Linkname: "../../../etc/shadow"},
		&tar.Header{Name: "link/self", Typeflag: tar.TypeLink, Linkname: "link/self"},
	)
	return tarOf(t, hs...), want
}

// TestHostileNames: absolute, "../", 4,096 levels deep, 64 KiB long, with
// newlines, terminal escapes, C1 controls and invalid UTF-8; symlink loops
// and hard links to missing targets. Paths are normalised under the root;
// the text report shows them escaped, the JSON report as valid strings.
func TestHostileNames(t *testing.T) {
	layer, want := hostileNames(t)
	// A second layer overwrites every file, so that each hostile name is
	// listed in the reports' wasted paths.
	var again []*tar.Header
	for name := range want {
		again = append(again, reg(name, 2))
	}
	a, err := analyzeWithin(t, time.Minute, imageOf(t,
		bytesLayer("names", layer), bytesLayer("again", gzipOf(t, tarOf(t, again...)))))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, a)
	for name, p := range want {
		if _, ok := a.Tree.Lookup(p); !ok {
			t.Errorf("%q: %q is not in the tree", termtext.Escape(name), termtext.Escape(p))
		}
	}
	for _, p := range []string{"/loop/a", "/loop/self", "/link/missing", "/link/outside"} {
		if _, ok := a.Tree.Lookup(p); !ok {
			t.Errorf("%s is not in the tree", p)
		}
	}
	if a.Summary.WastedBytes != int64(3*len(want)) {
		t.Errorf("wasted %d, want %d", a.Summary.WastedBytes, 3*len(want))
	}
	text, doc := checkReports(t, a)
	for _, p := range want {
		if len(p) > 1000 {
			continue // shown shortened or not at all; the raw check above covers it
		}
		if !strings.Contains(text, termtext.Escape(p)) {
			t.Errorf("the text report lacks %s", termtext.Escape(p))
		}
	}
	var parsed struct {
		Wasted []struct{ Path string } `json:"wasted"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, w := range parsed.Wasted {
		got[w.Path] = true
	}
	for _, p := range want {
		if !got[jsonString(p)] {
			t.Errorf("the JSON report lacks %q", termtext.Escape(p))
		}
	}
}

// TestHostileRawNames: names tar.Writer refuses to write. A NUL in a ustar
// name ends it; a NUL in a PAX path is a malformed header. Either way the
// result is a clean analysis or a clear error.
func TestHostileRawNames(t *testing.T) {
	nulUstar := append(rawHeader("nul\x00hidden/../../etc/passwd", tar.TypeReg, 0, ""), endBlocks...)
	a, err := analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer("nul-ustar", nulUstar)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Tree.Lookup("/nul"); !ok {
		t.Error("a ustar name is cut at its NUL: want /nul")
	}
	checkInvariants(t, a)
	checkReports(t, a)

	nulPAX := append(paxHeader([2]string{"path", "a\x00b"}), rawHeader("a", tar.TypeReg, 0, "")...)
	nulPAX = append(nulPAX, endBlocks...)
	_, err = analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer("nul-pax", nulPAX)))
	if err == nil || !strings.Contains(err.Error(), "layer 0") || !strings.Contains(err.Error(), "tar") {
		t.Fatalf("error = %v, want a tar error naming layer 0", err)
	}
}

// TestHostileWhiteoutRoot: whiteouts and opaque markers aimed at "/" (and
// at "..") must not remove the root or escape it.
func TestHostileWhiteoutRoot(t *testing.T) {
	base := tarOf(t, reg("etc/passwd", 10), reg("bin/sh", 20))
	for _, tc := range []struct {
		name    string
		entries []*tar.Header
	}{
		{"whiteout of the root", []*tar.Header{reg(".wh..", 0), reg("/.wh..", 0)}},
		{"whiteout of ..", []*tar.Header{reg(".wh...", 0), reg("../.wh...", 0)}},
		{"opaque root", []*tar.Header{reg(".wh..wh..opq", 0), reg("new", 5)}},
		{"opaque above the root", []*tar.Header{reg("../../.wh..wh..opq", 0)}},
		{"whiteout through ..", []*tar.Header{reg("a/../../.wh.etc", 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer("base", base), bytesLayer(tc.name, tarOf(t, tc.entries...))))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, a)
			checkReports(t, a)
			if a.Tree.Path(tree.Root) != "/" {
				t.Errorf("root path %q", a.Tree.Path(tree.Root))
			}
		})
	}
}

// TestHostileDigestMismatch: a layer whose bytes do not match the digest
// the manifest gives fails with a clear error; a docker archive whose layer
// does not match its diffID fails under --verify.
func TestHostileDigestMismatch(t *testing.T) {
	dir := t.TempDir()
	v1img, err := fixtures.Build(fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "a", Entries: []fixtures.Entry{fixtures.RandomFile("a.bin", 4096, 1)}},
		{CreatedBy: "b", Entries: []fixtures.Entry{fixtures.RandomFile("b.bin", 4096, 2)}},
	}}, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := v1img.Layers()
	d, _ := layers[1].Digest()

	// OCI layout: flip one byte of the second layer's content.
	layout := filepath.Join(dir, "layout")
	if err := fixtures.WriteOCILayout(layout, "x", v1img); err != nil {
		t.Fatal(err)
	}
	flip(t, filepath.Join(layout, "blobs", "sha256", d.Hex), 1024)
	img, err := source.Open(context.Background(), "oci:"+layout, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	_, err = analyzeWithin(t, 30*time.Second, img)
	if err == nil || !strings.Contains(err.Error(), "digest mismatch") || !strings.Contains(err.Error(), "layer 1") {
		t.Fatalf("error = %v, want a digest mismatch of layer 1", err)
	}

	// OCI layout: a blob of another size than the manifest says.
	layout2 := filepath.Join(dir, "layout2")
	if err := fixtures.WriteOCILayout(layout2, "x", v1img); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(layout2, "blobs", "sha256", d.Hex), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 512))
	f.Close()
	if img, err := source.Open(context.Background(), "oci:"+layout2, source.Options{}); err == nil {
		img.Close()
		t.Fatal("a layout whose blob has the wrong size opened")
	} else if !strings.Contains(err.Error(), "the manifest says") {
		t.Fatalf("error = %v, want the size mismatch", err)
	}

	// Docker archive: content no longer matching the config's diffID.
	archive := filepath.Join(dir, "img.tar")
	if err := fixtures.WriteDockerArchive(archive, "x:1", v1img); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(archive)
	i := bytes.Index(raw, fixtures.RandomBytes(4096, 2)[:64])
	if i < 0 {
		t.Fatal("layer content not found in the archive")
	}
	raw[i+100] ^= 0xff
	os.WriteFile(archive, raw, 0o644)
	img2, err := source.Open(context.Background(), archive, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer img2.Close()
	_, err = analyzeWithin(t, 30*time.Second, img2, analyzer.WithVerify(true))
	if err == nil || !strings.Contains(err.Error(), "does not match its diffID") {
		t.Fatalf("error = %v, want the diffID mismatch", err)
	}
}

func flip(t *testing.T, p string, at int64) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonString is what encoding/json makes of s: each byte of invalid UTF-8
// becomes U+FFFD.
func jsonString(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		s = s[size:]
	}
	return b.String()
}

// TestHostileZstdWindow: a zstd frame asking for a 1 GiB window is refused
// before anything is allocated (the decoder's limit is 512 MiB).
func TestHostileZstdWindow(t *testing.T) {
	// magic, frame header descriptor, window descriptor (log 30), one empty
	// raw last block
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x01, 0x00, 0x00}
	_, err := analyzeWithin(t, 30*time.Second, imageOf(t, bytesLayer("zstd-window", frame)))
	if err == nil || !strings.Contains(err.Error(), "zstd layer") || !strings.Contains(err.Error(), "window size exceeded") {
		t.Fatalf("error = %v, want the zstd window refused", err)
	}
}
