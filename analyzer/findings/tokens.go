package findings

import (
	"bytes"
)

// tokenKind is a secret format recognized in any text.
type tokenKind struct {
	rule     string
	kind     string
	severity Severity
}

// The token formats. Each is found from a rare trigger byte ('_', '-' or
// 'A') and checked on the few bytes around it, so that a file is read once
// per trigger byte with bytes.IndexByte and no regular expression runs on
// text that holds no candidate.
var (
	tokGitHub    = &tokenKind{RuleAPIToken, "GitHub token", High}
	tokGitLab    = &tokenKind{RuleAPIToken, "GitLab token", High}
	tokSlack     = &tokenKind{RuleAPIToken, "Slack token", High}
	tokOpenAI    = &tokenKind{RuleAPIToken, "OpenAI API key", High}
	tokStripe    = &tokenKind{RuleAPIToken, "Stripe live key", High}
	tokNpm       = &tokenKind{RuleAPIToken, "npm token", High}
	tokAWSKeyID  = &tokenKind{RuleCloudCredentials, "AWS access key ID", Critical}
	tokAWSSecret = &tokenKind{RuleCloudCredentials, "AWS secret access key", Critical}
	tokKey       = &tokenKind{RulePrivateKey, "private key", Critical}
)

// tokenHit is one token found at b[start:end].
type tokenHit struct {
	start, end int
	kind       *tokenKind
	label      string // for private keys, the PEM label ("RSA PRIVATE KEY")
}

// findTokens returns the tokens of known formats in b, in order.
func findTokens(b []byte) []tokenHit {
	var hits []tokenHit
	for i := indexFrom(b, 0, '_'); i >= 0; i = indexFrom(b, i+1, '_') {
		if h, ok := underscoreToken(b, i); ok {
			hits = append(hits, h)
			i = h.end - 1
		}
	}
	for i := indexFrom(b, 0, '-'); i >= 0; i = indexFrom(b, i+1, '-') {
		if h, ok := dashToken(b, i); ok {
			hits = append(hits, h)
			i = h.end - 1
		}
	}
	for i := indexFrom(b, 0, 'A'); i >= 0; i = indexFrom(b, i+1, 'A') {
		if h, ok := awsKeyID(b, i); ok {
			hits = append(hits, h)
			i = h.end - 1
		}
	}
	if len(hits) > 1 {
		sortHits(hits)
	}
	return hits
}

func indexFrom(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	j := bytes.IndexByte(b[from:], c)
	if j < 0 {
		return -1
	}
	return from + j
}

func sortHits(h []tokenHit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].start < h[j-1].start; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

// wordStart reports whether position i begins a word (nothing alphanumeric
// right before it).
func wordStart(b []byte, i int) bool { return i == 0 || !isAlnum(b[i-1]) }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// span returns the end of the run of bytes accepted by ok starting at i.
func span(b []byte, i int, ok func(byte) bool) int {
	for i < len(b) && ok(b[i]) {
		i++
	}
	return i
}

func isTokenByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// hasBefore reports whether b[:i] ends with the word w (starting a word).
func hasBefore(b []byte, i int, w string) bool {
	s := i - len(w)
	return s >= 0 && string(b[s:i]) == w && wordStart(b, s)
}

