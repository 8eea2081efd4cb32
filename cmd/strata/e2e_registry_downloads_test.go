package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/fixtures"
)

// e2ePushLayered pushes fixtures.LayeredImage(n, layerBytes), gzip layers,
// to the real registry as repo:1 and returns the registry and the image.
func e2ePushLayered(t *testing.T, repo string, n int, layerBytes int64) (string, v1.Image) {
	t.Helper()
	reg := e2eNeedEnv(t, e2eVarRegistry, "registry")
	img, err := fixtures.Build(fixtures.LayeredImage(n, layerBytes), fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(reg+"/"+repo+":1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return reg, img
}

// e2eReportWithoutOrigin decodes a JSON report whole, less the fields that
// say where the image was read from.
func e2eReportWithoutOrigin(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("decoding the report: %v\n%s", err, e2eClip(string(b)))
	}
	img, ok := doc["image"].(map[string]any)
	if !ok || len(doc["layers"].([]any)) == 0 {
		t.Fatalf("the report has no image or no layers:\n%s", e2eClip(string(b)))
	}
	// The registry's manifest is the OCI one pushed; the archive's is the
	// Docker one docker save would write: their digests differ.
	for _, k := range []string{"reference", "source", "name", "digest"} {
		delete(img, k)
	}
	return doc
}

// TestE2ERegistryDownloadsAgree analyses an image of six gzip layers from
// the real registry, its layers downloaded three at a time through a proxy
// that paces them, named with registry:// and as a bare reference (no
// daemon has it), and from a docker archive of the same image: the reports
// are identical but for where the image came from.
func TestE2ERegistryDownloadsAgree(t *testing.T) {
	e2eSkipShort(t)
	reg, img := e2ePushLayered(t, "e2e/downloads", 6, 1<<20)
	proxy := fixtures.NewRegistryProxy(reg, 16<<20)
	defer proxy.Close()
	archive := filepath.Join(t.TempDir(), "downloads.tar")
	if err := fixtures.WriteDockerArchive(archive, "e2e/downloads:1", img); err != nil {
		t.Fatal(err)
	}
	want := e2eReportWithoutOrigin(t, e2eAnalyzeJSON(t, e2eEnv(t), "docker-archive:"+archive))

	for _, ref := range []string{"registry://" + proxy.Host + "/e2e/downloads:1", proxy.Host + "/e2e/downloads:1"} {
		t.Run(strings.SplitN(ref, ":", 2)[0], func(t *testing.T) {
			proxy.Reset()
			r := e2eStrata(t, e2eEnv(t), "analyze", ref, "--format", "json", "--insecure-registry", proxy.Host)
			if r.code != 0 {
				t.Fatalf("want exit 0\n%s", r)
			}
			if !strings.Contains(r.stderr, "strata: downloading 6.3 MB in 6 layers\n") {
				t.Errorf("stderr does not say what is downloaded:\n%s", r.stderr)
			}
			if got := proxy.MaxInFlight(); got != 3 {
				t.Errorf("%d blobs downloaded at once at most, want 3", got)
			}
			got := e2eReportWithoutOrigin(t, []byte(r.stdout))
			if src := got["image"]; src == nil {
				t.Fatal("no image in the report")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: the report differs from the docker archive's (-archive +registry):\n%s", ref, diff)
			}
		})
	}
}

// TestE2EInterruptRegistryDownload interrupts strata while it downloads
// three layers of an image from the real registry through a proxy that
// serves them slowly: it exits within a second, leaves nothing behind, and
// every download it had in flight ends with it, none of them whole.
func TestE2EInterruptRegistryDownload(t *testing.T) {
	e2eSkipShort(t)
	reg, img := e2ePushLayered(t, "e2e/interrupt-downloads", 4, 4<<20)
	proxy := fixtures.NewRegistryProxy(reg, 1<<20)
	defer proxy.Close()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, l := range m.Layers {
		sizes[l.Digest.String()] = l.Size
	}

	c := e2eStartStrata(t, e2eEnv(t), "analyze", "registry://"+proxy.Host+"/e2e/interrupt-downloads:1", "--insecure-registry", proxy.Host)
	c.waitFor(t, "three layers downloading", func() bool {
		return strings.Contains(c.stderr.String(), "strata: downloading") && proxy.InFlight() == 3
	})
	time.Sleep(300 * time.Millisecond)
	c.interrupt(t)
	deadline := time.Now().Add(time.Second)
	for proxy.InFlight() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := proxy.InFlight(); n > 0 {
		t.Errorf("%d downloads still in flight a second after strata exited", n)
	}
	var layers int
	for _, d := range proxy.Downloads() {
		size, ok := sizes[d.Digest]
		if !ok {
			continue // the configuration
		}
		layers++
		if d.Bytes >= size {
			t.Errorf("blob %s was downloaded whole (%d bytes) before the interrupt", d.Digest, d.Bytes)
		}
	}
	if layers != 3 {
		t.Errorf("%d layer downloads ended, want the 3 in flight", layers)
	}
}

// e2eDownloadingLine is one drawing of the progress bar while a registry
// image downloads.
var e2eDownloadingLine = regexp.MustCompile(`^Downloading \[[= ]+\] +(\d+)%  (.+?) / (.+?)  (\d+)/(\d+) layers(?:  ETA (\S+))? *$`)

// TestE2ERegistryDownloadProgress analyses an image of six layers from the
// real registry, served at 2 MB/s per blob through a proxy, with a terminal,
// and reads every drawing of the progress bar: the total is the manifest's
// from the first drawing on, the bytes downloaded, the percentage and the
// layers done never go backwards, an estimate of the time left is shown
// once the download is under way, and the download reaches the whole total
// before the merging and the rules, in order.
func TestE2ERegistryDownloadProgress(t *testing.T) {
	e2eSkipShort(t)
	reg, img := e2ePushLayered(t, "e2e/progress-downloads", 6, 5<<19)
	proxy := fixtures.NewRegistryProxy(reg, 2<<20)
	defer proxy.Close()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, l := range m.Layers {
		total += l.Size
	}
	out := e2eRunInTerminal(t, e2eEnv(t), "analyze", "--format", "json", "-o", os.DevNull,
		"--insecure-registry", proxy.Host, "registry://"+proxy.Host+"/e2e/progress-downloads:1")

	var phases []string
	var drawings, etas int
	var lastRead uint64
	lastPercent, lastDone := -1, -1
	for _, d := range strings.Split(strings.ReplaceAll(out, "\n", "\r"), "\r") {
		d = strings.TrimSpace(d)
		word, _, _ := strings.Cut(d, " ")
		switch word {
		case "Downloading", "Merging", "Computing":
		default:
			continue
		}
		if len(phases) == 0 || phases[len(phases)-1] != word {
			phases = append(phases, word)
		}
		if word != "Downloading" {
			continue
		}
		m := e2eDownloadingLine.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("drawing %q is not a download's progress bar", d)
		}
		drawings++
		if want := termtext.Bytes(total); m[3] != want || m[5] != "6" {
			t.Errorf("drawing %d %q: total %s of %s layers, want the manifest's %s of 6", drawings, d, m[3], m[5], want)
		}
		percent, _ := strconv.Atoi(m[1])
		read, err := humanize.ParseBytes(m[2])
		if err != nil {
			t.Fatalf("drawing %q: bytes downloaded %q: %v", d, m[2], err)
		}
		done, _ := strconv.Atoi(m[4])
		if percent < lastPercent || read < lastRead || done < lastDone {
			t.Errorf("drawing %d %q goes backwards (after %d%%, %s, %d layers)", drawings, d, lastPercent, humanize.Bytes(lastRead), lastDone)
		}
		lastPercent, lastRead, lastDone = percent, read, done
		if m[6] != "" {
			etas++
			if left, err := time.ParseDuration(m[6]); err != nil || left > 10*time.Second {
				t.Errorf("drawing %d %q: ETA %q, want a few seconds at most", drawings, d, m[6])
			}
		}
	}
	t.Logf("%d drawings of the download, %d with an ETA", drawings, etas)
	if drawings < 5 || etas == 0 {
		t.Errorf("%d drawings of the download, %d with an ETA; want several, some with one:\n%q", drawings, etas, e2eClip(out))
	}
	if lastPercent != 100 || lastDone != 6 {
		t.Errorf("the download ended at %d%%, %d layers of 6", lastPercent, lastDone)
	}
	if want := []string{"Downloading", "Merging", "Computing"}; strings.Join(phases, " ") != strings.Join(want, " ") {
		t.Errorf("phases drawn %v, want %v", phases, want)
	}
}

