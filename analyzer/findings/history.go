package findings

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/stratascan/strata/analyzer/shell"
)

// Instruction turns a history created_by into the Dockerfile instruction it
// came from, for both builders' formats: "/bin/sh -c #(nop)  CMD [..]" →
// "CMD [..]", "/bin/sh -c apt-get update" and "/bin/bash -o pipefail -c
// apt-get update" (a SHELL) → "RUN apt-get update", "|1 A=b /bin/sh -c x"
// (build args) → "RUN x", "RUN /bin/sh -c x # buildkit" → "RUN x".
func Instruction(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	s = strings.TrimSpace(strings.TrimSuffix(s, "# buildkit"))
	s, buildkit := strings.CutPrefix(s, "RUN ")
	if buildkit {
		s = strings.TrimSpace(s)
	}
	if rest, ok := cutBuildArgs(s); ok {
		s = rest
	}
	if _, rest, ok := shell.CutShellPrefix(s); ok {
		if nop, ok := strings.CutPrefix(rest, "#(nop)"); ok {
			return strings.TrimSpace(nop)
		}
		return "RUN " + strings.TrimSpace(rest)
	}
	if buildkit {
		return "RUN " + s
	}
	return s
}

// cutBuildArgs removes the build arguments Docker records before a RUN's
// command ("|2 A=x B=y /bin/sh -c ...").
func cutBuildArgs(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "|")
	if !ok {
		return s, false
	}
	n, after, _ := strings.Cut(rest, " ")
	k, err := strconv.Atoi(n)
	if err != nil {
		return s, false
	}
	args := after
	for ; k > 0; k-- {
		_, vs := valueSpan(after, strings.IndexByte(after, '=')+1)
		after = strings.TrimLeft(after[vs:], " ")
	}
	if _, _, ok := shell.CutShellPrefix(after); !ok {
		// A value with spaces is recorded unquoted: the command starts at
		// the first shell.
		for i := 0; i < len(args); i++ {
			if args[i] == ' ' {
				if _, _, ok := shell.CutShellPrefix(args[i+1:]); ok {
					return args[i+1:], true
				}
			}
		}
	}
	return after, true
}

// mount is one --mount option of a RUN.
type mount struct {
	typ, target string
}

// runCommand is a RUN instruction parsed for the rules.
type runCommand struct {
	// mounts are its --mount options.
	mounts []mount
	// script is the shell script it runs, parsed (nil when it does not
	// parse: then the rules see no command rather than a guess).
	script *shell.Script
}

// parseRun parses "RUN [--flags] [|N A=b ...] [/bin/sh -c] script" and the
// exec form "RUN [\"apt-get\", \"update\"]".
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
	s, _ = cutBuildArgs(s)
	if _, rest, ok := shell.CutShellPrefix(s); ok {
		s = rest
	}
	var args []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &args) == nil {
		c.script = shell.Exec(args)
		return c, true
	}
	if script, err := shell.Parse(s); err == nil {
		c.script = script
	}
	return c, true
}

// calls returns the simple commands of the RUN.
func (c *runCommand) calls() []shell.Call {
	if c == nil || c.script == nil {
		return nil
	}
	return c.script.Calls
}

// sudo reports whether a command of the RUN runs through sudo.
func (c *runCommand) sudo() bool { return c != nil && c.script != nil && c.script.Sudo }

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
