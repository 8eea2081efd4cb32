package analyzer_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// realRegistry is the plain-HTTP registry the CI script starts; the test
// skips (see fixtures.Skip) without one.
func realRegistry(t testing.TB) string {
	t.Helper()
	host := os.Getenv("STRATA_TEST_REGISTRY")
	if host == "" {
		fixtures.Skip(t, "STRATA_TEST_REGISTRY is not set (the CI script starts docker-registry and sets it)")
	}
	return host
}

// pushLayered pushes fixtures.LayeredImage(n, layerBytes) with gzip layers
// to host/repo:1 and returns it.
func pushLayered(t testing.TB, host, repo string, n int, layerBytes int64) v1.Image {
	t.Helper()
	img, err := fixtures.Build(fixtures.LayeredImage(n, layerBytes), fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host+"/"+repo+":1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return img
}

// layerSizes is the manifest's compressed size of each layer, by digest,
// and their sum.
func layerSizes(t testing.TB, img v1.Image) (map[string]int64, []string, int64) {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	var order []string
	var total int64
	for _, l := range m.Layers {
		sizes[l.Digest.String()] = l.Size
		order = append(order, l.Digest.String())
		total += l.Size
	}
	return sizes, order, total
}

// TestRegistryDownloadsOverlapAnalysis analyses an image of six layers from
// the real registry through a proxy that serves each blob at 8 MB/s, as a
// remote registry would: at most source.RegistryDownloads blobs are
// downloaded at once, and that many are; each layer is walked as it
// arrives, so the first is analysed whole before the last is downloaded;
// the progress counts the bytes downloaded against the manifest's total,
// known from the first report, and each blob is downloaded once, whole.
func TestRegistryDownloadsOverlapAnalysis(t *testing.T) {
	host := realRegistry(t)
	img := pushLayered(t, host, "strata-analyzer/downloads", 6, 5<<19) // 6 × 2.5 MiB
	sizes, order, total := layerSizes(t, img)
	proxy := fixtures.NewRegistryProxy(host, 8<<20)
	defer proxy.Close()

	ctx := context.Background()
	si, err := source.Open(ctx, "registry://"+proxy.Host+"/strata-analyzer/downloads:1", source.Options{InsecureRegistries: []string{proxy.Host}})
	if err != nil {
		t.Fatal(err)
	}
	defer si.Close()
	proxy.Reset()
	configDigest, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	var (
		reports       []analyzer.Progress
		firstWalked   time.Time // layer 0's walk reported bytes read
		firstAnalyzed time.Time // layer 0's walk ended
	)
	start := time.Now()
	a, err := analyzer.Analyze(ctx, si, analyzer.WithProgress(func(p analyzer.Progress) {
		reports = append(reports, p)
		if p.Layer == 0 && p.Read > 0 && firstWalked.IsZero() {
			firstWalked = time.Now()
		}
		if p.Layer == 0 && p.Done {
			firstAnalyzed = time.Now()
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("analysed %d layers (%d bytes stored) in %s", len(a.Layers), total, time.Since(start).Round(time.Millisecond))

	if got, want := proxy.MaxInFlight(), source.RegistryDownloads; got != want {
		t.Errorf("at most %d blobs downloaded at once, want %d", got, want)
	}
	// The proxy ends a download once the client has read all of it.
	for deadline := time.Now().Add(5 * time.Second); proxy.InFlight() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	ended := map[string]fixtures.BlobDownload{}
	var served int64
	for _, d := range proxy.Downloads() {
		if d.Digest == configDigest.String() {
			continue // fetched by Open; its download may end after the Reset
		}
		if _, again := ended[d.Digest]; again {
			t.Errorf("blob %s downloaded twice", d.Digest)
		}
		ended[d.Digest] = d
		served += d.Bytes
		if want, ok := sizes[d.Digest]; !ok || d.Bytes != want || d.Status != 200 {
			t.Errorf("blob %s: %d bytes served (status %d), want one of the layers, whole (%d bytes)", d.Digest, d.Bytes, d.Status, want)
		}
	}
	if served != total || len(ended) != len(order) {
		t.Errorf("%d bytes of %d blobs served, want the manifest's %d bytes of %d layers", served, len(ended), total, len(order))
	}
	first, last := ended[order[0]], ended[order[len(order)-1]]
	if firstWalked.IsZero() || !firstWalked.Before(first.End) {
		t.Errorf("layer 0 was first walked at %s, its download ended at %s: want the walk to read it as it arrives",
			firstWalked.Sub(start), first.End.Sub(start))
	}
	if firstAnalyzed.IsZero() || !firstAnalyzed.Before(last.End) {
		t.Errorf("layer 0 was analysed at %s, the last layer's download ended at %s: want the analysis to overlap the downloads",
			firstAnalyzed.Sub(start), last.End.Sub(start))
	}
	checkProgress(t, reports, total)
	for i, p := range reports {
		if !p.Downloading {
			t.Errorf("report %d does not say the layers are downloaded: %+v", i, p)
			break
		}
		if p.Done && p.Read != p.Size {
			t.Errorf("layer %d done after %d bytes downloaded of %d", p.Layer, p.Read, p.Size)
		}
	}
}

// TestRegistryDownloadsEndWithTheContext cancels an analysis while three
// layers download slowly: the progress moved as their first bytes arrived,
// the analysis returns the cancellation at once and every download in
// flight ends, though the process lives on (as the browser does when its
// loading is cancelled).
func TestRegistryDownloadsEndWithTheContext(t *testing.T) {
	host := realRegistry(t)
	pushLayered(t, host, "strata-analyzer/cancel", 4, 4<<20)
	proxy := fixtures.NewRegistryProxy(host, 1<<20)
	defer proxy.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	si, err := source.Open(ctx, "registry://"+proxy.Host+"/strata-analyzer/cancel:1", source.Options{InsecureRegistries: []string{proxy.Host}})
	if err != nil {
		t.Fatal(err)
	}
	defer si.Close()
	var (
		mu       sync.Mutex
		arrivals int // reports of less than the walk's step (1 MiB) read
	)
	done := make(chan error, 1)
	go func() {
		_, err := analyzer.Analyze(ctx, si, analyzer.WithProgress(func(p analyzer.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Layer >= 0 && p.Read > 0 && p.Read < 1<<20 {
				arrivals++
			}
		}))
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); proxy.InFlight() < source.RegistryDownloads; {
		if time.Now().After(deadline) {
			t.Fatalf("%d downloads in flight after 10s, want %d", proxy.InFlight(), source.RegistryDownloads)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	if arrivals == 0 {
		t.Error("no progress reported while the first MiB of each layer arrived at 1 MiB/s")
	}
	mu.Unlock()
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the analysis returned %v, want the cancellation", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the analysis still runs a second after its context was cancelled")
	}
	returned := time.Since(start)
	for proxy.InFlight() > 0 && time.Since(start) < time.Second {
		time.Sleep(time.Millisecond)
	}
	t.Logf("returned %s after the cancellation, downloads ended after %s", returned.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if n := proxy.InFlight(); n > 0 {
		t.Errorf("%d downloads still in flight a second after the cancellation", n)
	}
}

// TestRegistryDownloadsBoundedWhateverTheReaders reads the six layers with
// eight walks at once: the source still downloads at most
// source.RegistryDownloads blobs at a time, and the others wait their turn.
func TestRegistryDownloadsBoundedWhateverTheReaders(t *testing.T) {
	host := realRegistry(t)
	img := pushLayered(t, host, "strata-analyzer/downloads", 6, 5<<19)
	_, _, total := layerSizes(t, img)
	proxy := fixtures.NewRegistryProxy(host, 32<<20)
	defer proxy.Close()
	ctx := context.Background()
	si, err := source.Open(ctx, "registry://"+proxy.Host+"/strata-analyzer/downloads:1", source.Options{InsecureRegistries: []string{proxy.Host}})
	if err != nil {
		t.Fatal(err)
	}
	defer si.Close()
	a, err := analyzer.Analyze(ctx, si, analyzer.WithConcurrency(8))
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	for _, l := range a.Layers {
		stored += l.CompressedBytes
	}
	if got, want := proxy.MaxInFlight(), source.RegistryDownloads; got != want || stored != total {
		t.Errorf("at most %d blobs downloaded at once, %d bytes stored; want %d, %d", got, stored, want, total)
	}
}
