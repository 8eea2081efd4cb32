package main

import (
	"archive/tar"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The images the Docker tests build. The Dockerfile of the waste image is
// testdata/e2e/waste/Dockerfile; its comments give the numbers below.
const (
	e2eBaseRef  = "strata-e2e/base:1"
	e2eWasteRef = "strata-e2e/waste:1"

	e2eBusybox     = "/bin/busybox" // from Debian's busybox-static
	e2ePayloadSize = 20000          // payload.bin, written into the build context
)

// e2eApplets are the commands of the base image, symlinks to busybox.
var e2eApplets = []string{"sh", "ls", "rm", "chmod", "cp", "mkdir", "echo", "dd", "cat"}

// e2eWasteFixture is the waste image, built once per test process in the test
// Docker Engine.
type e2eWasteFixture struct {
	host        string // DOCKER_HOST of the engine holding the image
	busyboxSize int64  // size of /bin/busybox, layer 0's only regular file
}

var e2eWasteState struct {
	once sync.Once
	fx   e2eWasteFixture
	err  error

	archiveOnce sync.Once
	archive     string // `docker save` of the image
	archiveErr  error
}

// e2eWasteImage returns the waste image, building it on first use: the base is
// a busybox rootfs imported with `docker import`, then the Dockerfile in
// testdata/e2e/waste is built with the legacy builder. It skips the test
// when no Docker Engine is configured.
func e2eWasteImage(t *testing.T) e2eWasteFixture {
	t.Helper()
	e2eSkipShort(t)
	host := e2eNeedEnv(t, e2eVarDockerHost, "Docker Engine")
	e2eNeedTool(t, "docker")
	e2eWasteState.once.Do(func() { e2eWasteState.fx, e2eWasteState.err = e2eBuildWaste(host) })
	if e2eWasteState.err != nil {
		t.Fatalf("building %s: %v", e2eWasteRef, e2eWasteState.err)
	}
	return e2eWasteState.fx
}

// e2eWasteArchive returns a `docker save` archive of the waste image, made once.
func e2eWasteArchive(t *testing.T) string {
	t.Helper()
	fx := e2eWasteImage(t)
	e2eWasteState.archiveOnce.Do(func() {
		path := filepath.Join(e2e.tmp, "waste-docker-save.tar")
		_, e2eWasteState.archiveErr = e2eDocker(fx.host, filepath.Join(e2e.tmp, "docker-config"), "save", "-o", path, e2eWasteRef)
		e2eWasteState.archive = path
	})
	if e2eWasteState.archiveErr != nil {
		t.Fatal(e2eWasteState.archiveErr)
	}
	return e2eWasteState.archive
}

// e2eBuildWaste imports the base image and builds the waste image.
func e2eBuildWaste(host string) (e2eWasteFixture, error) {
	fx := e2eWasteFixture{host: host}
	dir, err := os.MkdirTemp(e2e.tmp, "waste-")
	if err != nil {
		return fx, err
	}
	config := filepath.Join(e2e.tmp, "docker-config")

	rootfs, size, err := e2eBaseRootfs()
	if err != nil {
		return fx, err
	}
	fx.busyboxSize = size
	rootfsTar := filepath.Join(dir, "rootfs.tar")
	if err := os.WriteFile(rootfsTar, rootfs, 0o644); err != nil {
		return fx, err
	}
	if _, err := e2eDocker(host, config, "import", rootfsTar, e2eBaseRef); err != nil {
		return fx, err
	}

	ctxDir := filepath.Join(dir, "context")
	if err := os.MkdirAll(ctxDir, 0o755); err != nil {
		return fx, err
	}
	dockerfile, err := os.ReadFile(filepath.Join("testdata", "e2e", "waste", "Dockerfile"))
	if err != nil {
		return fx, err
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), dockerfile, 0o644); err != nil {
		return fx, err
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "payload.bin"), e2eText(e2ePayloadSize), 0o644); err != nil {
		return fx, err
	}
	_, err = e2eDocker(host, config, "build", "--rm", "--force-rm", "-t", e2eWasteRef, ctxDir)
	return fx, err
}

