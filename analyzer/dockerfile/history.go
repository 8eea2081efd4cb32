package dockerfile

import (
	"strconv"
	"strings"

	"github.com/stratascan/strata/analyzer/shell"
)

// FromHistory turns a history created_by into the instruction it records,
// for both builders' formats: "/bin/sh -c #(nop)  CMD [..]" → "CMD [..]",
// "/bin/sh -c apt-get update" and "/bin/bash -o pipefail -c apt-get
// update" (a SHELL) → "RUN apt-get update", "|1 A=b /bin/sh -c x" (build
// args) → "RUN x", "RUN /bin/sh -c x # buildkit" → "RUN x". Other text is
// returned trimmed.
func FromHistory(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	s = strings.TrimSpace(strings.TrimSuffix(s, "# buildkit"))
	s, buildkit := strings.CutPrefix(s, "RUN ")
	if buildkit {
		s = strings.TrimSpace(s)
	}
	s, args := CutBuildArgs(s)
	if _, rest, ok := shell.CutShellPrefix(s); ok {
		if nop, ok := strings.CutPrefix(rest, "#(nop)"); ok {
			return strings.TrimSpace(nop)
		}
		return "RUN " + strings.TrimSpace(rest)
	}
	if buildkit || args {
		return "RUN " + s
	}
	return s
}

// Keyword returns the instruction keyword of a FromHistory result ("RUN"),
// or "" when the text is not an instruction.
func Keyword(instr string) string {
	k, _, _ := strings.Cut(instr, " ")
	if keywords[k] {
		return k
	}
	return ""
}

// keywords are the instructions that leave a history entry.
var keywords = map[string]bool{"ADD": true, "ARG": true, "CMD": true, "COPY": true, "ENTRYPOINT": true, "ENV": true,
	"EXPOSE": true, "HEALTHCHECK": true, "LABEL": true, "MAINTAINER": true, "ONBUILD": true, "RUN": true,
	"SHELL": true, "STOPSIGNAL": true, "USER": true, "VOLUME": true, "WORKDIR": true}

// CutBuildArgs removes the build arguments Docker records before a RUN's
// command ("|2 A=x B=y /bin/sh -c ..."), reporting whether there were any.
func CutBuildArgs(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "|")
	if !ok {
		return s, false
	}
	n, after, _ := strings.Cut(rest, " ")
	k, err := strconv.Atoi(n)
	if err != nil || k < 0 {
		return s, false
	}
	// A value with spaces is recorded unquoted: the command starts at the
	// first shell after the arguments.
	for i := 0; i < len(after); i++ {
		if i == 0 || after[i-1] == ' ' {
			if _, _, ok := shell.CutShellPrefix(after[i:]); ok && i > 0 || ok && k == 0 {
				return after[i:], true
			}
		}
	}
	// Exec form: skip k NAME=value words.
	words := strings.SplitN(after, " ", k+1)
	if len(words) == k+1 {
		return words[k], true
	}
	return after, true
}