// TestE2EInterruptBrowserRegistryDownload presses Ctrl-C in a real terminal
// while the browser's loading screen shows a registry image downloading
// slowly through a proxy: the screen says the image is downloaded, and
// strata exits within a second with the terminal restored, TMPDIR empty
// and no download left in flight.
func TestE2EInterruptBrowserRegistryDownload(t *testing.T) {
	e2eSkipShort(t)
	reg, _ := e2ePushLayered(t, "e2e/interrupt-downloads", 4, 4<<20)
	proxy := fixtures.NewRegistryProxy(reg, 1<<20)
	defer proxy.Close()
	term := e2eStartTerminal(t, e2eEnv(t, "CI", "DIVE_CI", "NO_COLOR", "TERM=xterm-256color", "TMUX"))
	tmp := t.TempDir()
	ref := "registry://" + proxy.Host + "/e2e/interrupt-downloads:1"
	shell := fmt.Sprintf("env -u CI -u DIVE_CI TMPDIR=%q %q --insecure-registry %s %q; echo STRATA-EXIT=$? STRATA-AT=$(date +%%s%%N); sleep 600",
		tmp, e2eBinary(t), proxy.Host, ref)
	term.open(t, "download", shell, 100, 30)
	defer term.run("kill-session", "-t", "download")
	term.expect(t, "download", "loading", 30*time.Second, "downloading "+ref, "layer  0")
	for deadline := time.Now().Add(10 * time.Second); proxy.InFlight() < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("%d downloads in flight, want 3:\n%s", proxy.InFlight(), term.screen("download"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if out, err := term.run("send-keys", "-t", "download", "C-c"); err != nil {
		t.Fatalf("send-keys: %v\n%s", err, out)
	}
	screen := term.expect(t, "download", "exit", 10*time.Second, "STRATA-EXIT=130", "STRATA-AT=")
	m := e2eExitedAt.FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("the shell did not say when strata exited:\n%s", screen)
	}
	at, _ := strconv.ParseInt(m[1], 10, 64)
	elapsed := time.Unix(0, at).Sub(start)
	t.Logf("exited %s after Ctrl-C", elapsed.Round(time.Millisecond))
	if elapsed > e2eInterruptLimit {
		t.Errorf("strata took %s to exit after Ctrl-C, want at most %s", elapsed, e2eInterruptLimit)
	}
	if alt, _ := term.run("display-message", "-p", "-t", "download", "#{alternate_on}"); strings.TrimSpace(alt) != "0" {
		t.Errorf("the terminal was not restored: still on the alternate screen")
	}
	e2eNoTempFiles(t, tmp)
	for deadline := time.Now().Add(time.Second); proxy.InFlight() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := proxy.InFlight(); n > 0 {
		t.Errorf("%d downloads still in flight a second after strata exited", n)
	}
}
