package findings_test

import (
	"strings"
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// Planted secrets: test values in the formats the scanner knows. None of
// them may ever appear whole in a report.
const (
	plantedKeyBody = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"
	plantedKey     = "-----BEGIN RSA PRIVATE KEY-----\n" + plantedKeyBody + "\n-----END RSA PRIVATE KEY-----\n"
	plantedAWSID   = "AKIAZ3MPLE7EST0KEY12"
	plantedAWSKey  = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY1"
	plantedGitHub  = "ghp_R4nd0mT0k3nF0rStr4t4T3st1ngAbCdEf1234"
	plantedDotenv  = "s3cr3t-d0tenv-v4lue-0987"
	plantedNpmrc   = "abcdef0123456789abcdef0123456789"
	plantedEnvVar  = "sk-env-planted-abcdef123456"
	plantedArg     = "arg-planted-9876543210zyx"
	plantedGCPKey  = "3f2e1d0c9b8a77665544332211000fedcba98765"
)

// gcpJSON is a service-account key file.
var gcpJSON = `{"type": "service_account", "project_id": "demo", "private_key_id": "` + plantedGCPKey +
	`", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n", "client_email": "x@demo.iam.gserviceaccount.com"}`

func secretCases() []ruleCase {
	keyFile := fixtures.File("root/.ssh/id_rsa", plantedKey)
	return []ruleCase{
		{rule: "private-key", name: "trigger: added, then deleted by a later RUN", image: image(
			copyTo("/root/.ssh/id_rsa", keyFile),
			run("git clone git@github.com:org/repo.git && rm /root/.ssh/id_rsa", fixtures.Whiteout("root/.ssh/id_rsa")),
		), want: []hit{{Layer: 1, Paths: []string{"/root/.ssh/id_rsa"}, PathCount: 1, Bytes: int64(len(plantedKey))}}},
		{rule: "private-key", name: "guard: public keys, certificates, test keys of packages", image: image(
			copyTo("/", fixtures.File("root/.ssh/id_rsa.pub", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host\n"),
				fixtures.File("app/cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
				fixtures.File("usr/lib/python3/dist-packages/tests/key.pem", plantedKey)),
		)},
		{rule: "cloud-credentials", name: "trigger", image: image(
			copyTo("/app", fixtures.File("app/config.yaml", "aws:\n  access_key_id: "+plantedAWSID+"\n"),
				fixtures.File("app/sa.json", gcpJSON)),
		), want: []hit{{Layer: 1, Paths: []string{"/app/sa.json"}, PathCount: 1, Bytes: int64(len(gcpJSON))},
			{Layer: 1, Paths: []string{"/app/config.yaml"}, PathCount: 1, Bytes: int64(len("aws:\n  access_key_id: " + plantedAWSID + "\n"))}}},
		{rule: "cloud-credentials", name: "guard: look-alikes", image: image(
			copyTo("/app", fixtures.File("app/notes.txt", "ids: "+plantedAWSID+"X myAKIAZ3MPLE7EST0KEY12 AKIA-short\n"),
				fixtures.File("app/adc.json", `{"type": "authorized_user", "client_id": "x"}`)),
		)},
		{rule: "api-token", name: "trigger", image: image(
			copyTo("/app", fixtures.File("app/deploy.sh", "#!/bin/sh\nexport GH="+plantedGitHub+"\n")),
		), want: []hit{{Layer: 1, Paths: []string{"/app/deploy.sh"}, PathCount: 1, Bytes: int64(len("#!/bin/sh\nexport GH=" + plantedGitHub + "\n"))}}},
		{rule: "api-token", name: "guard: prefixes in ordinary text", image: image(
			copyTo("/app", fixtures.File("app/README.md", "Run the task-manager and the sk-learn-style pipeline; ghp_short, npm_install, glpat-x, xoxb-1.\n")),
		)},
		{rule: "credentials-file", name: "trigger", image: image(
			copyTo("/root", fixtures.File("root/.npmrc", "//registry.example.com/:_authToken="+plantedNpmrc+"\n")),
		), want: []hit{{Layer: 1, Paths: []string{"/root/.npmrc"}, PathCount: 1, Bytes: int64(len("//registry.example.com/:_authToken=" + plantedNpmrc + "\n"))}}},
		{rule: "credentials-file", name: "guard: token from the environment, empty docker config", image: image(
			copyTo("/root", fixtures.File("root/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
				fixtures.File("root/.docker/config.json", `{"auths": {}, "credsStore": "desktop"}`)),
		)},
		{rule: "env-file", name: "trigger", image: image(
			copyTo("/app", fixtures.File("app/.env", "DEBUG=1\nAPI_TOKEN="+plantedDotenv+"\n")),
		), want: []hit{{Layer: 1, Paths: []string{"/app/.env"}, PathCount: 1, Bytes: int64(len("DEBUG=1\nAPI_TOKEN=" + plantedDotenv + "\n"))}}},
		{rule: "env-file", name: "guard: templates and harmless values", image: image(
			copyTo("/app", fixtures.File("app/.env.example", "API_TOKEN=changeme\n"),
				fixtures.File("app/.env", "DEBUG=true\nPORT=8080\nPASSWORD_FILE=/run/secrets/db\nAPI_TOKEN=\n")),
		)},
		{rule: "secret-env", name: "trigger: ENV and a build argument", image: fixtures.Image{
			Layers: append([]fixtures.Layer{baseLayer()}, meta("ENV API_KEY="+plantedEnvVar),
				fixtures.Layer{CreatedBy: "|1 NPM_TOKEN=" + plantedArg + " /bin/sh -c npm ci", Entries: []fixtures.Entry{file("app/x", 10)}}),
			Config: func() (c cleanCfg) { c = cleanConfig(); c.Env = append(c.Env, "API_KEY="+plantedEnvVar); return }(),
		}, want: []hit{{Layer: -1}, {Layer: 1}}},
		{rule: "secret-env", name: "guard: names that only look secret", image: fixtures.Image{
			Layers: append([]fixtures.Layer{baseLayer()}, meta("ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D KEYBOARD=us TOKEN_FILE=/run/secrets/token PASSWORD_MIN_LENGTH=8")),
			Config: func() (c cleanCfg) {
				c = cleanConfig()
				c.Env = append(c.Env, "KEYBOARD=us", "TOKEN_FILE=/run/secrets/token", "PASSWORD_MIN_LENGTH=8", "PWD=/app")
				return
			}(),
		}},
	}
}

func TestSecretRules(t *testing.T) { runCases(t, secretCases()) }

// TestSecretEvidenceIsMasked checks what the secret findings say: the kind
// and a masked preview, never the value.
func TestSecretEvidenceIsMasked(t *testing.T) {
	a := analyze(t, secretImage(), "")
	want := map[string]string{
		"private-key":       "RSA private key: -----BEGIN RSA PRIVATE KEY-----; deleted by layer 2, but still readable in layer 1",
		"cloud-credentials": "AWS access key ID: AKI********",
		"api-token":         "GitHub token: ghp********",
		"credentials-file":  "npm registry token in .npmrc: _authToken=abc********",
		"env-file":          "API_TOKEN in .env: API_TOKEN=s3c********",
		"secret-env":        "API_KEY=sk-******** (ENV)",
	}
	got := map[string]string{}
	for _, f := range a.Findings {
		got[f.Rule] += f.Evidence + " | "
	}
	for rule, w := range want {
		if !strings.Contains(got[rule], w) {
			t.Errorf("%s evidence = %q, want it to contain %q", rule, got[rule], w)
		}
	}
}
