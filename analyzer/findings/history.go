package findings

import (
	"strconv"
	"strings"
)

// Instruction turns a history created_by into the Dockerfile instruction it
// came from: "/bin/sh -c #(nop)  CMD [..]" → "CMD [..]", "/bin/sh -c apt-get
// update" → "RUN apt-get update", "RUN /bin/sh -c x # buildkit" → "RUN x".
func Instruction(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	s = strings.TrimSuffix(s, "# buildkit")
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c #(nop)"); ok {
		return strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "|"); ok {
		// "|2 ARG=x /bin/sh -c ..." (build args): keep the command part.
		if i := strings.Index(rest, "/bin/sh -c "); i >= 0 {
			return "RUN " + strings.TrimSpace(rest[i+len("/bin/sh -c "):])
		}
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok {
		return "RUN " + strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "RUN /bin/sh -c "); ok {
		return "RUN " + strings.TrimSpace(rest)
	}
	return s
}

// mount is one --mount option of a RUN.
type mount struct {
	typ, target string
}

// runCommand is a RUN instruction parsed just enough for the rules.
type runCommand struct {
	// mounts are its --mount options.
	mounts []mount
	// script is the shell script it runs.
	script string
	// commands are the script's simple commands as words (split at &&,
	// ||, ;, | and newlines; quotes removed; leading VAR=value words and
	// sudo dropped).
	commands [][]string
	// sudo is true when a simple command runs through sudo.
	sudo bool
}

// parseRun parses "RUN [--flags] [|N A=b ...] [/bin/sh -c] script".
func parseRun(instr string) (runCommand, bool) {
	s, ok := strings.CutPrefix(instr, "RUN ")
	if !ok {
		return runCommand{}, false
	}
	var c runCommand
	for {
		s = strings.TrimLeft(s, " ")
		if !strings.HasPrefix(s, "--") {
			break
		}
		word, rest, _ := strings.Cut(s, " ")
		if opt, ok := strings.CutPrefix(word, "--mount="); ok {
			c.mounts = append(c.mounts, parseMount(opt))
		}
		s = rest
	}
	if rest, ok := strings.CutPrefix(s, "|"); ok {
		n, after, _ := strings.Cut(rest, " ")
		if k, err := strconv.Atoi(n); err == nil {
			s = after
			for ; k > 0; k-- {
				_, vs := valueSpan(s, strings.IndexByte(s, '=')+1)
				s = strings.TrimLeft(s[vs:], " ")
			}
		}
	}
	s = strings.TrimPrefix(s, "/bin/sh -c ")
	c.script = s
	c.commands, c.sudo = splitScript(s)
	return c, true
}

// parseMount reads "type=cache,target=/root/.cache/pip,sharing=locked".
func parseMount(opt string) mount {
	m := mount{typ: "bind"}
	for _, kv := range strings.Split(opt, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "type":
			m.typ = v
		case "target", "dst", "destination":
			m.target = strings.TrimRight(v, "/")
		}
	}
	return m
}

// covers reports whether a cache or tmpfs mount of the RUN covers path p: what
// was written there never reached the layer.
func (c *runCommand) covers(p string) bool {
	if c == nil {
		return false
	}
	for _, m := range c.mounts {
		if (m.typ == "cache" || m.typ == "tmpfs") && m.target != "" &&
			(p == m.target || strings.HasPrefix(p, m.target+"/")) {
			return true
		}
	}
	return false
}

// splitScript splits a shell script into simple commands of words.
func splitScript(s string) (cmds [][]string, sudo bool) {
	var words []string
	var word strings.Builder
	inWord := false
	var quote byte
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		for len(words) > 0 && (isAssignment(words[0]) || words[0] == "sudo" || words[0] == "exec" || words[0] == "command") {
			if words[0] == "sudo" {
				sudo = true
				words = words[1:]
				for len(words) > 0 && strings.HasPrefix(words[0], "-") {
					words = words[1:]
				}
				continue
			}
			words = words[1:]
		}
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else {
				word.WriteByte(ch)
			}
		case ch == '"' || ch == '\'':
			quote, inWord = ch, true
		case ch == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
		case ch == ' ' || ch == '\t':
			endWord()
		case ch == '\n' || ch == ';' || ch == '&' || ch == '|' || ch == '(' || ch == ')':
			endCmd()
		default:
			word.WriteByte(ch)
			inWord = true
		}
	}
	endCmd()
	return cmds, sudo
}

// isAssignment reports whether a word is NAME=value.
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		if !isNameByte(w[j]) {
			return false
		}
	}
	return true
}

// program returns the base name of a simple command's program.
func program(words []string) string {
	p := words[0]
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// subcommand returns the first word after the program that is not an option.
func subcommand(words []string) string {
	for _, w := range words[1:] {
		if !strings.HasPrefix(w, "-") {
			return w
		}
	}
	return ""
}
