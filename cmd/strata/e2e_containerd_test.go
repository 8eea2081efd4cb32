package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// e2eContainerdNS is the namespace the tests import the waste image into.
const e2eContainerdNS = "strata-e2e"

// e2eContainerdSocket returns the test containerd's socket path, or skips.
func e2eContainerdSocket(t *testing.T) string {
	t.Helper()
	e2eSkipShort(t)
	sock := strings.TrimPrefix(e2eNeedEnv(t, e2eVarContainerd, "containerd"), "unix://")
	e2eNeedTool(t, "ctr")
	return sock
}

// e2eCtr runs ctr against the test containerd in namespace ns.
func e2eCtr(t *testing.T, sock, ns string, args ...string) string {
	t.Helper()
	return e2eMustTool(t, nil, "ctr", append([]string{"--address", sock, "--namespace", ns}, args...)...)
}

// e2eContainerdImports imports the waste image's docker save archive into a
// namespace of the test containerd, once per namespace.
var e2eContainerdImports struct {
	mu   sync.Mutex
	done map[string]bool
}

// e2eContainerdWaste makes the waste image available in containerd
// namespace ns (stored as docker.io/strata-e2e/waste:1) and returns the
// socket.
func e2eContainerdWaste(t *testing.T, ns string) string {
	t.Helper()
	sock := e2eContainerdSocket(t)
	archive := e2eWasteArchive(t)
	s := &e2eContainerdImports
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done[ns] {
		e2eCtr(t, sock, ns, "images", "import", "--no-unpack", archive)
		if s.done == nil {
			s.done = map[string]bool{}
		}
		s.done[ns] = true
	}
	return sock
}

// e2eContainerdArgs are the flags that point strata at namespace ns.
func e2eContainerdArgs(sock, ns string) []string {
	return []string{"--containerd-address", sock, "--containerd-namespace", ns}
}

