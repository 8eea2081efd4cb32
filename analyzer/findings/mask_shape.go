package findings

import (
	"regexp"
	"strings"
)

// passwordFlagClients are the programs whose -p flag takes a password: glued
// to it ("mysql -psecret") for all of them, or as the next argument
// ("sshpass -p secret", "docker login -p secret") for those in
// separatePasswordFlag.
var passwordFlagClients = map[string]bool{
	"mysql": true, "mariadb": true, "mysqldump": true, "mysqladmin": true, "mysqlimport": true,
	"mysqlcheck": true, "mariadb-dump": true, "mariadb-admin": true, "sshpass": true, "login": true,
}

// separatePasswordFlag lists the programs whose "-p VALUE" is a password
// (mysql's "-p NAME" names a database instead).
var separatePasswordFlag = map[string]bool{"sshpass": true, "login": true}

// word is a run of non-blank bytes of a command line at s[start:end].
type word struct{ start, end int }

// words splits s at blanks and NUL (which joins the arguments of a vector).
func words(s string) []word {
	var ws []word
	start := -1
	for i := 0; i <= len(s); i++ {
		blank := i == len(s) || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == 0
		switch {
		case blank && start >= 0:
			ws = append(ws, word{start, i})
			start = -1
		case !blank && start < 0:
			start = i
		}
	}
	return ws
}

// maskFlags masks the values of password flags: curl's and wget's
// "-u user:pass" / "--user user:pass" (the user stays), "--password VALUE"
// and the like, and -p of the clients in passwordFlagClients.
func maskFlags(s string) string {
	ws := words(s)
	if len(ws) < 2 {
		return s
	}
	text := func(w word) string { return strings.Trim(s[w.start:w.end], `"'`) }
	clients := map[string]bool{}
	curl := false
	for _, w := range ws {
		name := text(w)
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		if passwordFlagClients[name] {
			clients[name] = true
		}
		if name == "curl" || name == "wget" {
			curl = true
		}
	}
	var spans []maskSpan
	maskWord := func(w word, from int) {
		v := s[w.start:w.end]
		lead := len(v) - len(strings.TrimLeft(v, `"'`))
		trail := len(v) - len(strings.TrimRight(v, `"'`))
		if w.start+lead+from < w.end-trail {
			spans = append(spans, maskSpan{w.start + lead + from, w.end - trail})
		}
	}
	glued, separate := false, false
	for c := range clients {
		glued = glued || c != "login"
		separate = separate || separatePasswordFlag[c]
	}
	for i, w := range ws {
		t := text(w)
		next := i+1 < len(ws)
		switch {
		case curl && (t == "-u" || t == "--user" || t == "--proxy-user") && next:
			maskUserPass(text(ws[i+1]), func(from int) { maskWord(ws[i+1], from) })
		case curl && strings.HasPrefix(t, "-u") && len(t) > 2 && !strings.HasPrefix(t, "--"):
			maskUserPass(t[2:], func(from int) { maskWord(w, from+2) })
		case strings.HasPrefix(t, "--") && !strings.Contains(t, "=") && next && passwordFlag(t[2:]):
			maskWord(ws[i+1], 0)
		case t == "-p" && separate && next:
			maskWord(ws[i+1], 0)
		case strings.HasPrefix(t, "-p") && len(t) > 2 && (glued || separate) && !strings.HasPrefix(t, "--"):
			maskWord(w, 2)
		}
	}
	return maskSpans(s, spans)
}

// maskSpan is the extent s[start:end] of a value to mask.
type maskSpan struct{ start, end int }

// maskSpans replaces each span of s, in order, with its MaskValue; a span
// that starts inside the one before it is skipped.
func maskSpans(s string, spans []maskSpan) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if sp.start < last {
			continue
		}
		b.WriteString(s[last:sp.start])
		b.WriteString(MaskValue(s[sp.start:sp.end]))
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskUserPass masks the password of "user:password", from just after the
// colon; a user alone ("-u token" prompts for the password) is left.
func maskUserPass(v string, mask func(from int)) {
	if c := strings.IndexByte(v, ':'); c >= 0 && c+1 < len(v) {
		mask(c + 1)
	}
}

// passwordFlag reports whether a long flag's name ("password", "api-key",
// "registry-token") names a secret it takes as the next argument, leaving
// out the flags that say where the secret is ("--password-stdin",
// "--token-file").
func passwordFlag(name string) bool {
	toks := nameTokens(name)
	if len(toks) == 0 || toks[len(toks)-1] == "stdin" || toks[len(toks)-1] == "env" {
		return false
	}
	return SecretName(name)
}

var (
	// authHeader matches an Authorization header's credentials, whatever
	// the scheme.
	authHeader = regexp.MustCompile(`(?i)\b(?:proxy-)?authorization:\s*(?:[a-z][a-z0-9-]*\s+)?([^\s"'\x00\\]+)`)
	// bearerCred matches "Bearer VALUE" anywhere.
	bearerCred = regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{8,})`)
	// basicCred matches "Basic VALUE" where VALUE looks like base64
	// (it has a digit or padding), not a word of prose.
	basicCred = regexp.MustCompile(`(?i)\bbasic\s+([A-Za-z0-9+/]*[0-9=][A-Za-z0-9+/=]*)`)
	// jwtToken matches a JSON Web Token: base64url header and payload,
	// both JSON objects ("eyJ"), and a signature.
	jwtToken = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
)

// maskAuthorization masks HTTP credentials: Authorization headers, Bearer
// tokens and Basic credentials.
func maskAuthorization(s string) string {
	lower := strings.ToLower(s)
	if !strings.Contains(lower, "authorization") && !strings.Contains(lower, "bearer") && !strings.Contains(lower, "basic") {
		return s
	}
	for _, re := range []*regexp.Regexp{authHeader, bearerCred, basicCred} {
		s = maskGroup(re, s)
	}
	return s
}

// maskJWTs masks JSON Web Tokens.
func maskJWTs(s string) string {
	if !strings.Contains(s, "eyJ") {
		return s
	}
	return jwtToken.ReplaceAllStringFunc(s, MaskValue)
}

// maskGroup masks the first group of every match of re in s, unless it is
// already masked.
func maskGroup(re *regexp.Regexp, s string) string {
	ms := re.FindAllStringSubmatchIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		if m[2] < last || strings.Contains(s[m[2]:m[3]], "********") {
			continue
		}
		b.WriteString(s[last:m[2]])
		b.WriteString(MaskValue(s[m[2]:m[3]]))
		last = m[3]
	}
	b.WriteString(s[last:])
	return b.String()
}
