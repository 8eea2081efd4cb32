package source

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"

	"github.com/stratascan/strata/fixtures"
)

// testContainerd is a namespace of its own in the containerd that .ci/run
// starts (STRATA_TEST_CONTAINERD_ADDRESS), emptied and removed after the test.
type testContainerd struct {
	sock, ns string
}

func needContainerd(t *testing.T) testContainerd {
	t.Helper()
	sock := os.Getenv("STRATA_TEST_CONTAINERD_ADDRESS")
	if sock == "" {
		fixtures.Skip(t, "STRATA_TEST_CONTAINERD_ADDRESS is not set: no containerd for this test (.ci/run starts one)")
	}
	if _, err := exec.LookPath("ctr"); err != nil {
		t.Fatalf("STRATA_TEST_CONTAINERD_ADDRESS is set but ctr is not installed: %v", err)
	}
	isolateEnv(t)
	suffix := make([]byte, 4)
	rand.Read(suffix)
	c := testContainerd{sock: strings.TrimPrefix(sock, "unix://"), ns: "strata-test-" + hex.EncodeToString(suffix)}
	t.Cleanup(func() {
		out, _ := c.run("images", "ls", "-q")
		for _, name := range strings.Fields(out) {
			c.run("images", "rm", "--sync", name)
		}
		if out, err := c.run("namespaces", "rm", c.ns); err != nil {
			t.Logf("removing namespace %s: %v\n%s", c.ns, err, out)
		}
	})
	return c
}

func (c testContainerd) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ctr", append([]string{"--address", c.sock, "--namespace", c.ns}, args...)...).CombinedOutput()
	return string(out), err
}

func (c testContainerd) ctr(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.run(args...)
	if err != nil {
		t.Fatalf("ctr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// localReads sets whether layer blobs may be read from containerd's content
// directory for the rest of the test.
func localReads(t *testing.T, on bool) {
	t.Helper()
	old := containerdLocalReads
	containerdLocalReads = on
	t.Cleanup(func() { containerdLocalReads = old })
}

func (c testContainerd) opts() Options {
	return Options{ContainerdAddress: c.sock, ContainerdNamespace: c.ns}
}

// ociArchive writes the index (tagged "1") as an OCI layout packed in a tar.
func ociArchive(t *testing.T, idx v1.ImageIndex) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendIndex(idx, refName("1")); err != nil {
		t.Fatal(err)
	}
	return tarDir(t, dir, filepath.Join(t.TempDir(), "oci.tar"))
}

// singleArchive writes one image (tagged "1") as an OCI archive.
func singleArchive(t *testing.T, img v1.Image) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, refName("1")); err != nil {
		t.Fatal(err)
	}
	return tarDir(t, dir, filepath.Join(t.TempDir(), "oci.tar"))
}

