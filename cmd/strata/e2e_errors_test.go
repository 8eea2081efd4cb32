package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// e2eBadInput is what one bad-input case gives the CLI.
type e2eBadInput struct {
	ref     string   // the image argument
	args    []string // more arguments
	env     []string // changes to the environment (see e2eEnv)
	mention []string // what stderr must name besides ref
}

// e2eNotAProblem matches what a load error must never show.
var e2eNotAProblem = regexp.MustCompile(`(?i)panic|goroutine \d|unknown (flag|shorthand)`)

// e2eExpectLoadError runs `strata analyze REF --format json -o FILE` and
// checks that it fails as the product specification says a bad input must:
// exit code 2, nothing on stdout, no output file (nor a temporary one beside
// it), and stderr naming the input, everything in mention, and matching
// cause.
func e2eExpectLoadError(t *testing.T, env []string, ref string, args, mention []string, cause *regexp.Regexp) {
	t.Helper()
	outDir := t.TempDir()
	out := filepath.Join(outDir, "report.json")
	argv := append([]string{"analyze", ref, "--format", "json", "-o", out}, args...)
	r := e2eStrata(t, env, argv...)
	t.Logf("stderr: %s", strings.TrimSpace(r.stderr))
	if r.code != 2 {
		t.Errorf("exit code %d, want 2", r.code)
	}
	if r.stdout != "" {
		t.Errorf("stdout is not empty")
	}
	if left, _ := os.ReadDir(outDir); len(left) != 0 {
		t.Errorf("the failed run left %v in the output directory", left)
	}
	for _, m := range append([]string{ref}, mention...) {
		if !strings.Contains(r.stderr, m) {
			t.Errorf("stderr does not name %q", m)
		}
	}
	if !cause.MatchString(r.stderr) {
		t.Errorf("stderr does not give the cause (want a match of %s)", cause)
	}
	if e2eNotAProblem.MatchString(r.stderr) {
		t.Errorf("stderr shows %q", e2eNotAProblem.FindString(r.stderr))
	}
	if t.Failed() {
		t.Logf("strata %s\n%s", strings.Join(argv, " "), r)
	}
}

// Causes the bad-input cases expect on stderr.
var (
	e2eCauseMissing   = regexp.MustCompile(`(?i)no such file|does not exist|not exist|not found|missing`)
	e2eCauseEmpty     = regexp.MustCompile(`(?i)empty|EOF|not an? .*(image|archive)|unrecogni[sz]ed`)
	e2eCauseTruncated = regexp.MustCompile(`(?i)truncat|unexpected EOF`)
	e2eCauseGzip      = regexp.MustCompile(`(?i)gzip|flate|corrupt|checksum|unexpected EOF`)
	e2eCauseDigest    = regexp.MustCompile(`(?i)diff ?id|digest|mismatch|verif`)
	e2eCauseNotOCI    = regexp.MustCompile(`(?i)oci|layout|index\.json`)
	e2eCauseNotImage  = regexp.MustCompile(`(?i)oci|layout|index\.json|manifest\.json|not an? .*image`)
	e2eCausePlatform  = regexp.MustCompile(`(?i)platform`)
	e2eCauseConnect   = regexp.MustCompile(`(?i)connection refused|connect|unreachable|dial`)
	e2eCauseDaemon    = regexp.MustCompile(`(?i)daemon|engine|connect|no such file`)
	e2eCauseNoImage   = regexp.MustCompile(`(?i)no such image|not found|does not exist|unknown`)
	e2eCauseAuth      = regexp.MustCompile(`(?i)401|unauthori[sz]ed|authentication|credentials`)
)

