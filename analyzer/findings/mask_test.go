package findings

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"API_KEY": true, "dbPassword": true, "GITHUB_TOKEN": true, "AWS_SECRET_ACCESS_KEY": true, "DB_PWD": true,
		"auth-token": true, "client.secret": true,
		"KEYBOARD": false, "PASSAGE": false, "GPG_KEY": false, "PUBLIC_KEY": false, "TLS_KEY_FILE": false,
		"TOKEN_PATH": false, "PWD": false, "MONKEY": false, "PATH": false, "SECRETARY": false,
	} {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMaskText(t *testing.T) {
	for in, want := range map[string]string{
		"ENV API_KEY=sk-abcdef1234567890":                              "ENV API_KEY=sk-********",
		`ENV DB_PASSWORD="two words here" MODE=prod`:                   "ENV DB_PASSWORD=two******** MODE=prod",
		"ENV API_TOKEN abcdefgh12345678":                               "ENV API_TOKEN abc********",
		"|1 NPM_TOKEN=abc123def456ghi /bin/sh -c npm ci":               "|1 NPM_TOKEN=abc******** /bin/sh -c npm ci",
		"RUN git clone https://user:hunter22@example.com/r":            "RUN git clone https://user:********@example.com/r",
		"RUN curl -H 'token ghp_012345678901234567890123456789abcdef'": "RUN curl -H 'token ghp********'",
		"RUN apt-get update && apt-get install -y curl":                "RUN apt-get update && apt-get install -y curl",
		"ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D":         "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
		"ENV PASSWORD_MIN=8 PORT=80":                                   "ENV PASSWORD_MIN=******** PORT=80",
		// Flags that take a password, for the clients that have them.
		"RUN curl -u deploy:hunter2hunter2 https://h":        "RUN curl -u deploy:hun******** https://h",
		"RUN curl --user ops:pw https://h":                   "RUN curl --user ops:******** https://h",
		"RUN curl -ubuilder:pw42 https://h":                  "RUN curl -ubuilder:******** https://h",
		"RUN useradd -u 1000 app":                            "RUN useradd -u 1000 app",
		"RUN wget --password=pw42 https://h":                 "RUN wget --password=******** https://h",
		"app --db-password s3cret --verbose":                 "app --db-password ******** --verbose",
		"echo pw | docker login --password-stdin -u bot reg": "echo pw | docker login --password-stdin -u bot reg",
		"RUN mysql -uroot -pr00tpw -e 'select 1'":            "RUN mysql -uroot -p******** -e 'select 1'",
		"RUN mysql -p dbname":                                "RUN mysql -p dbname",
		"sshpass -p s3cret ssh host":                         "sshpass -p ******** ssh host",
		"docker login -u bot -p s3cret registry.example.com": "docker login -u bot -p ******** registry.example.com",
		"RUN cp -pr a b":                                     "RUN cp -pr a b",
		// HTTP credentials and JWTs.
		`curl -H "Authorization: Bearer abcdefgh12345678" u`: `curl -H "Authorization: Bearer abc********" u`,
		"Authorization: Basic dXNlcjpwYXNz":                  "Authorization: Basic dXN********",
		"send Bearer tok3nvalue":                             "send Bearer ********",
		"a basic image for testing":                          "a basic image for testing",
		"t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-x y":    "t=eyJ******** y",
	} {
		if got := MaskText(in); got != want {
			t.Errorf("MaskText(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestMaskArgs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"sshpass", "-p", "s3cret", "ssh", "a b"}, []string{"sshpass", "-p", "********", "ssh", "a b"}},
		{[]string{"curl", "--user", "ops:s3cret", "https://u:pw@h/x"}, []string{"curl", "--user", "ops:********", "https://u:********@h/x"}},
		{[]string{"sh", "-c", "mysql -ps3cret"}, []string{"sh", "-c", "mysql -p********"}},
		{[]string{"/app", "--port", "80"}, []string{"/app", "--port", "80"}},
		{nil, nil},
	} {
		if diff := cmp.Diff(tc.want, MaskArgs(tc.in)); diff != "" {
			t.Errorf("MaskArgs(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestMaskLabel(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{"db.password", "s3cret", "********"},
		{"com.example.api_key", "abcdefghijklmnop", "abc********"},
		{"org.opencontainers.image.source", "https://ci:tok@git.example.com/r", "https://ci:********@git.example.com/r"},
		{"org.opencontainers.image.title", "demo", "demo"},
		{"gpg.key", "A035C8C19219BA82", "A035C8C19219BA82"},
	} {
		if got := MaskLabel(tc.key, tc.value); got != tc.want {
			t.Errorf("MaskLabel(%q, %q) = %q, want %q", tc.key, tc.value, got, tc.want)
		}
	}
}

func TestFindTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string // kinds
	}{
		{"x ghp_012345678901234567890123456789abcdef y", []string{"GitHub token"}},
		{"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", []string{"GitHub token"}},
		{"glpat-abcdefghij0123456789", []string{"GitLab token"}},
		{"xoxb-123456789012-abcdefghij", []string{"Slack token"}},
		{"sk-proj-abc123def456ghi789jkl012mno345pqr678", []string{"OpenAI API key"}},
		{"sk_live_0123456789abcdefghijklmn", []string{"Stripe live key"}},
		{"npm_abcdefghijklmnopqrstuvwxyz0123456789", []string{"npm token"}},
		{"id AKIAZ3MPLE7EST0KEY12.", []string{"AWS access key ID"}},
		{"aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY1", []string{"AWS secret access key"}},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn", []string{"private key"}},
		// look-alikes
		{"ghp_short task-manager sk-learn AKIAZ3MPLE7EST0KEY12X xAKIAZ3MPLE7EST0KEY12 -----BEGIN PUBLIC KEY-----", nil},
		{"disk-0123456789abcdef0123456789abcdefghijkl-sdk", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, h := range findTokens([]byte(tc.in)) {
			got = append(got, h.kind.kind)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("findTokens(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestParseRun(t *testing.T) {
	c, ok := parseRun("RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=tmpfs,dst=/tmp/ /bin/sh -c sudo -E pip install -r r.txt && apt-get update")
	if !ok {
		t.Fatal("not a RUN")
	}
	if diff := cmp.Diff([]mount{{"cache", "/root/.cache/pip"}, {"tmpfs", "/tmp"}}, c.mounts, cmp.AllowUnexported(mount{})); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}
	var got [][]string
	for _, call := range c.calls() {
		got = append(got, call.Args)
	}
	if diff := cmp.Diff([][]string{{"pip", "install", "-r", "r.txt"}, {"apt-get", "update"}}, got); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if !c.sudo() || !c.covers("/root/.cache/pip/x") || !c.covers("/tmp/y") || c.covers("/root/.cache/uv/x") {
		t.Errorf("sudo %v, covers wrong: %+v", c.sudo(), c)
	}
	if _, ok := parseRun("COPY . /app"); ok {
		t.Error("COPY parsed as RUN")
	}
}

func TestInstruction(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/bin/sh -c #(nop)  CMD [\"x\"]", `CMD ["x"]`},
		{"/bin/sh -c apt-get update", "RUN apt-get update"},
		{"/bin/bash -o pipefail -c apt-get update", "RUN apt-get update"},
		{"/bin/bash -o pipefail -c #(nop)  USER app", "USER app"},
		{"|2 A=1 B=two words /bin/sh -c make", "RUN make"},
		{"|1 V=1 /bin/bash -o pipefail -c make", "RUN make"},
		{"RUN /bin/sh -c make # buildkit", "RUN make"},
		{"RUN |1 V=1 /bin/bash -eo pipefail -c make # buildkit", "RUN make"},
		{"RUN make # buildkit", "RUN make"},
		{"COPY . /app # buildkit", "COPY . /app"},
		{"ENV A=b", "ENV A=b"},
	}
	for _, tc := range tests {
		if got := Instruction(tc.in); got != tc.want {
			t.Errorf("Instruction(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
