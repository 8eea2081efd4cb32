package main

// End-to-end tests: they build the strata binary once and run it as a user
// would, against real services (Docker Engine, Podman, registries) that
// .ci/run starts and announces through STRATA_TEST_* variables. A test whose
// service is not configured skips, naming the variable, so that a plain
// `go test ./...` passes on a fresh clone; with STRATA_TEST_E2E=1 (as .ci/run
// sets) it fails instead, so that CI cannot pass by skipping.
//
// This file holds the shared machinery: building and running the binary,
// running the other tools (docker, podman, skopeo), and the parts of the JSON
// report the tests read.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stratascan/strata/fixtures"
)

// The variables that configure the end-to-end tests (set by .ci/run).
const (
	e2eVarE2E              = "STRATA_TEST_E2E"                // "1": nothing may skip (see e2eSkip)
	e2eVarDockerHost       = "STRATA_TEST_DOCKER_HOST"        // DOCKER_HOST of a Docker Engine the tests may use
	e2eVarPodman           = "STRATA_TEST_PODMAN"             // "1": podman works, with CONTAINERS_STORAGE_CONF
	e2eVarPodmanSocket     = "STRATA_TEST_PODMAN_SOCKET"      // unix:// address of a Podman API service
	e2eVarContainerd       = "STRATA_TEST_CONTAINERD_ADDRESS" // socket of a private containerd
	e2eVarRegistry         = "STRATA_TEST_REGISTRY"           // HOST:PORT of an open plain-HTTP registry
	e2eVarRegistryRoot     = "STRATA_TEST_REGISTRY_ROOT"      // that registry's storage root directory
	e2eVarRegistryAuth     = "STRATA_TEST_REGISTRY_AUTH"      // HOST:PORT of a registry with basic auth
	e2eVarRegistryUser     = "STRATA_TEST_REGISTRY_USER"      // its user
	e2eVarRegistryPassword = "STRATA_TEST_REGISTRY_PASSWORD"  // and password
)

// e2eTimeout bounds every command a test runs.
const e2eTimeout = 3 * time.Minute

// e2eBuildTimeout bounds a docker build that compiles strata from source.
const e2eBuildTimeout = 12 * time.Minute

// e2e is the state shared by the tests of one test process.
var e2e struct {
	// tmp is a directory removed when the tests end.
	tmp string

	buildOnce sync.Once
	bin       string // the built strata binary
	buildErr  error
}

// TestMain creates the shared temporary directory, runs the tests and
// reports once, clearly, when the strata binary could not be built.
func TestMain(m *testing.M) {
	os.Exit(e2eRunTests(m))
}

func e2eRunTests(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "strata-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	e2e.tmp = tmp
	code := m.Run()
	if e2e.buildErr != nil {
		fmt.Fprintf(os.Stderr, "\ne2e: the end-to-end tests could not build the strata binary "+
			"(`go build ./cmd/strata`), so every test that runs it failed:\n%v\n", e2e.buildErr)
	}
	return code
}

// e2eBinary returns the path of the strata binary, building it on first
// use; the test fails when the build fails.
func e2eBinary(t *testing.T) string {
	t.Helper()
	e2e.buildOnce.Do(func() {
		bin := filepath.Join(e2e.tmp, "strata")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		// The test runs in the package directory: "." is cmd/strata.
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			e2e.buildErr = fmt.Errorf("go build -o %s .: %w\n%s", bin, err, out)
			return
		}
		e2e.bin = bin
	})
	if e2e.buildErr != nil {
		t.Fatalf("cannot build the strata binary:\n%v", e2e.buildErr)
	}
	return e2e.bin
}

// e2eSkipShort skips the test under -short; end-to-end tests run the binary.
func e2eSkipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
}

// e2eSkip skips the test for lack of something it needs, unless
// STRATA_TEST_E2E=1 says that everything is configured (as .ci/run does):
// then a test that would skip fails, so that CI cannot pass by skipping.
func e2eSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	fixtures.Skip(t, format, args...)
}

// e2eNeedEnv returns the value of the variable, skipping the test (see
// e2eSkip) with a message naming it when it is not set.
func e2eNeedEnv(t *testing.T, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		e2eSkip(t, "%s is not set: no %s configured for this test (.ci/run sets it)", name, what)
	}
	return v
}

// e2eNeedTool returns the path of an executable the test needs. A missing
// tool fails the test, since the variable that enabled the test promised it.
func e2eNeedTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed, but the service variables say it is usable: %v", name, err)
	}
	return p
}

// result is what one run of a command gave.
type e2eResult struct {
	stdout, stderr string
	code           int
}

// String renders the result for failure messages.
func (r e2eResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s\n--- stderr ---\n%s", r.code, e2eClip(r.stdout), e2eClip(r.stderr))
}