// TestContainerdAgreesWithArchive imports an OCI archive into containerd and
// reads the image back through the content store: same manifest digest,
// config, platform and layers, byte for byte, as the archive itself.
func TestContainerdAgreesWithArchive(t *testing.T) {
	c := needContainerd(t)
	img := ociImage(t, "linux/amd64", "etc/a.conf", "usr/bin/b", "srv/c.txt")
	archive := singleArchive(t, img)
	c.ctr(t, "images", "import", "--no-unpack", "--base-name", "example.com/strata/agree", archive)

	ctx := context.Background()
	fromArchive, err := Open(ctx, "oci-archive:"+archive, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fromArchive.Close()
	for _, tt := range []struct {
		ref   string
		local bool // blobs read in place from the content directory, else through the API
	}{
		{"containerd://example.com/strata/agree:1", true},
		{"containerd://example.com/strata/agree:1", false},
		{"containerd://" + digestOf(t, img), true},
		{"containerd://" + strings.TrimPrefix(digestOf(t, img), "sha256:")[:12], false},
	} {
		ref := tt.ref
		t.Run(fmt.Sprintf("%s local=%v", ref, tt.local), func(t *testing.T) {
			localReads(t, tt.local)
			got, err := Open(ctx, ref, c.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if st := got.Image.(*storedImage).layers[0].st.(*contentStore); st.localRoot == "" {
				t.Fatalf("containerd's content directory is not visible: the test containerd runs on this machine")
			}
			rc, err := got.Image.(*storedImage).layers[0].st.open(blobName(got.Image.(*storedImage).layers[0].digest))
			if err != nil {
				t.Fatal(err)
			}
			_, isFile := rc.(*os.File)
			rc.Close()
			if isFile != tt.local {
				t.Errorf("layer blob read from a file: %v, want %v", isFile, tt.local)
			}
			if got.Source != Containerd || got.Name != "example.com/strata/agree:1" || got.Digest != fromArchive.Digest ||
				got.Platform != "linux/amd64" {
				t.Errorf("got source %s, name %s, digest %s, platform %s; want containerd, example.com/strata/agree:1, %s, linux/amd64",
					got.Source, got.Name, got.Digest, got.Platform, fromArchive.Digest)
			}
			wantCfg, _ := fromArchive.RawConfigFile()
			gotCfg, _ := got.RawConfigFile()
			if !bytes.Equal(wantCfg, gotCfg) {
				t.Errorf("config differs:\n%s\n%s", gotCfg, wantCfg)
			}
			wantLayers, _ := fromArchive.Layers()
			gotLayers, err := got.Layers()
			if err != nil || len(gotLayers) != len(wantLayers) {
				t.Fatalf("%d layers (%v), want %d", len(gotLayers), err, len(wantLayers))
			}
			for i := range wantLayers {
				wc, wu := readAllLayer(t, wantLayers[i])
				gc, gu := readAllLayer(t, gotLayers[i])
				if !bytes.Equal(wc, gc) || !bytes.Equal(wu, gu) {
					t.Errorf("layer %d: bytes differ from the archive's", i)
				}
				wd, _ := wantLayers[i].Digest()
				gd, _ := gotLayers[i].Digest()
				wm, _ := wantLayers[i].MediaType()
				gm, _ := gotLayers[i].MediaType()
				if wd != gd || wm != gm {
					t.Errorf("layer %d: %s %s, want %s %s", i, gd, gm, wd, wm)
				}
			}
		})
	}
}

// TestContainerdShortNames: a docker archive's short tag is stored under its
// normalised name, and found by the short name as containerd's tools do.
func TestContainerdShortNames(t *testing.T) {
	c := needContainerd(t)
	l := layerTar(t, "hello.txt")
	cfg := configJSON(t, "linux/amd64", l)
	archive := writeTar(t, filepath.Join(t.TempDir(), "short.tar"), []member{
		{name: "layer.tar", body: l},
		{name: "config.json", body: cfg},
		{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: "config.json", RepoTags: []string{"strata-short:1"}, Layers: []string{"layer.tar"}})},
	})
	c.ctr(t, "images", "import", "--no-unpack", archive)
	for _, ref := range []string{"strata-short:1", "docker.io/library/strata-short:1", "library/strata-short:1"} {
		img, err := Open(context.Background(), "containerd://"+ref, c.opts())
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if img.Name != "docker.io/library/strata-short:1" {
			t.Errorf("%s: name %s, want docker.io/library/strata-short:1", ref, img.Name)
		}
		img.Close()
	}
	ref := "containerd://strata-short:2"
	_, err := Open(context.Background(), ref, c.opts())
	wantError(t, err, ref, "image strata-short:2 not found in namespace \""+c.ns+"\" of containerd at "+c.sock)
	if !isNotFound(err) {
		t.Errorf("error %v is not ErrNotFound", err)
	}
}

