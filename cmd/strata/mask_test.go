package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/fixtures"
)

// plantedSecret is a secret planted in one place of an image: text is where
// it goes with %s for the secret, keep what must still be shown around it.
type plantedSecret struct {
	where  string // env, label, cmd, entrypoint, healthcheck or history
	key    string // the variable or label name
	text   string
	secret string
	keep   []string
}

const (
	jwtA = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5NXgL0n3I9PlFUP0THsR8U"
	jwtB = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiYm90IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJVadQssw5c"
)

// plantedSecrets has several members of each shape of secret, in every
// place a value can appear.
var plantedSecrets = []plantedSecret{
	// URL user-info: the scheme, user and host stay.
	{"env", "DATABASE_URL", "postgres://appuser:%s@db.internal:5432/app", "Pg5ecretPassw0rd", []string{"postgres://appuser:", "@db.internal:5432"}},
	{"label", "org.example.mirror", "https://mirroruser:%s@mirror.example.com/repo", "M1rrorPassXyz77", []string{"mirroruser", "mirror.example.com"}},
	{"history", "", "/bin/sh -c git clone https://gituser:%s@git.example.org/x.git", "G1tCloneSecret99", []string{"gituser", "git.example.org"}},
	{"cmd", "", "wget https://wuser:%s@files.example.net/f", "Wg3tPassw0rdQ", []string{"wuser", "files.example.net"}},
	// curl -u user:pass: the user stays.
	{"history", "", "/bin/sh -c curl -u deploy:%s https://h.example.com", "CurlPassw0rd777", []string{"deploy:"}},
	{"entrypoint", "", "curl --user ops:%s https://x.example.com", "0psCurlSecret42", []string{"ops:"}},
	{"history", "", "/bin/sh -c curl -ubuilder:%s https://y.example.com", "GluedCurlPw3141", []string{"builder:"}},
	// --password=… and --password …
	{"history", "", "/bin/sh -c wget --password=%s https://z.example.com", "WgetFlagSecret88", []string{"--password="}},
	{"cmd", "", "app --password %s --verbose", "AppFlagSecret5150", []string{"--password", "--verbose"}},
	{"label", "org.example.run", "mytool --db-password %s", "HiddenDbPass321", []string{"--db-password"}},
	// -p of known clients.
	{"history", "", "/bin/sh -c mysql -uroot -p%s -e 'select 1'", "MySqlRootPass987", []string{"-uroot", "select 1"}},
	{"cmd", "", "sshpass -p %s ssh host", "SshPassSecret2468", []string{"sshpass", "ssh"}},
	{"history", "", "/bin/sh -c echo x | docker login -u bot -p %s registry.example.com", "DockerLoginPw1357", []string{"-u bot", "registry.example.com"}},
	{"entrypoint", "", "mariadb -p%s", "MariaSecret8642", []string{"mariadb"}},
	// Authorization headers, Bearer and Basic credentials.
	{"history", "", `/bin/sh -c curl -H "Authorization: Bearer %s" https://api.example.com`, "BearerTok3nValue99", []string{"Authorization: Bearer", "api.example.com"}},
	{"env", "CURL_OPTS", "-H Authorization: Basic %s", "dXNlcjpCYXNpY1Bhc3M5OTk5", []string{"Authorization: Basic"}},
	{"label", "org.example.note", "send Bearer %s header", "LabelBearerTok777", []string{"Bearer", "header"}},
	{"healthcheck", "", `curl -fsS -H "Authorization: token %s" http://localhost/health`, "HealthTok3nAbc55", []string{"localhost/health"}},
	// JWTs.
	{"env", "ID_HINT", "%s", jwtA, nil},
	{"history", "", "/bin/sh -c echo %s > /tmp/jwt", jwtB, []string{"/tmp/jwt"}},
	// Tokens of known formats.
	{"label", "org.example.ci", "%s", "ghp_" + strings.Repeat("aB3dE5fG7h", 3) + "J9kL1m", nil},
	{"history", "", "/bin/sh -c aws configure set aws_access_key_id %s", "AKIAZ7Q3R5T2W4Y6U8P1", []string{"aws configure set"}},
	{"env", "SLACK_HOOK_NOTE", "%s", "xoxb-1234567890-abcdefghijKLMN", nil},
	// Variables and labels whose name looks secret.
	{"env", "DB_PASSWORD", "%s", "EnvDbPassw0rd4711", nil},
	{"env", "GITHUB_TOKEN", "%s", "ghp_" + strings.Repeat("Zy9Xw8Vu7T", 3) + "s6Rq5P", nil},
	{"label", "db.password", "%s", "LabelDbPassw0rd9", nil},
	{"label", "api_key", "%s", "LabelApiKey123456", nil},
	{"label", "com.example.token", "%s", "LabelTokenValue42", nil},
}

// rotated is another secret of the same shape: its last four characters
// rotated, so that a diff shows an old and a new value.
func rotated(s string) string {
	n := len(s) - 4
	return s[:n] + s[n+1:] + s[n:n+1]
}