func e2eClip(s string) string {
	const max = 4000
	if len(s) > max {
		return s[:max] + fmt.Sprintf("\n... (%d more bytes)", len(s)-max)
	}
	return s
}

// e2eExecute runs cmd with a timeout and returns its output and exit code; err
// is set only when it could not run or did not end in time.
func e2eExecute(cmd *exec.Cmd) (e2eResult, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = nil
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	r := e2eResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.Exited():
		r.code = exit.ExitCode()
		err = nil
	default:
		r.code = -1
	}
	return r, err
}

// command returns an exec.Cmd bounded by e2eTimeout. env, when not nil,
// replaces the environment.
func e2eCmd(env []string, name string, args ...string) (*exec.Cmd, context.CancelFunc) {
	return e2eCmdWithin(e2eTimeout, env, name, args...)
}

// e2eCmdWithin is e2eCmd with its own bound, for the few commands that do
// much more than the others (a docker build that compiles strata).
func e2eCmdWithin(timeout time.Duration, env []string, name string, args ...string) (*exec.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	return cmd, cancel
}

// e2eTool runs an external tool and returns its stdout, or an error holding
// the command line and its output.
func e2eTool(env []string, name string, args ...string) (string, error) {
	return e2eToolWithin(e2eTimeout, env, name, args...)
}

// e2eToolWithin is e2eTool bounded by timeout instead of e2eTimeout.
func e2eToolWithin(timeout time.Duration, env []string, name string, args ...string) (string, error) {
	cmd, cancel := e2eCmdWithin(timeout, env, name, args...)
	defer cancel()
	r, err := e2eExecute(cmd)
	if err == nil && r.code != 0 {
		err = fmt.Errorf("exit status %d", r.code)
	}
	if err != nil {
		return r.stdout, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, e2eClip(r.stdout), e2eClip(r.stderr))
	}
	return r.stdout, nil
}

