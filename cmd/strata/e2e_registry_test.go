package main

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/fixtures"
)

const (
	e2eVarRegistryTLS = "STRATA_TEST_REGISTRY_TLS" // HOST:PORT of a registry serving TLS with a certificate of its own CA
	e2eVarRegistryCA  = "STRATA_TEST_REGISTRY_CA"  // that CA's PEM file
)

// e2ePushSmall pushes a small two-layer image to ref through tr with auth.
func e2ePushSmall(t *testing.T, ref string, tr http.RoundTripper, auth authn.Authenticator) {
	t.Helper()
	img, err := fixtures.Build(fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{fixtures.Dir("etc/"), fixtures.File("etc/os-release", "ID=e2e\n")}},
		{CreatedBy: "app", Entries: []fixtures.Entry{fixtures.RandomFile("app/bin", 4096, 7)}},
	}}, fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, remote.WithTransport(tr), remote.WithAuth(auth)); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
}

// TestE2ERegistryTLS runs strata against Debian's docker-registry serving
// TLS with a certificate from a CA no system trusts: refused with a message
// saying what to do, accepted with --ca-file, with SSL_CERT_FILE naming the
// CA, and with --insecure-registry naming that host (and only that host).
func TestE2ERegistryTLS(t *testing.T) {
	e2eSkipShort(t)
	host := e2eNeedEnv(t, e2eVarRegistryTLS, "registry over TLS")
	ca := e2eNeedEnv(t, e2eVarRegistryCA, "the TLS registry's CA file")
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", ca)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	ref := host + "/e2e/tls:1"
	e2ePushSmall(t, ref, tr, authn.Anonymous)

	r := e2eStrata(t, e2eEnv(t), "analyze", "registry://"+ref, "-q")
	if r.code != 2 {
		t.Fatalf("untrusted registry: exit %d, want 2\n%s", r.code, r)
	}
	for _, want := range []string{"registry " + host, "certificate is not trusted", "x509", "use --ca-file FILE or add the CA to the system trust store"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("untrusted registry: stderr lacks %q\n%s", want, r)
		}
	}
	r = e2eStrata(t, e2eEnv(t), "analyze", "registry://"+ref, "-q", "--insecure-registry", "127.0.0.1:1", "--insecure-registry", "registry.example")
	if r.code != 2 || !strings.Contains(r.stderr, "certificate is not trusted") {
		t.Errorf("--insecure-registry for other hosts: want the certificate refused\n%s", r)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"--ca-file", nil, []string{"--ca-file", ca}},
		{"SSL_CERT_FILE", []string{"SSL_CERT_FILE=" + ca}, nil},
		{"--insecure-registry", nil, []string{"--insecure-registry", host}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := e2eDecode(t, e2eAnalyzeJSON(t, e2eEnv(t, tc.env...), "registry://"+ref, tc.args...))
			if doc.Image.Source != "registry" || len(doc.Layers) != 2 {
				t.Errorf("source %q, %d layers; want registry, 2", doc.Image.Source, len(doc.Layers))
			}
		})
	}
	r = e2eStrata(t, e2eEnv(t), "analyze", "registry://"+ref, "-q", "--ca-file", filepath.Join(t.TempDir(), "missing.pem"))
	if r.code != 2 || !strings.Contains(r.stderr, "reading the CA file") {
		t.Errorf("missing --ca-file: want exit 2 naming the CA file\n%s", r)
	}
}

// TestE2ERegistryCredentials reads from the registry with basic auth through
// a config.json and through a credential helper, and checks that the
// password appears in no output, whether access works or is refused.
func TestE2ERegistryCredentials(t *testing.T) {
	e2eSkipShort(t)
	host := e2eNeedEnv(t, e2eVarRegistryAuth, "registry with basic auth")
	user := e2eNeedEnv(t, e2eVarRegistryUser, "registry user")
	password := e2eNeedEnv(t, e2eVarRegistryPassword, "registry password")
	ref := host + "/e2e/private:1"
	e2ePushSmall(t, ref, http.DefaultTransport, &authn.Basic{Username: user, Password: password})
	insecure := []string{"--insecure-registry", host}

	// The helper, on PATH under its real name.
	bin := t.TempDir()
	script, err := os.ReadFile(filepath.Join("testdata", "docker-credential-strata-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-strata-test"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	helperDir := t.TempDir()
	e2eWriteFile(t, filepath.Join(helperDir, "config.json"), []byte(`{"credHelpers":{"`+host+`":"strata-test"}}`))
	log := filepath.Join(t.TempDir(), "helper.log")
	helperEnv := func(secret string) []string {
		return []string{"DOCKER_CONFIG=" + helperDir, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
			"STRATA_HELPER_HOST=" + host, "STRATA_HELPER_USER=" + user, "STRATA_HELPER_SECRET=" + secret, "STRATA_HELPER_LOG=" + log}
	}
	wrong := "Wr0ng-Passw0rd-7f3a"

	var outputs []string
	// run runs strata and records its output; wantCode -1 accepts 0 or 1.
	run := func(name string, env []string, wantCode int, args ...string) e2eResult {
		t.Helper()
		r := e2eStrata(t, e2eEnv(t, env...), append(args, insecure...)...)
		outputs = append(outputs, name+" stdout:\n"+r.stdout, name+" stderr:\n"+r.stderr)
		if r.code != wantCode && (wantCode >= 0 || r.code == 2) {
			t.Errorf("%s: exit %d, want %d\n%s", name, r.code, wantCode, r)
		}
		return r
	}
	r := run("no credentials", nil, 2, "analyze", "registry://"+ref)
	if !strings.Contains(r.stderr, "docker login "+host) {
		t.Errorf("no credentials: stderr lacks the login hint\n%s", r)
	}
	run("config.json", []string{"DOCKER_CONFIG=" + e2eDockerConfig(t, host, user, password)}, 0, "analyze", "registry://"+ref, "--format", "json")
	run("config.json, text", []string{"DOCKER_CONFIG=" + e2eDockerConfig(t, host, user, password)}, 0, "analyze", "registry://"+ref)
	run("wrong password in config.json", []string{"DOCKER_CONFIG=" + e2eDockerConfig(t, host, user, wrong)}, 2, "analyze", "registry://"+ref)
	run("credential helper", helperEnv(password), 0, "analyze", "registry://"+ref, "--format", "json")
	run("credential helper, markdown", helperEnv(password), 0, "analyze", "registry://"+ref, "--format", "markdown")
	run("wrong password from the helper", helperEnv(wrong), 2, "analyze", "registry://"+ref)
	run("ci gate", helperEnv(password), -1, "ci", "registry://"+ref, "--format", "json") // passes or fails the policy, loads

	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "get ") {
		t.Errorf("the credential helper was never asked (log: %q)", calls)
	}
	for _, out := range outputs {
		for _, secret := range []string{password, wrong} {
			if strings.Contains(out, secret) {
				t.Errorf("the password %q appears in %s", secret, e2eClip(out))
			}
		}
	}
}
