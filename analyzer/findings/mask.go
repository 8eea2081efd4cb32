package findings

import (
	"strings"
)

// secretTokens are the name tokens that make a variable secret-looking. They
// follow Trivy's DS-0031 token list (apikey, auth, credential(s), key,
// password, pword, passwd, secret, token, psw) plus a few common spellings.
var secretTokens = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "pword": true, "psw": true,
	"secret": true, "token": true, "apikey": true, "key": true, "credential": true,
	"credentials": true, "auth": true, "private": true, "privatekey": true, "accesskey": true,
	"secretkey": true, "cert": true,
}

// publicTokens make a name that would otherwise look secret harmless: it
// names a public key, a fingerprint, or where a secret is kept rather than
// the secret itself ("GPG_KEY", "PUBLIC_KEY", "SSL_KEY_FILE", "CERT_DIR").
var publicTokens = map[string]bool{
	"public": true, "pub": true, "gpg": true, "pgp": true, "fingerprint": true,
	"file": true, "path": true, "dir": true, "url": true,
}

// SecretName reports whether a variable name looks like it holds a secret,
// matching whole tokens ("API_KEY", "dbPassword") rather than substrings
// ("KEYBOARD", "PASSAGE"), as Trivy's DS-0031 does, and ignoring names that
// denote something public or a location ("GPG_KEY", "TLS_KEY_FILE").
func SecretName(name string) bool {
	toks := nameTokens(name)
	secret := false
	for _, tok := range toks {
		if publicTokens[tok] {
			return false
		}
		if secretTokens[tok] {
			secret = true
		}
	}
	if len(toks) == 1 && (toks[0] == "pwd") {
		return false // the shell's working directory
	}
	return secret
}

// nameTokens splits a name at '_', '-', '.' and lower-to-upper case changes.
func nameTokens(name string) []string {
	var toks []string
	start := 0
	flush := func(end int) {
		if end > start {
			toks = append(toks, strings.ToLower(name[start:end]))
		}
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case ch == '_' || ch == '-' || ch == '.':
			flush(i)
			start = i + 1
		case i > start && ch >= 'A' && ch <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z':
			flush(i)
			start = i
		}
	}
	flush(len(name))
	return toks
}

// MaskEnv masks a NAME=VALUE pair: the whole value when the name looks
// secret, otherwise what MaskText finds in it.
func MaskEnv(kv string) string {
	name, value, ok := strings.Cut(kv, "=")
	if !ok || value == "" || !SecretName(name) {
		return MaskText(kv)
	}
	return name + "=" + MaskValue(value)
}

// MaskLabel masks a label's value: the whole of it when the key looks secret
// ("db.password", "api_key"), otherwise what MaskText finds in it.
func MaskLabel(key, value string) string {
	if value != "" && SecretName(key) {
		return MaskValue(value)
	}
	return MaskText(value)
}

// MaskArgs masks an argument vector (Cmd, Entrypoint, Healthcheck) as one
// command line, so that a flag masks the argument after it
// (["sshpass", "-p", "secret"]); it returns a copy.
func MaskArgs(args []string) []string {
	if len(args) == 0 {
		return args
	}
	joined := strings.Join(args, "\x00")
	masked := MaskText(joined)
	if masked == joined {
		return args
	}
	out := strings.Split(masked, "\x00")
	if len(out) != len(args) {
		return strings.Split(strings.Repeat(MaskValue("")+"\x00", len(args)-1)+MaskValue(""), "\x00")
	}
	return out
}

// MaskValue returns a preview of a secret that never shows it whole: at most
// its first 3 characters (none for short values) followed by asterisks.
func MaskValue(v string) string {
	if len(v) < 12 {
		return "********"
	}
	return v[:3] + "********"
}

// MaskText masks every value in s that has the shape of a secret, whatever
// names it: the values of NAME=VALUE words whose name looks secret (ENV, ARG,
// build arguments, --password=…), the value of a legacy "ENV NAME VALUE",
// the password of a URL ("https://user:pass@host" keeps scheme, user and
// host), the arguments of password flags (curl -u user:pass, --password …,
// mysql -p…, sshpass -p …, docker login -p …), Authorization, Bearer and
// Basic credentials, JWTs and tokens of known formats. Every configuration
// value, label and command goes through it before a report or a baseline
// shows it; the rules read the raw values.
func MaskText(s string) string {
	if s == "" {
		return s
	}
	s = maskAssignments(s)
	s = maskLegacyEnv(s)
	s = maskURLPasswords(s)
	s = maskFlags(s)
	s = maskAuthorization(s)
	s = maskJWTs(s)
	return maskKnownTokens(s)
}

// maskAssignments masks VALUE in every NAME=VALUE whose NAME looks secret.
func maskAssignments(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			continue
		}
		start := i
		for start > 0 && isNameByte(s[start-1]) {
			start--
		}
		if start == i || !SecretName(s[start:i]) {
			continue
		}
		vs, ve := valueSpan(s, i+1)
		if ve == vs {
			continue
		}
		b.WriteString(s[last:vs])
		b.WriteString(MaskValue(strings.Trim(s[vs:ve], `"'`)))
		last = ve
		i = ve - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskLegacyEnv masks the value of "ENV NAME VALUE" (the form without '=').
func maskLegacyEnv(s string) string {
	i := strings.Index(s, "ENV ")
	if i < 0 || (i > 0 && s[i-1] != ' ' && s[i-1] != ')') {
		return s
	}
	rest := s[i+4:]
	trim := strings.TrimLeft(rest, " ")
	name, value, ok := strings.Cut(trim, " ")
	if !ok || strings.Contains(name, "=") || !SecretName(name) || strings.TrimSpace(value) == "" {
		return s
	}
	return s[:len(s)-len(value)] + MaskValue(strings.TrimSpace(value))
}

// maskURLPasswords masks the password of "scheme://user:password@host".
func maskURLPasswords(s string) string {
	out := s
	from := 0
	for {
		i := strings.Index(out[from:], "://")
		if i < 0 {
			return out
		}
		start := from + i + 3
		end := start
		for end < len(out) && !strings.ContainsRune(" \t\n\x00\"'/@", rune(out[end])) {
			end++
		}
		if end < len(out) && out[end] == '@' {
			if c := strings.IndexByte(out[start:end], ':'); c >= 0 && start+c+1 < end {
				out = out[:start+c+1] + "********" + out[end:]
				end = start + c + 1 + len("********")
			}
		}
		from = end
	}
}

// maskKnownTokens masks tokens of known formats (GitHub, GitLab, Slack,
// OpenAI, Stripe, npm, AWS access key IDs) wherever they appear.
func maskKnownTokens(s string) string {
	hits := findTokens([]byte(s))
	spans := make([]maskSpan, len(hits))
	for i, h := range hits {
		spans[i] = maskSpan{h.start, h.end}
	}
	return maskSpans(s, spans)
}

// valueSpan returns the extent of the value that starts at i: a quoted
// string, or everything up to the next blank.
func valueSpan(s string, i int) (int, int) {
	if i >= len(s) {
		return i, i
	}
	if q := s[i]; q == '"' || q == '\'' {
		if j := strings.IndexByte(s[i+1:], q); j >= 0 {
			return i, i + j + 2
		}
		return i, len(s)
	}
	j := i
	for j < len(s) && s[j] != 0 && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != ';' && s[j] != '&' && s[j] != '|' {
		j++
	}
	return i, j
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
