package analyzer_test

import (
	"context"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/walk"
)

// The giant image is one small base layer and one 5.5 GB layer of 200,000
// files: nothing to gain from reading layers side by side, everything from
// spreading the work of one layer over the cores.

// catFloor reads the file at path to its end through a 1 MiB buffer, as
// `cat path > /dev/null` does: the fastest the bytes can be had at all.
func catFloor(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		_, err := f.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// BenchmarkGiantArchive: a docker-archive with one 5.5 GB layer of 200,000
// entries. Reports the analysis against the `cat` floor (x-cat, target ≤ 2.0)
// and against one goroutine reading the tar headers and content (x-tar,
// target ≤ 1.3), all three alternated in each iteration.
func BenchmarkGiantArchive(b *testing.B) {
	ref := benchImage(b, "giant.tar")
	img := open(b, ref)
	path := strings.TrimPrefix(ref, "docker-archive:")
	ctx := context.Background()
	if err := catFloor(path); err != nil { // warm the page cache
		b.Fatal(err)
	}
	var catT, tarT, analyzeT time.Duration
	var entries int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		t0 := time.Now()
		if err := catFloor(path); err != nil {
			b.Fatal(err)
		}
		catT += time.Since(t0)
		runtime.GC()
		t1 := time.Now()
		if _, err := floor(ctx, img.Image); err != nil {
			b.Fatal(err)
		}
		tarT += time.Since(t1)
		runtime.GC()
		t2 := time.Now()
		a, err := analyzer.Analyze(ctx, img)
		if err != nil {
			b.Fatal(err)
		}
		analyzeT += time.Since(t2)
		entries = a.Tree.EntryCount()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(catT.Milliseconds())/n, "cat-ms")
	b.ReportMetric(float64(tarT.Milliseconds())/n, "tar-ms")
	b.ReportMetric(float64(analyzeT.Milliseconds())/n, "analyze-ms")
	b.ReportMetric(float64(analyzeT)/float64(catT), "x-cat")
	b.ReportMetric(float64(analyzeT)/float64(tarT), "x-tar")
	b.ReportMetric(float64(entries), "entries")
}

// BenchmarkGiantOCIGzip: the giant image as a gzip OCI layout. The floor is
// gunzipping the layers with the same decompressor to io.Discard (x-gunzip,
// target ≤ 1.1).
func BenchmarkGiantOCIGzip(b *testing.B) {
	img := open(b, benchImage(b, "giant-oci"))
	ctx := context.Background()
	gunzip := func() error {
		layers, err := img.Layers()
		if err != nil {
			return err
		}
		for _, l := range layers {
			rc, err := l.Compressed()
			if err != nil {
				return err
			}
			r, _, release, err := walk.Decompress(rc)
			if err != nil {
				rc.Close()
				return err
			}
			_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, make([]byte, 256<<10))
			release()
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := gunzip(); err != nil { // warm the page cache
		b.Fatal(err)
	}
	var floorT, analyzeT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		t0 := time.Now()
		if err := gunzip(); err != nil {
			b.Fatal(err)
		}
		floorT += time.Since(t0)
		runtime.GC()
		t1 := time.Now()
		if _, err := analyzer.Analyze(ctx, img); err != nil {
			b.Fatal(err)
		}
		analyzeT += time.Since(t1)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(floorT.Milliseconds())/n, "gunzip-ms")
	b.ReportMetric(float64(analyzeT.Milliseconds())/n, "analyze-ms")
	b.ReportMetric(float64(analyzeT)/float64(floorT), "x-gunzip")
}

// BenchmarkBytesPerEntry measures the heap an analysis keeps alive, per
// tar entry, on the giant and the big images (target ≤ 800 bytes).
func BenchmarkBytesPerEntry(b *testing.B) {
	for _, name := range []string{"giant.tar", "big.tar"} {
		b.Run(name, func(b *testing.B) {
			img := open(b, benchImage(b, name))
			ctx := context.Background()
			var perEntry float64
			for i := 0; i < b.N; i++ {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				a, err := analyzer.Analyze(ctx, img)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEntry = float64(after.HeapAlloc-before.HeapAlloc) / float64(a.Tree.EntryCount())
				runtime.KeepAlive(a)
			}
			b.ReportMetric(perEntry, "bytes/entry")
		})
	}
}
