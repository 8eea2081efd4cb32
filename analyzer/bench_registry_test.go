package analyzer_test

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// BenchmarkRegistryDownload analyses an image of eight gzip layers of
// 16 MiB from a registry (the one STRATA_TEST_REGISTRY names, else one in
// this process) against the floor of just downloading its blobs, with the
// same client and as many at once (source.RegistryDownloads), to
// io.Discard, alternating them in each iteration:
//
//	STRATA_TEST_REGISTRY=HOST:PORT go test -run '^$' -bench RegistryDownload -benchtime 3x ./analyzer/
//
// "loopback" reads the registry as fast as the loopback goes: the analysis
// is then bound by the CPU, and is also timed against the analysis of the
// same image from an OCI layout on disk (x-local). "paced" serves each blob
// at 16 MB/s through a proxy, as a remote registry would: if the analysis
// overlaps the downloads, it takes the time of the downloads (x-download
// near 1), where downloading first and analysing after would add the two.
// "paced-gomaxprocs" and "paced-one-at-a-time" are the paced analysis
// reading as many layers at once as there are cores (as strata did before
// it bounded the downloads instead) and one at a time.
func BenchmarkRegistryDownload(b *testing.B) {
	host := os.Getenv("STRATA_TEST_REGISTRY")
	if host == "" {
		srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		b.Cleanup(srv.Close)
		host = strings.TrimPrefix(srv.URL, "http://")
	}
	const repo = "strata-bench/downloads"
	ref, err := name.ParseReference(host+"/"+repo+":1", name.Insecure)
	if err != nil {
		b.Fatal(err)
	}
	img, err := fixtures.Build(fixtures.LayeredImage(8, 16<<20), fixtures.Gzip)
	if err != nil {
		b.Fatal(err)
	}
	want, err := img.Digest()
	if err != nil {
		b.Fatal(err)
	}
	if d, err := remote.Head(ref); err != nil || d.Digest != want {
		b.Logf("pushing %s (once)", ref)
		if err := remote.Write(ref, img); err != nil {
			b.Fatal(err)
		}
	}
	_, _, stored := layerSizes(b, img)
	b.Logf("%d bytes stored in 8 layers", stored)

	layout := b.TempDir()
	if err := fixtures.WriteOCILayout(layout, fixtures.OCIRefName, img); err != nil {
		b.Fatal(err)
	}
	proxy := fixtures.NewRegistryProxy(host, 16<<20)
	b.Cleanup(proxy.Close)
	for _, tc := range []struct {
		name string
		host string
		opts []analyzer.Option
	}{
		{"loopback", host, nil},
		{"paced", proxy.Host, nil},
		{"paced-gomaxprocs", proxy.Host, []analyzer.Option{analyzer.WithConcurrency(runtime.GOMAXPROCS(0))}},
		{"paced-one-at-a-time", proxy.Host, []analyzer.Option{analyzer.WithConcurrency(1)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			ref := "registry://" + tc.host + "/" + repo + ":1"
			opts := source.Options{InsecureRegistries: []string{tc.host}}
			var down, analyse, local time.Duration
			for i := range b.N {
				if tc.name == "loopback" {
					local += timed(b, func() error {
						si, err := source.Open(ctx, "oci:"+layout, source.Options{})
						if err != nil {
							return err
						}
						defer si.Close()
						_, err = analyzer.Analyze(ctx, si)
						return err
					})
				}
				steps := []func(){
					func() { down += timed(b, func() error { return download(ctx, ref, opts) }) },
					func() {
						analyse += timed(b, func() error {
							si, err := source.Open(ctx, ref, opts)
							if err != nil {
								return err
							}
							defer si.Close()
							_, err = analyzer.Analyze(ctx, si, tc.opts...)
							return err
						})
					},
				}
				if i%2 == 1 {
					steps[0], steps[1] = steps[1], steps[0]
				}
				steps[0]()
				steps[1]()
			}
			b.ReportMetric(float64(down.Milliseconds())/float64(b.N), "download-ms")
			b.ReportMetric(float64(analyse.Milliseconds())/float64(b.N), "analyze-ms")
			b.ReportMetric(float64(analyse)/float64(down), "x-download")
			if local > 0 {
				b.ReportMetric(float64(local.Milliseconds())/float64(b.N), "local-ms")
				b.ReportMetric(float64(analyse)/float64(local), "x-local")
			}
			b.ReportMetric(float64(stored)/1e6/(float64(analyse)/float64(b.N)/float64(time.Second)), "analyze-MB/s")
		})
	}
}

// timed runs f and returns how long it took; an error fails the benchmark.
func timed(b *testing.B, f func() error) time.Duration {
	b.Helper()
	start := time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// download opens ref and reads every layer's blob to the end (which checks
// its digest), source.RegistryDownloads at once, into io.Discard.
func download(ctx context.Context, ref string, opts source.Options) error {
	si, err := source.Open(ctx, ref, opts)
	if err != nil {
		return err
	}
	defer si.Close()
	layers, err := si.Layers()
	if err != nil {
		return err
	}
	jobs := make(chan int)
	errs := make(chan error, len(layers))
	var wg sync.WaitGroup
	for range source.RegistryDownloads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rc, err := layers[i].Compressed()
				if err == nil {
					_, err = io.Copy(io.Discard, rc)
					rc.Close()
				}
				errs <- err
			}
		}()
	}
	for i := range layers {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