// underscoreToken checks the tokens whose prefix ends with '_' at i.
func underscoreToken(b []byte, i int) (tokenHit, bool) {
	for _, p := range [...]string{"ghp", "gho", "ghu", "ghs", "ghr"} {
		if hasBefore(b, i, p) {
			end := span(b, i+1, isAlnum)
			if end-(i+1) >= 36 {
				return tokenHit{start: i - 3, end: end, kind: tokGitHub}, true
			}
		}
	}
	if hasBefore(b, i, "github_pat") {
		end := span(b, i+1, func(c byte) bool { return isAlnum(c) || c == '_' })
		if end-(i+1) >= 22 {
			return tokenHit{start: i - 10, end: end, kind: tokGitHub}, true
		}
	}
	if hasBefore(b, i, "npm") {
		end := span(b, i+1, isAlnum)
		if end-(i+1) == 36 {
			return tokenHit{start: i - 3, end: end, kind: tokNpm}, true
		}
	}
	if (hasBefore(b, i, "sk") || hasBefore(b, i, "rk")) && bytes.HasPrefix(b[i+1:], []byte("live_")) {
		end := span(b, i+6, isAlnum)
		if end-(i+6) >= 24 {
			return tokenHit{start: i - 2, end: end, kind: tokStripe}, true
		}
	}
	if (hasBefore(b, i, "aws") || hasBefore(b, i, "AWS")) && len(b) > i+21 &&
		bytes.EqualFold(b[i+1:i+18], []byte("secret_access_key")) {
		j := span(b, i+18, func(c byte) bool { return c == ' ' || c == '\t' || c == '"' || c == '\'' })
		if j < len(b) && (b[j] == '=' || b[j] == ':') {
			j = span(b, j+1, func(c byte) bool { return c == ' ' || c == '\t' || c == '"' || c == '\'' })
			end := span(b, j, func(c byte) bool { return isAlnum(c) || c == '/' || c == '+' })
			if end-j == 40 {
				return tokenHit{start: j, end: end, kind: tokAWSSecret}, true
			}
		}
	}
	return tokenHit{}, false
}

// pemPrivate are the PEM labels of private keys.
var pemPrivate = [...]string{
	"RSA PRIVATE KEY", "DSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
	"ENCRYPTED PRIVATE KEY", "PRIVATE KEY", "PGP PRIVATE KEY BLOCK",
}

// dashToken checks the tokens whose prefix ends with '-' at i, and PEM
// private key headers starting at i.
func dashToken(b []byte, i int) (tokenHit, bool) {
	if bytes.HasPrefix(b[i:], []byte("-----BEGIN ")) {
		rest := b[i+11:]
		for _, l := range pemPrivate {
			if bytes.HasPrefix(rest, []byte(l)) && bytes.HasPrefix(rest[len(l):], []byte("-----")) {
				return tokenHit{start: i, end: i + 11 + len(l) + 5, kind: tokKey, label: l}, true
			}
		}
		return tokenHit{}, false
	}
	if hasBefore(b, i, "glpat") {
		end := span(b, i+1, isTokenByte)
		if end-(i+1) >= 20 {
			return tokenHit{start: i - 5, end: end, kind: tokGitLab}, true
		}
	}
	for _, p := range [...]string{"xoxb", "xoxp", "xoxa", "xoxr", "xoxs"} {
		if hasBefore(b, i, p) {
			end := span(b, i+1, func(c byte) bool { return isAlnum(c) || c == '-' })
			if end-(i+1) >= 10 {
				return tokenHit{start: i - 4, end: end, kind: tokSlack}, true
			}
		}
	}
	if hasBefore(b, i, "sk") {
		end := span(b, i+1, isTokenByte)
		if end-(i+1) >= 40 && mixed(b[i+1:end]) {
			return tokenHit{start: i - 2, end: end, kind: tokOpenAI}, true
		}
	}
	return tokenHit{}, false
}

// mixed reports whether s has both letters and digits, as random keys do
// and words joined by dashes do not.
func mixed(s []byte) bool {
	var letter, digit bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		}
	}
	return letter && digit
}

// awsKeyID checks for an AWS access key ID (AKIA or ASIA and 16 more
// upper-case letters or digits) at i.
func awsKeyID(b []byte, i int) (tokenHit, bool) {
	if !wordStart(b, i) || len(b) < i+20 {
		return tokenHit{}, false
	}
	if p := string(b[i : i+4]); p != "AKIA" && p != "ASIA" {
		return tokenHit{}, false
	}
	end := span(b, i+4, func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' })
	if end-i != 20 || (end < len(b) && isAlnum(b[end])) {
		return tokenHit{}, false
	}
	return tokenHit{start: i, end: end, kind: tokAWSKeyID}, true
}
