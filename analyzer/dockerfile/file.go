package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// MaxSize bounds the Dockerfiles read (BuildKit's own limit is similar).
const MaxSize = 4 << 20

// File is a parsed Dockerfile.
type File struct {
	// Path is the file's path as the user gave it.
	Path string
	// Source is the file's content.
	Source []byte
	// Stages are the build stages in order.
	Stages []*Stage
	// Target is the index of the stage that produced the image.
	Target int
	// Escape is the escape character (\ or `).
	Escape rune
	// Origin says where the Dockerfile came from: "file" (the user gave
	// it) or "provenance" (the image's build attestation embeds it).
	Origin string
}

// Stage is one FROM and its instructions.
type Stage struct {
	// Index is the stage's position; Name its AS name ("" when unnamed).
	Index int
	Name  string
	// Base is the FROM image with the global ARGs expanded; BaseStage is
	// the index of the stage it names, or -1 for an image.
	Base      string
	BaseStage int
	// From is the FROM instruction itself.
	From *Instruction
	// Instructions are the stage's instructions after FROM.
	Instructions []*Instruction

	// lastEnv and lastShell are the values in force at the stage's end.
	lastEnv   *env
	lastShell []string
}

// Instruction is one instruction of the Dockerfile.
type Instruction struct {
	// Stage is the index of its stage.
	Stage int
	// Keyword is the instruction in upper case ("RUN").
	Keyword string
	// Line and EndLine are its first and last lines (1-based), heredoc
	// bodies and continuations included.
	Line, EndLine int
	// Original is the instruction's text as written (continuations joined
	// by the parser, heredoc bodies not included).
	Original string
	// Args are the parser's arguments (for RUN in shell form, the script).
	Args []string
	// Flags are its --flags as written.
	Flags []string
	// Heredocs are the heredocs attached to it.
	Heredocs []parser.Heredoc
	// JSON is true for the exec form (["a", "b"]).
	JSON bool
	// Expanded is Args with the ARG and ENV values in force expanded, for
	// the instructions whose arguments Docker expands.
	Expanded []string
	// Command is BuildKit's typed form of the instruction.
	Command instructions.Command
	// Shell is the SHELL in force for a RUN.
	Shell []string
	// BuildArgs are the ARGs in force with their values (a RUN records
	// them in the history).
	BuildArgs []string
}

// Options tune how the Dockerfile is read.
type Options struct {
	// Target names the stage that produced the image (--target); "" is
	// the last stage.
	Target string
	// BuildArgs are the --build-arg values of the build.
	BuildArgs map[string]string
}

