package analyzer_test

import (
	"archive/tar"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// The containerd benchmark reads the big gzip OCI layout's image from a
// containerd content store. It needs a containerd whose root is on the same
// disk as $STRATA_BENCH_DIR, named by STRATA_BENCH_CONTAINERD_ADDRESS:
//
//	STRATA_BENCH_CONTAINERD_ADDRESS=/path/containerd.sock \
//	  go test -run '^$' -bench Containerd -benchtime 5x -timeout 60m ./analyzer/
//
// The image is imported once (namespace strata-bench) and kept.
const (
	benchContainerdNS   = "strata-bench"
	benchContainerdName = "example.com/strata-bench/big:" + "1"
)

// benchContainerdImport imports the OCI layout dir into containerd unless
// the image is there already, streaming the layout as a tar into
// `ctr images import`.
func benchContainerdImport(b *testing.B, sock, dir string) {
	b.Helper()
	ctr := func(args ...string) *exec.Cmd {
		return exec.Command("ctr", append([]string{"--address", sock, "--namespace", benchContainerdNS}, args...)...)
	}
	if out, err := ctr("images", "ls", "-q").Output(); err == nil && strings.Contains(string(out), benchContainerdName) {
		return
	}
	b.Logf("importing %s into containerd (once; kept in namespace %s)", dir, benchContainerdNS)
	start := time.Now()
	cmd := ctr("images", "import", "--no-unpack", "--index-name", benchContainerdName, "-")
	pw, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	werr := writeDirTar(pw, dir)
	pw.Close()
	if err := cmd.Wait(); err != nil || werr != nil {
		b.Fatalf("ctr images import: %v (writing the tar: %v)", err, werr)
	}
	b.Logf("imported in %s", time.Since(start).Round(time.Second))
}

// writeDirTar writes the regular files under dir as a tar to w.
func writeDirTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: info.Size(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkContainerdGzip analyses the big image from containerd's content
// store and from the same gzip OCI layout on disk, one after the other in
// each iteration (in alternating order), and reports both, their ratio over
// the run (x-oci, target ≤ 1.1), the median of the iterations' wall-clock
// ratios (x-oci-median) and of their CPU-time ratios (cpu-x-oci-median,
// this process only: with the blobs read in place containerd does nothing
// during the analysis).
func BenchmarkContainerdGzip(b *testing.B) {
	sock := os.Getenv("STRATA_BENCH_CONTAINERD_ADDRESS")
	if sock == "" {
		b.Skip("STRATA_BENCH_CONTAINERD_ADDRESS is not set: no containerd to read from")
	}
	ref := benchImage(b, "big-oci")
	benchContainerdImport(b, sock, strings.TrimPrefix(ref, "oci:"))
	fromOCI := open(b, ref)
	ctx := context.Background()
	fromCtrd, err := source.Open(ctx, "containerd://"+benchContainerdName,
		source.Options{ContainerdAddress: sock, ContainerdNamespace: benchContainerdNS})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fromCtrd.Close() })
	if fromCtrd.Digest != fromOCI.Digest {
		b.Fatalf("containerd holds %s, the layout %s", fromCtrd.Digest, fromOCI.Digest)
	}
	var stored int64
	layers, _ := fromOCI.Layers()
	for _, l := range layers {
		n, _ := l.Size()
		stored += n
	}
	// Warm the page cache for both.
	for _, img := range []*source.Image{fromOCI, fromCtrd} {
		if _, err := floor(ctx, img.Image); err != nil {
			b.Fatal(err)
		}
	}
	var ociT, ctrdT time.Duration
	var ratios, cpuRatios []float64
	var entries int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, so that neither always inherits the
		// other's page cache or the machine's state.
		order := []int{0, 1}
		if i%2 == 1 {
			order = []int{1, 0}
		}
		var wall, cpu [2]time.Duration
		for _, k := range order {
			img := []*source.Image{fromOCI, fromCtrd}[k]
			runtime.GC()
			c0, t0 := cpuTime(), time.Now()
			a, err := analyzer.Analyze(ctx, img)
			if err != nil {
				b.Fatal(err)
			}
			wall[k], cpu[k] = time.Since(t0), cpuTime()-c0
			entries = a.Tree.EntryCount()
		}
		ociT, ctrdT = ociT+wall[0], ctrdT+wall[1]
		ratios = append(ratios, float64(wall[1])/float64(wall[0]))
		cpuRatios = append(cpuRatios, float64(cpu[1])/float64(cpu[0]))
	}
	b.StopTimer()
	b.ReportMetric(float64(ociT.Milliseconds())/float64(b.N), "oci-ms")
	b.ReportMetric(float64(ctrdT.Milliseconds())/float64(b.N), "containerd-ms")
	b.ReportMetric(float64(ctrdT)/float64(ociT), "x-oci")
	b.ReportMetric(median(ratios), "x-oci-median")
	b.ReportMetric(median(cpuRatios), "cpu-x-oci-median")
	b.ReportMetric(float64(stored)/1e6, "stored-MB")
	b.ReportMetric(float64(entries), "entries")
}