// secretImage writes an image holding every planted secret, or with
// rotate their rotated forms, and returns its path.
func secretImage(t *testing.T, dir, name string, rotate bool) string {
	t.Helper()
	cfg := v1.Config{Labels: map[string]string{}, Healthcheck: &v1.HealthConfig{}}
	layers := []fixtures.Layer{{CreatedBy: "/bin/sh -c #(nop) ADD file:base in /", Entries: []fixtures.Entry{
		fixtures.Dir("etc/"), fixtures.File("etc/os-release", "ID=demo\n"),
	}}}
	for _, p := range plantedSecrets {
		s := p.secret
		if rotate {
			s = rotated(s)
		}
		v := fmt.Sprintf(p.text, s)
		switch p.where {
		case "env":
			cfg.Env = append(cfg.Env, p.key+"="+v)
			layers = append(layers, fixtures.Layer{CreatedBy: "/bin/sh -c #(nop) ENV " + p.key + "=" + v, EmptyLayer: true})
		case "label":
			cfg.Labels[p.key] = v
			layers = append(layers, fixtures.Layer{CreatedBy: "/bin/sh -c #(nop) LABEL " + p.key + "=" + v, EmptyLayer: true})
		case "cmd":
			cfg.Cmd = append(cfg.Cmd, strings.Fields(v)...)
		case "entrypoint":
			cfg.Entrypoint = append(cfg.Entrypoint, strings.Fields(v)...)
		case "healthcheck":
			cfg.Healthcheck.Test = []string{"CMD-SHELL", v}
		case "history":
			layers = append(layers, fixtures.Layer{CreatedBy: v, EmptyLayer: true})
		}
	}
	layers = append(layers, fixtures.Layer{CreatedBy: "/bin/sh -c echo done > /done", Entries: []fixtures.Entry{fixtures.File("done", "done\n")}})
	img, err := fixtures.Build(fixtures.Image{Layers: layers, Config: cfg}, fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := fixtures.WriteDockerArchive(path, "secrets:"+strings.TrimSuffix(name, ".tar"), img); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCLISecretsMaskedEverywhere: no planted secret (nor its rotated form)
// appears in any format of analyze, ci, the baseline ci writes, or diff,
// while the parts around them that are not secret still do.
func TestCLISecretsMaskedEverywhere(t *testing.T) {
	dir := t.TempDir()
	oldImg := secretImage(t, dir, "old.tar", false)
	newImg := secretImage(t, dir, "new.tar", true)
	check := func(what, out string) {
		t.Helper()
		for _, p := range plantedSecrets {
			for _, s := range []string{p.secret, rotated(p.secret)} {
				if strings.Contains(out, s) {
					t.Errorf("%s shows the %s secret %q", what, p.where, s)
				}
			}
		}
	}
	keep := func(what, out string) {
		t.Helper()
		for _, p := range plantedSecrets {
			for _, k := range p.keep {
				if !strings.Contains(out, k) {
					t.Errorf("%s lost %q around the %s secret of %q", what, k, p.where, p.text)
				}
			}
		}
	}
	for _, f := range analyzeFormats {
		r := runCLI(t, "analyze", oldImg, "-q", "-f", f)
		if r.code != 0 && r.code != 1 {
			t.Fatalf("analyze -f %s: exit %d: %s", f, r.code, r.stderr)
		}
		check("analyze -f "+f, r.stdout+r.stderr)
		if f == "json" {
			keep("analyze -f "+f, r.stdout)
		}
	}
	baseline := filepath.Join(dir, "baseline.json")
	for i, f := range ciFormats {
		args := []string{"ci", oldImg, "-q", "-f", f, "--baseline", baseline}
		if i == 0 {
			args = []string{"ci", oldImg, "-q", "-f", f, "--write-baseline", baseline}
		}
		r := runCLI(t, args...)
		if r.code != 0 && r.code != 1 {
			t.Fatalf("ci -f %s: exit %d: %s", f, r.code, r.stderr)
		}
		check("ci -f "+f, r.stdout+r.stderr)
	}
	b, err := os.ReadFile(baseline)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "secret") {
		t.Errorf("the baseline records no secret finding:\n%s", b)
	}
	check("the baseline", string(b))
	for _, f := range diffFormats {
		r := runCLI(t, "diff", oldImg, newImg, "-q", "-f", f)
		if r.code != 0 && r.code != 1 {
			t.Fatalf("diff -f %s: exit %d: %s", f, r.code, r.stderr)
		}
		check("diff -f "+f, r.stdout+r.stderr)
		if f == "json" {
			for _, k := range []string{"mirroruser", "mirror.example.com", "appuser", "db.internal", "ops:"} {
				if !strings.Contains(r.stdout, k) {
					t.Errorf("diff -f json lost %q", k)
				}
			}
		}
	}
}