// Parse reads a Dockerfile.
func Parse(path string, src []byte, opts Options) (*File, error) {
	if len(src) > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes is larger than the %d bytes a Dockerfile may have", path, len(src), MaxSize)
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, locate(err))
	}
	f := &File{Path: path, Source: src, Escape: res.EscapeToken, Origin: "file"}
	if _, _, err := instructions.Parse(res.AST, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", path, locate(err))
	}
	lex := shell.NewLex(res.EscapeToken)
	global := newEnv(nil)
	var cur *Stage
	var stageEnv *env
	sh := defaultShell
	for _, n := range res.AST.Children {
		in := &Instruction{
			Keyword: strings.ToUpper(n.Value), Line: n.StartLine, EndLine: n.EndLine,
			Original: n.Original, Flags: n.Flags, Heredocs: n.Heredocs, JSON: n.Attributes["json"],
		}
		for a := n.Next; a != nil; a = a.Next {
			in.Args = append(in.Args, a.Value)
		}
		in.EndLine = max(in.EndLine, in.Line)
		cmd, err := instructions.ParseInstruction(n)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n.StartLine, err)
		}
		if c, ok := cmd.(instructions.Command); ok {
			in.Command = c
		}
		switch c := cmd.(type) {
		case *instructions.Stage:
			base, _, err := lex.ProcessWord(c.BaseName, global)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: expanding %q: %w", path, n.StartLine, c.BaseName, err)
			}
			cur = &Stage{Index: len(f.Stages), Name: c.Name, Base: base, BaseStage: -1, From: in}
			for _, s := range f.Stages {
				if s.Name != "" && strings.EqualFold(s.Name, base) {
					cur.BaseStage = s.Index
				}
			}
			if cur.BaseStage < 0 {
				if i, err := strconv.Atoi(base); err == nil && i >= 0 && i < len(f.Stages) {
					cur.BaseStage = i
				}
			}
			in.Stage = cur.Index
			stageEnv = newEnv(nil)
			sh = defaultShell
			if cur.BaseStage >= 0 {
				parent := f.Stages[cur.BaseStage]
				stageEnv = parent.lastEnv.inherit()
				sh = parent.lastShell
			}
			f.Stages = append(f.Stages, cur)
			continue
		case *instructions.ArgCommand:
			e := stageEnv
			if cur == nil {
				e = global
			}
			for _, kv := range c.Args {
				v, ok := opts.BuildArgs[kv.Key]
				if !ok && kv.Value != nil {
					v, _, _ = lex.ProcessWord(*kv.Value, e)
					ok = true
				}
				if !ok && cur != nil {
					v, ok = global.Get(kv.Key)
				}
				if ok {
					e.setArg(kv.Key, v)
				}
			}
		}
		if cur == nil {
			continue // a global ARG
		}
		in.Stage = cur.Index
		in.Expanded = in.Args
		if expands[in.Keyword] {
			in.Expanded = make([]string, len(in.Args))
			for i, a := range in.Args {
				if v, _, err := lex.ProcessWord(a, stageEnv); err == nil {
					in.Expanded[i] = v
				} else {
					in.Expanded[i] = a
				}
			}
		}
		switch c := cmd.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				v, _, err := lex.ProcessWord(kv.Value, stageEnv)
				if err != nil {
					v = kv.Value
				}
				stageEnv.setEnv(kv.Key, v)
			}
		case *instructions.ShellCommand:
			sh = c.Shell
		case *instructions.RunCommand:
			in.Shell = sh
			in.BuildArgs = stageEnv.buildArgs()
		}
		cur.Instructions = append(cur.Instructions, in)
		cur.lastEnv, cur.lastShell = stageEnv, sh
	}
	for _, s := range f.Stages {
		if s.lastEnv == nil {
			s.lastEnv, s.lastShell = newEnv(nil), defaultShell
		}
	}
	if len(f.Stages) == 0 {
		return nil, fmt.Errorf("%s: no FROM instruction", path)
	}
	f.Target = len(f.Stages) - 1
	if opts.Target != "" {
		f.Target = -1
		var names []string
		for _, s := range f.Stages {
			if s.Name != "" {
				names = append(names, s.Name)
			}
			if strings.EqualFold(s.Name, opts.Target) {
				f.Target = s.Index
			}
		}
		if f.Target < 0 {
			return nil, fmt.Errorf("%s: no stage named %q (stages: %s)", path, opts.Target, strings.Join(names, ", "))
		}
	}
	return f, nil
}

// defaultShell is the shell of RUN when no SHELL is set.
var defaultShell = []string{"/bin/sh", "-c"}

// expands are the instructions whose arguments Docker expands with the ARG
// and ENV values in force.
var expands = map[string]bool{"ADD": true, "COPY": true, "ENV": true, "EXPOSE": true, "LABEL": true,
	"STOPSIGNAL": true, "USER": true, "VOLUME": true, "WORKDIR": true, "ONBUILD": false}

// locate keeps the line of a parser error.
func locate(err error) error {
	var loc interface{ Location() []parser.Range }
	if errors.As(err, &loc) {
		if r := loc.Location(); len(r) > 0 {
			return fmt.Errorf("line %d: %w", r[0].Start.Line, err)
		}
	}
	return err
}

// Chain returns the stages that made the target, the root first: the
// target and the stages it is built FROM.
func (f *File) Chain() []*Stage {
	var chain []*Stage
	seen := map[int]bool{}
	for s := f.Stages[f.Target]; s != nil && !seen[s.Index]; {
		seen[s.Index] = true
		chain = append([]*Stage{s}, chain...)
		if s.BaseStage < 0 {
			break
		}
		s = f.Stages[s.BaseStage]
	}
	return chain
}

// Final returns the target stage.
func (f *File) Final() *Stage { return f.Stages[f.Target] }

// Lines returns the source lines from..to (1-based, inclusive).
func (f *File) Lines(from, to int) []string {
	lines := strings.SplitAfter(string(f.Source), "\n")
	from, to = max(from, 1), min(to, len(lines))
	if from > to {
		return nil
	}
	return lines[from-1 : to]
}