// e2eBaseRootfs returns the base image's rootfs tar: /bin/busybox with its
// applet symlinks, /tmp and /app. It also returns busybox's size.
func e2eBaseRootfs() ([]byte, int64, error) {
	f, err := elf.Open(e2eBusybox)
	if err != nil {
		return nil, 0, fmt.Errorf("the base image needs a static %s (Debian package busybox-static): %w", e2eBusybox, err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			f.Close()
			return nil, 0, fmt.Errorf("%s is dynamically linked; install busybox-static", e2eBusybox)
		}
	}
	f.Close()
	body, err := os.ReadFile(e2eBusybox)
	if err != nil {
		return nil, 0, err
	}
	entries := []e2eEntry{
		{name: "bin/", typ: tar.TypeDir},
		{name: "bin/busybox", body: body, mode: 0o755},
	}
	for _, a := range e2eApplets {
		entries = append(entries, e2eEntry{name: "bin/" + a, typ: tar.TypeSymlink, link: "busybox"})
	}
	entries = append(entries,
		e2eEntry{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		e2eEntry{name: "app/", typ: tar.TypeDir},
	)
	rootfs, err := e2eTarBytes(entries...)
	return rootfs, int64(len(body)), err
}

// TestE2EWasteFromDockerEngine analyses the waste image straight from the
// Docker Engine and checks every number the Dockerfile implies.
func TestE2EWasteFromDockerEngine(t *testing.T) {
	fx := e2eWasteImage(t)
	env := e2eEnv(t, "DOCKER_HOST="+fx.host)
	rep := e2eDecode(t, e2eAnalyzeJSON(t, env, "docker://"+e2eWasteRef))

	b := fx.busyboxSize
	const (
		big     = 300000
		payload = e2ePayloadSize
		cache   = 4000 + 6000
		hello   = 6
	)
	if rep.SchemaVersion != 1 {
		t.Errorf("schemaVersion = %d, want 1", rep.SchemaVersion)
	}
	if rep.Image.Source != "docker" {
		t.Errorf("image.source = %q, want docker", rep.Image.Source)
	}
	if !strings.HasPrefix(rep.Image.Digest, "sha256:") {
		t.Errorf("image.digest = %q, want a sha256 digest", rep.Image.Digest)
	}

	// Layers: 0 is the import, then one per RUN/COPY; ENV and WORKDIR make
	// none. Counts are of paths, directories included; /app, re-added with
	// the same metadata by every layer, is unchanged.
	type layerWant struct {
		command                                 string // a part of the history instruction
		size, wasted                            int64
		added, modified, removed                int
		addedBytes, modifiedBytes, removedBytes int64
	}
	want := []layerWant{
		// bin, bin/busybox, 9 applet links, tmp, app
		0: {size: b, added: 2 + len(e2eApplets) + 2, addedBytes: b},
		1: {command: "dd if=/dev/zero of=/app/big.bin", size: big, wasted: big, added: 1, addedBytes: big},
		2: {command: "rm /app/big.bin", removed: 1, removedBytes: big},
		3: {command: "COPY", size: payload, wasted: payload, added: 1, addedBytes: payload},
		4: {command: "chmod 600 /app/payload.bin", size: payload, modified: 1, modifiedBytes: payload},
		// the directory and its two files
		5: {command: "mkdir /app/cache", size: cache, wasted: cache, added: 3, addedBytes: cache},
		6: {command: "rm -rf /app/cache", removed: 3, removedBytes: cache},
		7: {command: "echo hello", size: hello + payload, added: 2, addedBytes: hello + payload},
	}
	if len(rep.Layers) != len(want) {
		t.Fatalf("got %d layers, want %d:\n%+v", len(rep.Layers), len(want), rep.Layers)
	}
	for i, w := range want {
		l := rep.Layers[i]
		got := layerWant{
			command: w.command, size: l.SizeBytes, wasted: l.WastedBytes,
			added: l.Added, modified: l.Modified, removed: l.Removed,
			addedBytes: l.AddedBytes, modifiedBytes: l.ModifiedBytes, removedBytes: l.RemovedBytes,
		}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(layerWant{})); diff != "" {
			t.Errorf("layer %d (%q) (-want +got):\n%s", i, l.Command, diff)
		}
		if l.Index != i {
			t.Errorf("layer %d: index = %d", i, l.Index)
		}
		if !strings.Contains(l.Command, w.command) {
			t.Errorf("layer %d: command = %q, want it to contain %q", i, l.Command, w.command)
		}
		if !strings.HasPrefix(l.DiffID, "sha256:") || !strings.HasPrefix(l.Digest, "sha256:") {
			t.Errorf("layer %d: digest %q, diffID %q: want sha256 digests", i, l.Digest, l.DiffID)
		}
	}

	total := b + big + 2*payload + cache + hello + payload
	wasted := int64(big + payload + cache)
	user := total - b
	wantSummary := e2eSummary{
		TotalBytes:        total,
		VisibleBytes:      total - wasted,
		WastedBytes:       wasted,
		Efficiency:        float64(total-wasted) / float64(total),
		UserBytes:         user,
		UserWastedBytes:   wasted, // every shadowing layer is a user layer
		UserWastedPercent: float64(wasted) / float64(user),
		// copy.bin duplicates payload.bin
		DuplicateBytes: payload,
		// removing the waste and the duplicate
		PotentialSavingsBytes: wasted + payload,
		// bin, busybox, 9 links, tmp, app, payload.bin, hello.txt, copy.bin
		FileCount:  2 + len(e2eApplets) + 2 + 3,
		LayerCount: len(want),
	}
	gotSummary := rep.Summary
	gotSummary.Dive = e2eDive{} // not derived here
	if diff := cmp.Diff(wantSummary, gotSummary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}

	// The wasted paths, largest first, with where each copy was shadowed.
	type occurrence struct{ Layer, SizeBytes, ShadowedBy int }
	type wastedWant struct {
		Path        string
		Bytes       int64
		Occurrences []occurrence
	}
	wantWasted := []wastedWant{
		{"/app/big.bin", big, []occurrence{{1, big, 2}}},
		{"/app/payload.bin", payload, []occurrence{{3, payload, 4}}},
		{"/app/cache/b.bin", 6000, []occurrence{{5, 6000, 6}}},
		{"/app/cache/a.bin", 4000, []occurrence{{5, 4000, 6}}},
	}
	var gotWasted []wastedWant
	for _, w := range rep.Wasted {
		if w.Bytes == 0 {
			continue // shadowed directories cost nothing
		}
		g := wastedWant{Path: "/" + strings.TrimPrefix(w.Path, "/"), Bytes: w.Bytes}
		for _, o := range w.Occurrences {
			g.Occurrences = append(g.Occurrences, occurrence{o.Layer, int(o.SizeBytes), o.ShadowedBy})
		}
		gotWasted = append(gotWasted, g)
	}
	if diff := cmp.Diff(wantWasted, gotWasted); diff != "" {
		t.Errorf("wasted (-want +got):\n%s", diff)
	}
}

// TestE2EWasteOutputFile checks that -o writes the report to the file and
// nothing to stdout, and that the text format works on the same image.
func TestE2EWasteOutputFile(t *testing.T) {
	fx := e2eWasteImage(t)
	env := e2eEnv(t, "DOCKER_HOST="+fx.host)
	out := filepath.Join(t.TempDir(), "report.json")
	r := e2eStrata(t, env, "analyze", "docker://"+e2eWasteRef, "--format", "json", "-o", out)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("strata analyze -o: want exit 0 and empty stdout\n%s", r)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := e2eDecode(t, b); got.Summary.WastedBytes != 300000+e2ePayloadSize+10000 {
		t.Errorf("report file: wastedBytes = %d", got.Summary.WastedBytes)
	}

	r = e2eStrata(t, env, "analyze", "docker://"+e2eWasteRef, "--format", "text")
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("strata analyze --format text: want exit 0 and a report\n%s", r)
	}
}
