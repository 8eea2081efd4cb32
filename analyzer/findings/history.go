package findings

import (
	"encoding/json"
	"strings"

	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/shell"
)

// Instruction turns a history created_by into the Dockerfile instruction it
// came from (see dockerfile.FromHistory): "/bin/sh -c #(nop)  CMD [..]" →
// "CMD [..]", "/bin/bash -o pipefail -c apt-get update" → "RUN apt-get
// update", "RUN /bin/sh -c x # buildkit" → "RUN x".
func Instruction(createdBy string) string { return dockerfile.FromHistory(createdBy) }

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
	s, _ = dockerfile.CutBuildArgs(s)
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