// TestContainerdMissingPlatform imports a two-platform index with only
// linux/amd64's content, lets the garbage collector remove the rest (as on
// a node that pulled one platform), and asks for linux/arm64: a clear error
// naming the missing blob and how to fetch it, never a partial image.
func TestContainerdMissingPlatform(t *testing.T) {
	c := needContainerd(t)
	amd, arm := ociImage(t, "linux/amd64", "a"), ociImage(t, "linux/arm64", "b")
	idx := ociIndex(t, []string{"linux/amd64", "linux/arm64"}, []v1.Image{amd, arm})
	const name = "example.com/strata/multi:1"
	c.ctr(t, "images", "import", "--no-unpack", "--platform", "linux/amd64", "--base-name", "example.com/strata/multi",
		"--index-name", name, ociArchive(t, idx))
	// A synchronous lease deletion runs the garbage collector.
	lease := strings.TrimSpace(c.ctr(t, "leases", "create"))
	c.ctr(t, "leases", "delete", "--sync", lease)
	armDigest := digestOf(t, arm)
	if out := c.ctr(t, "content", "ls", "-q"); strings.Contains(out, armDigest) {
		t.Fatalf("the linux/arm64 manifest %s is still in the content store:\n%s", armDigest, out)
	}

	ref := "containerd://" + name
	opts := c.opts()
	opts.Platform = "linux/arm64"
	_, err := Open(context.Background(), ref, opts)
	wantError(t, err, ref, "content missing: the manifest for linux/arm64 (blob "+armDigest+")",
		`not in the content store of namespace "`+c.ns+`" of containerd at `+c.sock,
		"ctr -n "+c.ns+" content fetch --platform linux/arm64 "+name, "nerdctl -n "+c.ns+" pull --all-platforms "+name)
	if !errors.Is(err, ErrContentMissing) {
		t.Errorf("error %v is not ErrContentMissing", err)
	}

	opts.Platform = "linux/amd64"
	img, err := Open(context.Background(), ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if img.Digest != digestOf(t, amd) || img.Platform != "linux/amd64" {
		t.Errorf("digest %s platform %s, want %s linux/amd64", img.Digest, img.Platform, digestOf(t, amd))
	}
}

// TestContainerdMissingLayer: a manifest whose layer blob is gone is refused
// before any analysis, naming the layer.
func TestContainerdMissingLayer(t *testing.T) {
	c := needContainerd(t)
	img := ociImage(t, "linux/amd64", "a", "b")
	c.ctr(t, "images", "import", "--no-unpack", "--base-name", "example.com/strata/holes", singleArchive(t, img))
	layers, _ := img.Layers()
	d, _ := layers[1].Digest()
	c.ctr(t, "content", "rm", d.String())
	ref := "containerd://example.com/strata/holes:1"
	_, err := Open(context.Background(), ref, c.opts())
	wantError(t, err, ref, "content missing: the layer 2 of 2 (blob "+d.String()+")", "content fetch --all-platforms example.com/strata/holes:1")
}

// TestContainerdOtherNamespaces: an image missing from the namespace asked
// for but present in others is reported with those namespaces.
func TestContainerdOtherNamespaces(t *testing.T) {
	c := needContainerd(t)
	other := needContainerd(t)
	other.ctr(t, "images", "import", "--no-unpack", "--base-name", "example.com/strata/elsewhere",
		singleArchive(t, ociImage(t, "linux/amd64", "a")))
	ref := "containerd://example.com/strata/elsewhere:1"
	_, err := Open(context.Background(), ref, c.opts())
	wantError(t, err, ref, `not found in namespace "`+c.ns+`"`, "but namespace "+other.ns+" has it: add --containerd-namespace "+other.ns)
	if !isNotFound(err) {
		t.Errorf("error %v is not ErrNotFound", err)
	}
	t.Setenv("CONTAINERD_ADDRESS", c.sock)
	t.Setenv("CONTAINERD_NAMESPACE", other.ns)
	img, err := Open(context.Background(), ref, Options{})
	if err != nil {
		t.Fatalf("with CONTAINERD_ADDRESS and CONTAINERD_NAMESPACE: %v", err)
	}
	img.Close()
}

// TestContainerdLeaseGoneMidRead: the lease holds the blobs while the image
// is open, even when the image is removed; when the lease goes too (expired
// or deleted) and the collector runs, the read in progress fails naming the
// blob, the namespace, the socket and the lease.
//
// Through the API, that is; a blob read in place from the content directory
// is an open file, which the collector's unlink does not disturb.
func TestContainerdLeaseGoneMidRead(t *testing.T) {
	c := needContainerd(t)
	localReads(t, false)
	big := make([]byte, 48<<20)
	rand.Read(big)
	layerBytes := tarBytes(t, []member{{name: "big.bin", body: big}})
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1),
		static.NewLayer(layerBytes, types.OCIUncompressedLayer))
	if err != nil {
		t.Fatal(err)
	}
	c.ctr(t, "images", "import", "--no-unpack", "--base-name", "example.com/strata/lease", singleArchive(t, img))

	opened, err := Open(context.Background(), "containerd://example.com/strata/lease:1", c.opts())
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	st := opened.Image.(*storedImage).layers[0].st.(*contentStore)
	layers, _ := opened.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}

	client, err := containerd.New(c.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx := namespaces.WithNamespace(context.Background(), c.ns)
	if err := client.ImageService().Delete(ctx, "example.com/strata/lease:1", images.SynchronousDelete()); err != nil {
		t.Fatal(err)
	}
	d, _ := layers[0].Digest()
	// Held by the lease: the image's removal left the blob in place.
	if _, err := client.ContentStore().Info(ctx, digest.Digest(d.String())); err != nil {
		t.Fatalf("the blob went with the image although the lease holds it: %v", err)
	}
	if err := client.LeasesService().Delete(ctx, st.lease, leases.SynchronousDelete); err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, rc)
	for _, f := range []string{"blob " + d.String() + " is gone from the content store of namespace \"" + c.ns + "\" of containerd at " + c.sock,
		"the lease " + st.lease.ID + " that held its blobs expired or was deleted"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("read error %v, want one containing %q", err, f)
		}
	}
	if !errors.Is(err, ErrContentMissing) {
		t.Errorf("error %v is not ErrContentMissing", err)
	}
}

// TestContainerdLeaseReleased: opening takes a lease, closing deletes it.
func TestContainerdLeaseReleased(t *testing.T) {
	c := needContainerd(t)
	c.ctr(t, "images", "import", "--no-unpack", "--base-name", "example.com/strata/release",
		singleArchive(t, ociImage(t, "linux/amd64", "a")))
	img, err := Open(context.Background(), "containerd://example.com/strata/release:1", c.opts())
	if err != nil {
		t.Fatal(err)
	}
	lease := img.Image.(*storedImage).layers[0].st.(*contentStore).lease.ID
	if out := c.ctr(t, "leases", "ls", "-q"); !strings.Contains(out, lease) {
		t.Errorf("lease %s not listed while the image is open:\n%s", lease, out)
	}
	if err := img.Close(); err != nil {
		t.Fatal(err)
	}
	if out := c.ctr(t, "leases", "ls", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("leases left after Close:\n%s", out)
	}
}
