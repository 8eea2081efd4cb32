package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/analyzer/source"
)

// e2ePodmanLoad loads the waste image's docker save archive into the
// isolated Podman storage (CONTAINERS_STORAGE_CONF, set by .ci/run), once.
var e2ePodmanLoad struct {
	once sync.Once
	err  error
}

// e2eLoadIntoPodman makes the waste image available to Podman, or skips.
func e2eLoadIntoPodman(t *testing.T, archive string) {
	t.Helper()
	e2eNeedEnv(t, e2eVarPodman, "Podman")
	e2eNeedTool(t, "podman")
	e2ePodmanLoad.once.Do(func() {
		_, e2ePodmanLoad.err = e2eTool(e2eWithEnv(os.Environ(), "CONTAINER_HOST"), "podman", "load", "-i", archive)
	})
	if e2ePodmanLoad.err != nil {
		t.Fatal(e2ePodmanLoad.err)
	}
}

// TestE2ESourcesAgree reads the waste image through every source (the
// daemon, a docker save archive, an OCI layout and archive made with skopeo,
// both registries, Podman through its API and through its CLI, containerd's
// content store) and checks that the reports' summary and layers are
// identical.
//
// Every copy stores the same uncompressed layers (docker save, podman save,
// skopeo with --dest-oci-accept-uncompressed-layers, a push of the archive's
// layers as stored, and `ctr images import` of the archive), so every field
// matches, the layer digests, stored sizes and compression included.
func TestE2ESourcesAgree(t *testing.T) {
	fx := e2eWasteImage(t)
	archive := e2eWasteArchive(t)
	e2eNeedTool(t, "skopeo")

	daemon := e2eAnalyzeJSON(t, e2eEnv(t, "DOCKER_HOST="+fx.host), "docker://"+e2eWasteRef)

	tests := []struct {
		name    string
		source  string // the report's image.source
		prepare func(t *testing.T) (ref string, args, env []string)
	}{
		{"docker-archive", "docker-archive", func(t *testing.T) (string, []string, []string) {
			return "docker-archive:" + archive, nil, nil
		}},
		{"oci", "oci", func(t *testing.T) (string, []string, []string) {
			return "oci:" + e2eWasteOCI(t) + ":1", nil, nil
		}},
		{"oci-archive", "oci-archive", func(t *testing.T) (string, []string, []string) {
			dir := e2eWasteOCI(t)
			path := filepath.Join(t.TempDir(), "waste-oci.tar")
			e2eMustTool(t, nil, "tar", "-C", dir, "-cf", path, ".")
			return "oci-archive:" + path, nil, nil
		}},
		{"registry", "registry", func(t *testing.T) (string, []string, []string) {
			reg := e2eNeedEnv(t, e2eVarRegistry, "registry")
			ref := reg + "/e2e/waste:1"
			e2ePushAsStored(t, archive, ref, "", "")
			return "registry://" + ref, []string{"--insecure-registry", reg}, nil
		}},
		{"registry with basic auth", "registry", func(t *testing.T) (string, []string, []string) {
			reg := e2eNeedEnv(t, e2eVarRegistryAuth, "registry with basic auth")
			user := e2eNeedEnv(t, e2eVarRegistryUser, "registry user")
			password := e2eNeedEnv(t, e2eVarRegistryPassword, "registry password")
			ref := reg + "/e2e/waste:1"
			e2ePushAsStored(t, archive, ref, user, password)
			config := e2eDockerConfig(t, reg, user, password)
			return "registry://" + ref, []string{"--insecure-registry", reg}, []string{"DOCKER_CONFIG=" + config}
		}},
		{"podman API", "podman", func(t *testing.T) (string, []string, []string) {
			socket := e2eNeedEnv(t, e2eVarPodmanSocket, "Podman API socket")
			e2eLoadIntoPodman(t, archive)
			// No podman on PATH: only the API can serve the image.
			return "podman://" + e2eWasteRef, nil, []string{"CONTAINER_HOST=" + socket, "PATH=" + t.TempDir()}
		}},
		{"containerd", "containerd", e2eContainerdPrepare},
		{"podman CLI", "podman", func(t *testing.T) (string, []string, []string) {
			e2eLoadIntoPodman(t, archive)
			if _, err := os.Stat("/run/podman/podman.sock"); err == nil {
				e2eSkip(t, "a system Podman socket exists (/run/podman/podman.sock): strata would use it, not `podman image save`")
			}
			// e2eEnv drops CONTAINER_HOST and XDG_RUNTIME_DIR: no socket to
			// find, so strata runs `podman image save`, which uses the
			// isolated storage through CONTAINERS_STORAGE_CONF.
			return "podman://" + e2eWasteRef, nil, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, args, env := tt.prepare(t)
			got := e2eContent(t, e2eAnalyzeJSON(t, e2eEnv(t, env...), ref, args...), tt.source)
			want := e2eContent(t, daemon, "docker")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: summary and layers differ from the daemon's (-docker +%s):\n%s", ref, tt.name, diff)
			}
		})
	}
}

// e2eWasteOCIState holds the OCI layout copy of the waste image.
var e2eWasteOCIState struct {
	once sync.Once
	dir  string
	err  error
}

// e2eWasteOCI returns an OCI layout (tag "1") of the waste image made by
// skopeo from the docker save archive, with the layers left uncompressed.
func e2eWasteOCI(t *testing.T) string {
	t.Helper()
	archive := e2eWasteArchive(t)
	s := &e2eWasteOCIState
	s.once.Do(func() {
		s.dir = filepath.Join(e2e.tmp, "waste-oci")
		policy := filepath.Join(e2e.tmp, "policy.json")
		if s.err = os.WriteFile(policy, []byte(`{"default":[{"type":"insecureAcceptAnything"}]}`), 0o644); s.err != nil {
			return
		}
		_, s.err = e2eTool(nil, "skopeo", "--policy", policy, "copy", "--dest-oci-accept-uncompressed-layers",
			"docker-archive:"+archive, "oci:"+s.dir+":1")
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.dir
}

// e2eContent decodes a report's summary and layers generically, so that the
// comparison covers every field, also those these tests do not know. It
// checks image.source.
func e2eContent(t *testing.T, b []byte, source string) map[string]any {
	t.Helper()
	var doc struct {
		Image struct {
			Source string `json:"source"`
		} `json:"image"`
		Summary map[string]any   `json:"summary"`
		Layers  []map[string]any `json:"layers"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("decoding the report: %v", err)
	}
	if doc.Image.Source != source {
		t.Errorf("image.source = %q, want %q", doc.Image.Source, source)
	}
	if doc.Summary == nil || len(doc.Layers) == 0 {
		t.Fatalf("the report has no summary or no layers:\n%s", e2eClip(string(b)))
	}
	return map[string]any{"summary": doc.Summary, "layers": doc.Layers}
}

// e2ePushAsStored pushes the docker save archive to a registry with its
// layers exactly as stored (uncompressed), so that the registry holds the
// same blobs as every other source; skopeo would compress them.
func e2ePushAsStored(t *testing.T, archive, ref, user, password string) {
	t.Helper()
	ctx := context.Background()
	img, err := source.Open(ctx, "docker-archive:"+archive, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	opts := []remote.Option{remote.WithContext(ctx)}
	if user != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: user, Password: password}))
	}
	if err := remote.Write(r, img.Image, opts...); err != nil {
		t.Fatalf("pushing %s to %s: %v", archive, ref, err)
	}
}
