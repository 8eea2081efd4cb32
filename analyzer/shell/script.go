package shell

import (
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Script is a parsed shell script.
type Script struct {
	// Source is the script as parsed.
	Source string
	// Calls are its simple commands in source order, those of nested
	// scripts (sh -c '…', a heredoc fed to a shell) included.
	Calls []Call
	// Sudo is true when a command runs through sudo.
	Sudo bool
	// File is the syntax tree (nil for an exec-form command).
	File *syntax.File
}

// Call is one simple command.
type Call struct {
	// Args are the program and its arguments, quotes removed, after the
	// wrappers that only change how it runs (sudo, env, exec, command,
	// nohup, time) and the leading VAR=value assignments.
	Args []string
	// Start and End are the byte offsets of the whole command (wrappers
	// and assignments included) in Script.Source.
	Start, End int
	// ArgSpans are the offsets of each of Args in Script.Source.
	ArgSpans []Span
	// Nested is true for a command of a script nested in a word (sh -c
	// '…'): its offsets are those of the enclosing word.
	Nested bool
	// Depth counts the compound commands (if, while, for, case, { }, ( ),
	// functions) around it; 0 is the script's top level.
	Depth int
}

// Span is a byte range [Start, End) of the source.
type Span struct{ Start, End int }

// Program returns the base name of the command's program ("apt-get" for
// "/usr/bin/apt-get"), or "".
func (c Call) Program() string {
	if len(c.Args) == 0 {
		return ""
	}
	return path.Base(c.Args[0])
}

// Subcommand returns the first argument after the program that is not an
// option ("install" for "apt-get -y install x"), or "".
func (c Call) Subcommand() string {
	for _, a := range c.Args[min(1, len(c.Args)):] {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// Has reports whether one of the arguments is exactly one of opts.
func (c Call) Has(opts ...string) bool {
	for _, a := range c.Args {
		for _, o := range opts {
			if a == o {
				return true
			}
		}
	}
	return false
}

// Parse parses a POSIX/bash script. A script that does not parse is an
// error naming the position; the shells Docker runs accept the same.
func Parse(src string) (*Script, error) {
	f, err := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return nil, fmt.Errorf("parsing the shell script: %w", err)
	}
	s := &Script{Source: src, File: f}
	w := walker{s: s}
	w.node(f, 0)
	return s, nil
}

// Exec returns the script of an exec-form command (["apt-get", "update"]):
// one call without offsets, or, when the command is a shell with -c, the
// script it runs.
func Exec(args []string) *Script {
	if _, script, ok := ShellC(args); ok {
		if s, err := Parse(script); err == nil {
			for i := range s.Calls {
				s.Calls[i].Nested = true
			}
			return s
		}
	}
	s := &Script{Source: strings.Join(args, " ")}
	c := Call{Args: args, Nested: true}
	s.Sudo = unwrap(&c)
	if len(c.Args) > 0 {
		s.Calls = append(s.Calls, c)
	}
	return s
}