// e2eMustTool is e2eTool that fails the test on error.
func e2eMustTool(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	out, err := e2eTool(env, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// e2eIsolatedVars are cleared from every strata child's environment: they would
// make it read the developer's Docker or Podman settings instead of the
// test's.
var e2eIsolatedVars = []string{
	"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
	"DOCKER_API_VERSION", "CONTAINER_HOST", "XDG_RUNTIME_DIR", "HOME", "XDG_CONFIG_HOME",
	"REGISTRY_AUTH_FILE", "CONTAINERD_ADDRESS", "CONTAINERD_NAMESPACE",
}

// e2eEnv returns an environment for a child process: the test process's
// without e2eIsolatedVars, with HOME, XDG_CONFIG_HOME and DOCKER_CONFIG in a
// fresh directory (an empty Docker config: no credentials), then each of kv
// applied in order: "K=V" sets K, "K" alone removes it.
func e2eEnv(t *testing.T, kv ...string) []string {
	t.Helper()
	home := t.TempDir()
	base := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"DOCKER_CONFIG=" + filepath.Join(home, ".docker"),
	}
	return e2eWithEnv(e2eWithEnv(os.Environ(), append(e2eIsolatedVars, base...)...), kv...)
}

// e2eWithEnv applies kv to env: "K=V" sets K, "K" alone removes it.
func e2eWithEnv(env []string, kv ...string) []string {
	out := append([]string(nil), env...)
	for _, s := range kv {
		key, _, set := strings.Cut(s, "=")
		kept := out[:0]
		for _, e := range out {
			if k, _, _ := strings.Cut(e, "="); k != key {
				kept = append(kept, e)
			}
		}
		out = kept
		if set {
			out = append(out, s)
		}
	}
	return out
}

// strata runs the strata binary with args in env (see e2eEnv) and returns
// what it gave. It never fails the test on a non-zero exit.
func e2eStrata(t *testing.T, env []string, args ...string) e2eResult {
	t.Helper()
	cmd, cancel := e2eCmd(env, e2eBinary(t), args...)
	defer cancel()
	r, err := e2eExecute(cmd)
	if err != nil {
		t.Fatalf("strata %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	return r
}

// e2eAnalyzeJSON runs `strata analyze REF --format json` plus extra arguments,
// requires exit 0 and returns the report's bytes.
func e2eAnalyzeJSON(t *testing.T, env []string, ref string, extra ...string) []byte {
	t.Helper()
	args := append([]string{"analyze", ref, "--format", "json"}, extra...)
	r := e2eStrata(t, env, args...)
	if r.code != 0 {
		t.Fatalf("strata %s: want exit 0\n%s", strings.Join(args, " "), r)
	}
	if !json.Valid([]byte(r.stdout)) {
		t.Fatalf("strata %s: stdout is not JSON\n%s", strings.Join(args, " "), r)
	}
	return []byte(r.stdout)
}

// report is the part of strata's JSON report the tests assert. Unknown
// fields are ignored.
type e2eReport struct {
	SchemaVersion int `json:"schemaVersion"`
	Image         struct {
		Reference string `json:"reference"`
		Source    string `json:"source"`
		Digest    string `json:"digest"`
		Platform  string `json:"platform"`
	} `json:"image"`
	Summary e2eSummary      `json:"summary"`
	Layers  []e2eLayer      `json:"layers"`
	Wasted  []e2eWastedPath `json:"wasted"`
}

// e2eSummary is the report's "summary".
type e2eSummary struct {
	TotalBytes            int64   `json:"totalBytes"`
	VisibleBytes          int64   `json:"visibleBytes"`
	WastedBytes           int64   `json:"wastedBytes"`
	Efficiency            float64 `json:"efficiency"`
	UserBytes             int64   `json:"userBytes"`
	UserWastedBytes       int64   `json:"userWastedBytes"`
	UserWastedPercent     float64 `json:"userWastedPercent"`
	DuplicateBytes        int64   `json:"duplicateBytes"`
	PotentialSavingsBytes int64   `json:"potentialSavingsBytes"`
	FileCount             int     `json:"fileCount"`
	LayerCount            int     `json:"layerCount"`
	Dive                  e2eDive `json:"dive"`
}

// e2eDive is the report's "summary.dive".
type e2eDive struct {
	SizeBytes         int64   `json:"sizeBytes"`
	UserSizeBytes     int64   `json:"userSizeBytes"`
	Efficiency        float64 `json:"efficiency"`
	WastedBytes       int64   `json:"wastedBytes"`
	UserWastedPercent float64 `json:"userWastedPercent"`
}

// e2eLayer is one element of the report's "layers".
type e2eLayer struct {
	Index         int    `json:"index"`
	Digest        string `json:"digest"`
	DiffID        string `json:"diffID"`
	SizeBytes     int64  `json:"sizeBytes"`
	Command       string `json:"command"`
	Added         int    `json:"added"`
	Modified      int    `json:"modified"`
	Removed       int    `json:"removed"`
	AddedBytes    int64  `json:"addedBytes"`
	ModifiedBytes int64  `json:"modifiedBytes"`
	RemovedBytes  int64  `json:"removedBytes"`
	WastedBytes   int64  `json:"wastedBytes"`
}

// e2eWastedPath is one element of the report's "wasted".
type e2eWastedPath struct {
	Path        string `json:"path"`
	Bytes       int64  `json:"bytes"`
	Occurrences []struct {
		Layer      int   `json:"layer"`
		SizeBytes  int64 `json:"sizeBytes"`
		ShadowedBy int   `json:"shadowedBy"`
	} `json:"occurrences"`
}

// e2eDecode decodes a JSON report, failing the test on error.
func e2eDecode(t *testing.T, b []byte) e2eReport {
	t.Helper()
	var r e2eReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decoding the JSON report: %v\n%s", err, e2eClip(string(b)))
	}
	return r
}

// docker runs the docker CLI against the test Docker Engine with a private
// client config and the legacy builder, returning its stdout.
func e2eDocker(host, config string, args ...string) (string, error) {
	return e2eDockerWithin(e2eTimeout, host, config, args...)
}

// e2eDockerWithin is e2eDocker bounded by timeout instead of e2eTimeout.
func e2eDockerWithin(timeout time.Duration, host, config string, args ...string) (string, error) {
	env := e2eWithEnv(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+config,
		"DOCKER_BUILDKIT=0", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
	return e2eToolWithin(timeout, env, "docker", args...)
}

// skopeo runs skopeo with a permissive signature policy of its own (no
// system /etc/containers/policy.json needed) and returns its stdout.
func e2eSkopeo(t *testing.T, args ...string) string {
	t.Helper()
	e2eNeedTool(t, "skopeo")
	policy := filepath.Join(t.TempDir(), "policy.json")
	e2eWriteFile(t, policy, []byte(`{"default":[{"type":"insecureAcceptAnything"}]}`))
	return e2eMustTool(t, e2eWithEnv(os.Environ(), "REGISTRY_AUTH_FILE"), "skopeo", append([]string{"--policy", policy}, args...)...)
}

// e2eWriteFile writes a file, failing the test on error.
func e2eWriteFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// e2eDockerConfig writes a Docker client config holding basic-auth
// credentials for host in a temporary directory and returns the directory.
func e2eDockerConfig(t *testing.T, host, user, password string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := map[string]any{"auths": map[string]any{
		host: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password))},
	}}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e2eWriteFile(t, filepath.Join(dir, "config.json"), b)
	return dir
}