// TestE2EBadInputs runs the CLI on inputs that cannot be loaded. The cases
// that need no service always run; the others skip when their service is
// not configured.
func TestE2EBadInputs(t *testing.T) {
	e2eSkipShort(t)
	const dataSize = 64 << 10 // the sample image's /app/data.txt

	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) e2eBadInput
		cause *regexp.Regexp
	}{
		{"missing docker-archive file", func(t *testing.T, dir string) e2eBadInput {
			return e2eBadInput{ref: "docker-archive:" + filepath.Join(dir, "missing.tar")}
		}, e2eCauseMissing},
		{"missing OCI layout", func(t *testing.T, dir string) e2eBadInput {
			return e2eBadInput{ref: "oci:" + filepath.Join(dir, "missing")}
		}, e2eCauseMissing},
		{"missing oci-archive file", func(t *testing.T, dir string) e2eBadInput {
			return e2eBadInput{ref: "oci-archive:" + filepath.Join(dir, "missing.tar")}
		}, e2eCauseMissing},
		{"empty file", func(t *testing.T, dir string) e2eBadInput {
			path := filepath.Join(dir, "empty.tar")
			e2eWriteFile(t, path, nil)
			return e2eBadInput{ref: path}
		}, e2eCauseEmpty},
		{"empty file as docker-archive", func(t *testing.T, dir string) e2eBadInput {
			path := filepath.Join(dir, "empty.tar")
			e2eWriteFile(t, path, nil)
			return e2eBadInput{ref: "docker-archive:" + path}
		}, e2eCauseEmpty},
		{"truncated docker save archive", func(t *testing.T, dir string) e2eBadInput {
			// docker's order puts manifest.json last: the cut loses it.
			path := filepath.Join(dir, "truncated.tar")
			e2eWriteTar(t, path, e2eSampleImage(t, dataSize).dockerArchiveEntries(t, "strata-e2e/sample:1")...)
			e2eTruncate(t, path, e2eFileSize(t, path)*6/10)
			return e2eBadInput{ref: "docker-archive:" + path}
		}, regexp.MustCompile(`(?i)truncat|unexpected EOF|manifest`)},
		{"docker archive truncated inside a layer", func(t *testing.T, dir string) e2eBadInput {
			// manifest.json and the config first, the big layer last: the
			// cut falls inside the layer's content.
			entries := e2eSampleImage(t, dataSize).dockerArchiveEntries(t, "strata-e2e/sample:1")
			n := len(entries)
			entries = append(entries[n-2:], entries[:n-2]...)
			path := filepath.Join(dir, "truncated.tar")
			e2eWriteTar(t, path, entries...)
			e2eTruncate(t, path, e2eFileSize(t, path)-dataSize/2)
			return e2eBadInput{ref: "docker-archive:" + path}
		}, e2eCauseTruncated},
		{"corrupt gzip layer in an OCI layout", func(t *testing.T, dir string) e2eBadInput {
			// The corrupted blob is named by its new digest and the manifest
			// refers to it: only the gzip stream itself is bad.
			layout := filepath.Join(dir, "layout")
			e2eWriteOCI(t, layout, e2eOCIImage{image: e2eSampleImage(t, dataSize), tag: "1", gzip: true,
				mutateLayer: func(i int, blob []byte) []byte {
					if i == 1 {
						return e2eCorruptGzip(t, blob)
					}
					return blob
				}})
			return e2eBadInput{ref: "oci:" + layout}
		}, e2eCauseGzip},
		{"OCI manifest names a missing layer", func(t *testing.T, dir string) e2eBadInput {
			dirLayout := filepath.Join(dir, "layout")
			l := e2eWriteOCI(t, dirLayout, e2eOCIImage{image: e2eSampleImage(t, dataSize), tag: "1", gzip: true})
			missing := l.layers[0][1].Digest
			if err := os.Remove(l.blobPath(missing)); err != nil {
				t.Fatal(err)
			}
			hex := strings.TrimPrefix(missing, "sha256:")
			return e2eBadInput{ref: "oci:" + dirLayout, mention: []string{hex[:12]}}
		}, e2eCauseMissing},
		{"docker archive manifest names a missing layer", func(t *testing.T, dir string) e2eBadInput {
			var kept []e2eEntry
			for _, e := range e2eSampleImage(t, dataSize).dockerArchiveEntries(t, "strata-e2e/sample:1") {
				if !strings.HasPrefix(e.name, "layer1/") {
					kept = append(kept, e)
				}
			}
			path := filepath.Join(dir, "missing-layer.tar")
			e2eWriteTar(t, path, kept...)
			return e2eBadInput{ref: "docker-archive:" + path, mention: []string{"layer1/layer.tar"}}
		}, e2eCauseMissing},
		{"--verify: layer content does not match its diffID", func(t *testing.T, dir string) e2eBadInput {
			// Same length, same valid tar headers, other content: only a
			// check of the content against the config's diffID sees it.
			entries := e2eSampleImage(t, dataSize).dockerArchiveEntries(t, "strata-e2e/sample:1")
			for i, e := range entries {
				if e.name == "layer1/layer.tar" {
					body := append([]byte(nil), e.body...)
					old, repl := []byte("strata end-to-end"), []byte("STRATA END-TO-END")
					entries[i].body = []byte(strings.Replace(string(body), string(old), string(repl), 1))
					if len(entries[i].body) != len(e.body) || string(entries[i].body) == string(e.body) {
						t.Fatal("could not alter the layer content")
					}
				}
			}
			path := filepath.Join(dir, "tampered.tar")
			e2eWriteTar(t, path, entries...)
			return e2eBadInput{ref: "docker-archive:" + path, args: []string{"--verify"}}
		}, e2eCauseDigest},
		{"directory that is not an OCI layout", func(t *testing.T, dir string) e2eBadInput {
			e2eWriteFile(t, filepath.Join(dir, "README"), []byte("not an image\n"))
			return e2eBadInput{ref: "oci:" + dir}
		}, e2eCauseNotOCI},
		{"directory that is not an image", func(t *testing.T, dir string) e2eBadInput {
			e2eWriteFile(t, filepath.Join(dir, "README"), []byte("not an image\n"))
			return e2eBadInput{ref: dir}
		}, e2eCauseNotImage},
		{"platform the index lacks", func(t *testing.T, dir string) e2eBadInput {
			amd, arm := e2eSampleImage(t, 1000), e2eSampleImage(t, 2000)
			arm.arch = "arm64"
			layout := filepath.Join(dir, "multi")
			e2eWriteOCI(t, layout, e2eOCIImage{image: amd}, e2eOCIImage{image: arm})
			return e2eBadInput{ref: "oci:" + layout, args: []string{"--platform", "linux/s390x"},
				mention: []string{"linux/s390x", "linux/amd64", "linux/arm64"}}
		}, e2eCausePlatform},
		{"unreachable registry", func(t *testing.T, dir string) e2eBadInput {
			host := e2eClosedPort(t)
			return e2eBadInput{ref: "registry://" + host + "/e2e/none:1", args: []string{"--insecure-registry", host}}
		}, e2eCauseConnect},
		{"Docker daemon not running", func(t *testing.T, dir string) e2eBadInput {
			return e2eBadInput{ref: "docker://" + e2eBaseRef, env: []string{"DOCKER_HOST=unix:///nonexistent.sock"},
				mention: []string{"/nonexistent.sock"}}
		}, e2eCauseDaemon},

		// Cases that need a service.
		{"unknown image in the Docker daemon", func(t *testing.T, dir string) e2eBadInput {
			host := e2eNeedEnv(t, e2eVarDockerHost, "Docker Engine")
			return e2eBadInput{ref: "docker://does-not-exist:1", env: []string{"DOCKER_HOST=" + host}}
		}, e2eCauseNoImage},
		{"unknown image in a registry", func(t *testing.T, dir string) e2eBadInput {
			reg := e2eNeedEnv(t, e2eVarRegistry, "registry")
			return e2eBadInput{ref: "registry://" + reg + "/e2e/does-not-exist:1", args: []string{"--insecure-registry", reg}}
		}, e2eCauseNoImage},
		{"registry answers 401", func(t *testing.T, dir string) e2eBadInput {
			reg := e2eNeedEnv(t, e2eVarRegistryAuth, "registry with basic auth")
			// e2eEnv gives an empty DOCKER_CONFIG: no credentials.
			return e2eBadInput{ref: "registry://" + reg + "/e2e/waste:1", args: []string{"--insecure-registry", reg},
				mention: []string{"docker login"}}
		}, e2eCauseAuth},
		{"registry blob whose content does not match its digest", func(t *testing.T, dir string) e2eBadInput {
			reg := e2eNeedEnv(t, e2eVarRegistry, "registry")
			root := e2eNeedEnv(t, e2eVarRegistryRoot, "registry storage directory")
			layout := filepath.Join(dir, "layout")
			l := e2eWriteOCI(t, layout, e2eOCIImage{image: e2eSampleImage(t, dataSize), tag: "1", gzip: true})
			ref := reg + "/e2e/tampered:1"
			// skopeo keeps gzip layers as they are: the registry stores our blobs.
			e2eSkopeo(t, "copy", "--dest-tls-verify=false", "oci:"+layout+":1", "docker://"+ref)
			digest := l.layers[0][1].Digest
			hexDigest := strings.TrimPrefix(digest, "sha256:")
			data := filepath.Join(root, "docker", "registry", "v2", "blobs", "sha256", hexDigest[:2], hexDigest, "data")
			b, err := os.ReadFile(data)
			if err != nil {
				t.Fatalf("the pushed layer is not in the registry's storage: %v", err)
			}
			// Change the gzip header's MTIME: same length, same decompressed
			// content, another digest. Only a digest check can notice. The
			// registry keeps the blob between runs: tamper with it only
			// while it is intact.
			if sum := sha256.Sum256(b); "sha256:"+hex.EncodeToString(sum[:]) == digest {
				b[4] ^= 0x01
				e2eWriteFile(t, data, b)
			}
			return e2eBadInput{ref: "registry://" + ref, args: []string{"--insecure-registry", reg}}
		}, e2eCauseDigest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.setup(t, t.TempDir())
			e2eExpectLoadError(t, e2eEnv(t, in.env...), in.ref, in.args, in.mention, tt.cause)
		})
	}
}

// e2eClosedPort returns "127.0.0.1:PORT" for a port nothing listens on.
func e2eClosedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