// TestE2EContainerdMissingPlatform imports a two-platform index with only
// linux/amd64's content (the garbage collector then removes the rest, as on
// a node that pulled one platform): linux/arm64 is a clear error naming the
// missing blob and the commands that fetch it, with no report at all; the
// imported platform is analysed.
func TestE2EContainerdMissingPlatform(t *testing.T) {
	sock := e2eContainerdSocket(t)
	const ns, name = e2eContainerdNS + "-multi", "example.com/strata-e2e/multi:1"
	amd, arm := e2eSampleImage(t, 3000), e2eSampleImage(t, 5000)
	arm.arch = "arm64"
	dir := filepath.Join(t.TempDir(), "layout")
	oci := e2eWriteOCI(t, dir, e2eOCIImage{image: amd, gzip: true}, e2eOCIImage{image: arm, gzip: true})
	archive := filepath.Join(t.TempDir(), "multi.tar")
	e2eMustTool(t, nil, "tar", "-C", dir, "-cf", archive, ".")
	e2eCtr(t, sock, ns, "images", "import", "--no-unpack", "--platform", "linux/amd64", "--index-name", name, archive)
	t.Cleanup(func() { e2eTool(nil, "ctr", "--address", sock, "--namespace", ns, "images", "rm", "--sync", name) })
	lease := strings.TrimSpace(e2eCtr(t, sock, ns, "leases", "create"))
	e2eCtr(t, sock, ns, "leases", "delete", "--sync", lease) // runs the garbage collector

	// The arm64 manifest is the second index entry; its blob is gone.
	var index struct {
		Manifests []struct{ Digest string } `json:"manifests"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil || json.Unmarshal(b, &index) != nil || len(index.Manifests) != 2 {
		t.Fatalf("reading the layout's index.json: %v\n%s", err, b)
	}
	armManifest := index.Manifests[1].Digest
	if have := e2eCtr(t, sock, ns, "content", "ls", "-q"); strings.Contains(have, armManifest) ||
		!strings.Contains(have, oci.layers[0][1].Digest) {
		t.Fatalf("the content store should hold linux/amd64's blobs only:\n%s", have)
	}

	env := e2eEnv(t)
	args := append([]string{"analyze", "containerd://" + name, "--format", "json", "--platform", "linux/arm64"}, e2eContainerdArgs(sock, ns)...)
	r := e2eStrata(t, env, args...)
	if r.code != 2 || r.stdout != "" {
		t.Fatalf("want exit 2 and no report\n%s", r)
	}
	for _, want := range []string{
		"containerd://" + name + ": content missing: the manifest for linux/arm64 (blob " + armManifest + ")",
		`namespace "` + ns + `" of containerd at ` + sock,
		"`ctr -n " + ns + " content fetch --platform linux/arm64 " + name + "`",
		"`nerdctl -n " + ns + " pull --all-platforms " + name + "`",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q\n%s", want, r)
		}
	}

	report := e2eDecode(t, e2eAnalyzeJSON(t, env, "containerd://"+name, append([]string{"--platform", "linux/amd64"}, e2eContainerdArgs(sock, ns)...)...))
	if report.Image.Platform != "linux/amd64" || report.Image.Source != "containerd" || len(report.Layers) != 2 ||
		report.Layers[1].Digest != oci.layers[0][1].Digest || report.Layers[1].AddedBytes != 3000 {
		t.Errorf("linux/amd64: got %+v, layers %+v", report.Image, report.Layers)
	}
}

// TestE2EContainerdNamespace: an image in namespace k8s.io (where Kubernetes
// keeps its images) is found with --containerd-namespace k8s.io or
// CONTAINERD_NAMESPACE, and without either the error says where it is.
func TestE2EContainerdNamespace(t *testing.T) {
	sock := e2eContainerdWaste(t, "k8s.io")
	ref := "containerd://" + e2eWasteRef
	env := e2eEnv(t)

	r := e2eStrata(t, env, "analyze", ref, "--containerd-address", sock)
	if r.code != 2 {
		t.Fatalf("without --containerd-namespace: want exit 2\n%s", r)
	}
	for _, want := range []string{
		ref + ": image " + e2eWasteRef + ` not found in namespace "default" of containerd at ` + sock + ", but namespace",
		// Other tests may have imported it into further namespaces.
		" k8s.io", "it: add --containerd-namespace k8s.io",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q\n%s", want, r)
		}
	}

	byFlag := e2eDecode(t, e2eAnalyzeJSON(t, env, ref, e2eContainerdArgs(sock, "k8s.io")...))
	byEnv := e2eDecode(t, e2eAnalyzeJSON(t, e2eEnv(t, "CONTAINERD_ADDRESS="+sock, "CONTAINERD_NAMESPACE=k8s.io"), ref))
	for _, rep := range []e2eReport{byFlag, byEnv} {
		if rep.Image.Source != "containerd" || len(rep.Layers) == 0 {
			t.Errorf("got %+v with %d layers", rep.Image, len(rep.Layers))
		}
	}
	if byFlag.Image.Digest != byEnv.Image.Digest || byFlag.Summary != byEnv.Summary {
		t.Errorf("flags and environment read different images: %+v / %+v", byFlag.Image, byEnv.Image)
	}
}

// TestE2EContainerdErrors: each failure names the socket, the namespace
// where it matters, and the cause; exit code 2.
func TestE2EContainerdErrors(t *testing.T) {
	sock := e2eContainerdWaste(t, e2eContainerdNS)
	missing := filepath.Join(t.TempDir(), "containerd.sock")
	tests := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"socket missing", nil, []string{"containerd://" + e2eWasteRef, "--containerd-address", missing},
			[]string{"no containerd socket at " + missing + " (from --containerd-address)", "is containerd running?"}},
		{"socket from the environment", []string{"CONTAINERD_ADDRESS=" + missing}, []string{"containerd://" + e2eWasteRef},
			[]string{"no containerd socket at " + missing + " (from CONTAINERD_ADDRESS)"}},
		{"image not found", nil, append([]string{"containerd://strata-e2e/absent:1"}, e2eContainerdArgs(sock, e2eContainerdNS)...),
			[]string{"image strata-e2e/absent:1 not found in namespace \"" + e2eContainerdNS + "\" of containerd at " + sock}},
		{"bad namespace", nil, append([]string{"containerd://" + e2eWasteRef}, e2eContainerdArgs(sock, "no/such")...),
			[]string{`containerd namespace "no/such" (from --containerd-namespace): character '/' not allowed`}},
		{"not a containerd address", nil, []string{"containerd://" + e2eWasteRef, "--containerd-address", "tcp://127.0.0.1:1"},
			[]string{`unsupported scheme "tcp": containerd listens on a unix socket`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e2eStrata(t, e2eEnv(t, tt.env...), append([]string{"analyze", "-q"}, tt.args...)...)
			if r.code != 2 || r.stdout != "" {
				t.Fatalf("want exit 2 and no output\n%s", r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, r)
				}
			}
		})
	}

	t.Run("permission denied", func(t *testing.T) {
		if os.Geteuid() != 0 {
			e2eSkip(t, "the permission test runs strata as another user, which needs root")
		}
		setpriv := e2eNeedTool(t, "setpriv")
		// A copy of the binary that user nobody can run, in a directory it
		// can enter.
		dir, err := os.MkdirTemp("", "strata-nobody-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		bin := filepath.Join(dir, "strata")
		b, err := os.ReadFile(e2eBinary(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, b, 0o755); err != nil || os.Chmod(dir, 0o755) != nil {
			t.Fatal(err)
		}
		// The socket is root's (0660 root:root); nobody may not connect.
		args := append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin, "analyze", "-q", "containerd://" + e2eWasteRef},
			e2eContainerdArgs(sock, e2eContainerdNS)...)
		cmd, cancel := e2eCmd(e2eEnv(t, "HOME=/", "XDG_RUNTIME_DIR"), setpriv, args...)
		defer cancel()
		r, err := e2eExecute(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if r.code != 2 {
			t.Fatalf("want exit 2\n%s", r)
		}
		for _, w := range []string{sock, "permission denied", "run strata with sudo", "rootless containerd"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("stderr lacks %q\n%s", w, r)
			}
		}
	})
}

// TestE2EContainerdNoDiskWrites analyses a containerd image with TMPDIR,
// HOME and the cache and config directories under a regular file, where
// nothing can be created, not even by root, and from an empty working
// directory: it succeeds, and the working directory stays empty.
func TestE2EContainerdNoDiskWrites(t *testing.T) {
	sock := e2eContainerdWaste(t, e2eContainerdNS)
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(file, "tmp")
	if f, err := os.CreateTemp(blocked, "probe-"); err == nil {
		f.Close()
		t.Fatalf("a file could be created under %s: the test cannot show anything", blocked)
	}
	env := e2eEnv(t, "TMPDIR="+blocked, "HOME="+blocked, "XDG_CACHE_HOME="+blocked, "XDG_CONFIG_HOME="+blocked,
		"DOCKER_CONFIG="+blocked)
	cwd := t.TempDir()
	args := append([]string{"analyze", "containerd://" + e2eWasteRef, "--format", "json"}, e2eContainerdArgs(sock, e2eContainerdNS)...)
	cmd, cancel := e2eCmd(env, e2eBinary(t), args...)
	defer cancel()
	cmd.Dir = cwd
	r, err := e2eExecute(cmd)
	if err != nil || r.code != 0 {
		t.Fatalf("strata %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	report := e2eDecode(t, []byte(r.stdout))
	if report.Image.Source != "containerd" || len(report.Layers) == 0 {
		t.Errorf("got %+v with %d layers", report.Image, len(report.Layers))
	}
	if left, _ := os.ReadDir(cwd); len(left) != 0 {
		t.Errorf("strata wrote into its working directory: %v", left)
	}
}

// TestE2EContainerdAuto: a bare reference that neither the Docker Engine nor
// Podman has is read from containerd when its socket answers, before the
// registry.
func TestE2EContainerdAuto(t *testing.T) {
	sock := e2eContainerdWaste(t, e2eContainerdNS)
	env := e2eEnv(t, "DOCKER_HOST=unix://"+filepath.Join(t.TempDir(), "no-docker.sock"), "PATH="+t.TempDir(),
		"CONTAINERD_ADDRESS="+sock, "CONTAINERD_NAMESPACE="+e2eContainerdNS)
	report := e2eDecode(t, e2eAnalyzeJSON(t, env, e2eWasteRef))
	if report.Image.Source != "containerd" {
		t.Errorf("source %q, want containerd", report.Image.Source)
	}
	// Without the image there, the message names every source tried.
	r := e2eStrata(t, env, "analyze", "-q", "strata-e2e/absent:1")
	if r.code != 2 || !strings.Contains(r.stderr, "containerd: image strata-e2e/absent:1 not found in namespace \""+e2eContainerdNS+"\"") {
		t.Errorf("want exit 2 naming containerd among the sources\n%s", r)
	}
}

// TestE2EContainerdCommands: `ci`, `diff` and file preview read containerd
// images like any other source.
func TestE2EContainerdCommands(t *testing.T) {
	sock := e2eContainerdWaste(t, e2eContainerdNS)
	archive := e2eWasteArchive(t)
	ref := "containerd://" + e2eWasteRef
	env := e2eEnv(t, "CONTAINERD_ADDRESS="+sock, "CONTAINERD_NAMESPACE="+e2eContainerdNS)

	r := e2eStrata(t, env, "diff", ref, "docker-archive:"+archive, "--format", "json", "-q")
	var diff struct {
		Identical bool `json:"identical"`
		Old       struct {
			Source string `json:"source"`
		} `json:"old"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &diff) != nil || !diff.Identical || diff.Old.Source != "containerd" {
		t.Errorf("diff of the same image from containerd and its archive: want identical\n%s", r)
	}

	ci := e2eStrata(t, env, "ci", ref, "-q")
	ciArchive := e2eStrata(t, env, "ci", "docker-archive:"+archive, "-q")
	// The same verdict and report from the analysis on; only the header,
	// which names the reference, differs.
	body := func(s string) string {
		if i := strings.Index(s, "\nAnalysis:"); i >= 0 {
			return s[i:]
		}
		return "no Analysis section:\n" + s
	}
	if ci.code != ciArchive.code || ci.code > 1 || body(ci.stdout) != body(ciArchive.stdout) {
		t.Errorf("ci differs between containerd and the archive:\n%s\n--- archive ---\n%s", ci, ciArchive)
	}

	// Preview: a file's content read on demand from the content store.
	ctx := context.Background()
	opts := source.Options{ContainerdAddress: sock, ContainerdNamespace: e2eContainerdNS}
	img, err := source.Open(ctx, ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	want, err := source.Open(ctx, "docker-archive:"+archive, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	top := len(layers) - 1 // layer 7 adds /app/hello.txt and /app/copy.bin
	for _, f := range []struct {
		layer int
		path  string
		size  int
	}{{top, "/app/hello.txt", 6}, {top, "/app/copy.bin", e2ePayloadSize}, {0, "/bin/busybox", -1}} {
		got, gerr := analyzer.ReadFile(ctx, img.Image, f.layer, f.path, -1)
		exp, werr := analyzer.ReadFile(ctx, want.Image, f.layer, f.path, -1)
		if gerr != nil || werr != nil || !bytes.Equal(got, exp) || (f.size >= 0 && len(got) != f.size) || len(got) == 0 {
			t.Errorf("layer %d %s: containerd gave %d bytes (%v), the archive %d (%v), want %d equal bytes",
				f.layer, f.path, len(got), gerr, len(exp), werr, f.size)
		}
	}
}

// e2eContainerdPrepare is the sources-agree case for containerd: the waste
// image imported from its docker save archive (layers stored as they are).
func e2eContainerdPrepare(t *testing.T) (string, []string, []string) {
	sock := e2eContainerdWaste(t, e2eContainerdNS)
	return "containerd://" + e2eWasteRef, e2eContainerdArgs(sock, e2eContainerdNS), nil
}
