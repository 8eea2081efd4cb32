package findings

import (
	"bytes"
	"regexp"
	"strings"
)

// scanSecrets returns the secrets in one file's content: tokens of known
// formats anywhere, plus, for credentials files known by name, what their
// format says is a credential. Hits hold the kind and a masked preview only.
func scanSecrets(p, named string, b []byte) []SecretHit {
	var out []SecretHit
	seen := map[string]bool{}
	add := func(rule, kind, preview string, sev Severity) {
		if seen[rule+kind] {
			return
		}
		seen[rule+kind] = true
		out = append(out, SecretHit{Path: p, Rule: rule, Kind: kind, Preview: preview, Severity: sev})
	}
	gcp := strings.HasSuffix(p, ".json") && bytes.Contains(b, []byte(`"service_account"`)) && bytes.Contains(b, []byte(`"private_key"`))
	if gcp {
		add(RuleCloudCredentials, "GCP service account key", "private_key_id "+jsonPreview(b, "private_key_id"), Critical)
	}
	for _, h := range findTokens(b) {
		switch h.kind {
		case tokKey:
			if gcp {
				continue // the service-account key's own private key
			}
			kind, sev := keyKind(h.label, b[h.end:])
			add(RulePrivateKey, kind, string(b[h.start:h.end]), sev)
		default:
			add(h.kind.rule, h.kind.kind, MaskValue(string(b[h.start:h.end])), h.kind.severity)
		}
	}
	if named != "" {
		for _, c := range namedCredentials(named, b) {
			add(c.rule, c.kind, c.preview, High)
		}
	}
	return out
}

// keyKind names a private key from its PEM label; an encrypted key is less
// severe than a plain one.
func keyKind(label string, after []byte) (string, Severity) {
	encrypted := label == "ENCRYPTED PRIVATE KEY" || bytes.Contains(after[:min(len(after), 200)], []byte("ENCRYPTED"))
	name := strings.TrimSuffix(strings.TrimSuffix(label, " BLOCK"), "PRIVATE KEY")
	kind := strings.TrimSpace(strings.TrimSpace(name) + " private key")
	switch {
	case encrypted:
		return "encrypted " + strings.TrimPrefix(kind, "ENCRYPTED "), High
	case name == "":
		return "private key (PKCS#8)", Critical
	}
	return kind, Critical
}

// jsonPreview returns a masked preview of a JSON string field's value.
func jsonPreview(b []byte, field string) string {
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(field) + `"\s*:\s*"([^"]*)"`)
	m := re.FindSubmatch(b)
	if m == nil {
		return "********"
	}
	return MaskValue(string(m[1]))
}

// credential is one credential found in a named credentials file.
type credential struct{ rule, kind, preview string }

var (
	reNpmToken   = regexp.MustCompile(`(?m)(_authToken|_auth|_password)\s*=\s*"?([^\s"$][^\s"]*)`)
	rePypirc     = regexp.MustCompile(`(?mi)^\s*password\s*[:=]\s*(\S+)`)
	reNetrc      = regexp.MustCompile(`(?:^|\s)password\s+(\S+)`)
	reURLCred    = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^:/\s@]+:([^@\s]+)@`)
	reDockerAuth = regexp.MustCompile(`"(auth|identitytoken)"\s*:\s*"([^"]+)"`)
	reKubeCred   = regexp.MustCompile(`(?m)^\s*(token|client-key-data|password)\s*:\s*"?([^\s"]+)`)
)

// namedCredentials reads a credentials file whose name says its format.
func namedCredentials(named string, b []byte) []credential {
	first := func(re *regexp.Regexp, group int) (string, bool) {
		m := re.FindSubmatch(b)
		if m == nil {
			return "", false
		}
		return string(m[group]), true
	}
	var out []credential
	switch named {
	case "env":
		return envCredentials(b)
	case "npmrc":
		if m := reNpmToken.FindSubmatch(b); m != nil {
			out = append(out, credential{RuleCredentialsFile, "npm registry token in .npmrc", string(m[1]) + "=" + MaskValue(string(m[2]))})
		}
	case "pypirc":
		if v, ok := first(rePypirc, 1); ok {
			out = append(out, credential{RuleCredentialsFile, "PyPI password in .pypirc", "password=" + MaskValue(v)})
		}
	case "netrc":
		if v, ok := first(reNetrc, 1); ok {
			out = append(out, credential{RuleCredentialsFile, "password in .netrc", "password " + MaskValue(v)})
		}
	case "git-credentials":
		if v, ok := first(reURLCred, 1); ok {
			out = append(out, credential{RuleCredentialsFile, "password in .git-credentials", "https://…:" + MaskValue(v) + "@…"})
		}
	case "docker-config":
		if bytes.Contains(b, []byte(`"auths"`)) {
			if m := reDockerAuth.FindSubmatch(b); m != nil {
				out = append(out, credential{RuleCredentialsFile, "registry credentials in Docker config.json", string(m[1]) + ": " + MaskValue(string(m[2]))})
			}
		}
	case "kubeconfig":
		if m := reKubeCred.FindSubmatch(b); m != nil {
			out = append(out, credential{RuleCredentialsFile, "kubeconfig credentials", string(m[1]) + ": " + MaskValue(string(m[2]))})
		}
	}
	return out
}

// envCredentials reads a .env file: every secret-looking NAME=VALUE with a
// real value, and every URL carrying a password.
func envCredentials(b []byte) []credential {
	var out []credential
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		name, value = strings.TrimSpace(name), strings.Trim(strings.TrimSpace(value), `"'`)
		switch {
		case SecretName(name) && plausibleSecret(value):
			out = append(out, credential{RuleEnvFile, name + " in .env", name + "=" + MaskValue(value)})
		case reURLCred.MatchString(value):
			out = append(out, credential{RuleEnvFile, name + " (URL with a password) in .env", name + "=" + MaskValue(value)})
		}
	}
	return out
}

// plausibleSecret reports whether a value could be a real secret rather than
// an empty value, a reference ("$TOKEN", "${TOKEN}"), a path, a flag or a
// placeholder.
func plausibleSecret(v string) bool {
	if len(v) < 4 || v[0] == '$' || v[0] == '/' || v[0] == '<' {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "none", "null", "changeme", "change-me", "xxxx", "your-key-here", "example":
		return false
	}
	return strings.Trim(v, "x*.-_") != ""
}
