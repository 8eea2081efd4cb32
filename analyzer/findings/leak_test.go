package findings_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/fixtures"
)

// secretImage holds every planted secret: in files (one deleted by a later
// layer), in ENV, in a build argument and in a RUN command line.
func secretImage() fixtures.Image {
	cfg := cleanConfig()
	cfg.Env = append(cfg.Env, "API_KEY="+plantedEnvVar)
	return fixtures.Image{Config: cfg, Layers: []fixtures.Layer{
		baseLayer(),
		copyTo("/root/.ssh/id_rsa", fixtures.File("root/.ssh/id_rsa", plantedKey)),
		run("git clone git@github.com:org/repo.git && rm /root/.ssh/id_rsa", fixtures.Whiteout("root/.ssh/id_rsa")),
		copyTo("/app", fixtures.File("app/config.yaml", "aws:\n  access_key_id: "+plantedAWSID+"\n  secret_access_key: "+plantedAWSKey+"\n"),
			fixtures.File("app/deploy.sh", "export GH="+plantedGitHub+"\n"),
			fixtures.File("app/.env", "API_TOKEN="+plantedDotenv+"\n"),
			fixtures.File("app/sa.json", gcpJSON)),
		copyTo("/root", fixtures.File("root/.npmrc", "//registry.example.com/:_authToken="+plantedNpmrc+"\n")),
		meta("ENV API_KEY=" + plantedEnvVar),
		{CreatedBy: "|1 NPM_TOKEN=" + plantedArg + " /bin/sh -c npm ci", Entries: []fixtures.Entry{file("app/x", 10)}},
		run("curl -H 'Authorization: token "+plantedGitHub+"' https://api.github.com/x -o /app/y", file("app/y", 10)),
	}}
}

// TestNoSecretInReports searches the text and JSON reports for every
// planted value: none may appear whole.
func TestNoSecretInReports(t *testing.T) {
	a := analyze(t, secretImage(), "")
	var text, js bytes.Buffer
	if err := report.WriteText(&text, a, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSON(&js, a, report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	planted := []string{plantedKeyBody, plantedAWSID, plantedAWSKey, plantedGitHub, plantedDotenv, plantedNpmrc,
		plantedEnvVar, plantedArg, plantedGCPKey}
	for name, out := range map[string]string{"text": text.String(), "json": js.String()} {
		for _, p := range planted {
			if strings.Contains(out, p) {
				t.Errorf("the %s report shows the secret %q whole", name, p)
			}
		}
	}
	// The secrets were found, not merely left out.
	for _, rule := range []string{"private-key", "cloud-credentials", "api-token", "credentials-file", "env-file", "secret-env"} {
		if !strings.Contains(text.String(), rule) {
			t.Errorf("the text report has no %s finding", rule)
		}
	}
}
