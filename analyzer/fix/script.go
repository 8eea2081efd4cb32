package fix

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/shell"
)

// runScript is a RUN instruction's script as the shell reads it, with the
// way back to the Dockerfile's bytes.
type runScript struct {
	in     *dockerfile.Instruction
	script *shell.Script
	// segs map the view to the file: view[v:v+n] is src[f:f+n].
	segs []segment
	// heredoc is true when the script is a heredoc (RUN <<EOF).
	heredoc bool
	// start and end are the file offsets of the script.
	start, end int
}

type segment struct{ v, f, n int }

// file converts a view offset to a file offset.
func (s *runScript) file(v int) int {
	for _, g := range s.segs {
		if v >= g.v && v <= g.v+g.n {
			return g.f + v - g.v
		}
	}
	return -1
}

// script returns the parsed script of a RUN in shell form, or nil.
func (fx *fixer) script(in *dockerfile.Instruction) *runScript {
	if s, ok := fx.scripts[in]; ok {
		return s
	}
	s := parseRunScript(fx.src, in, fx.in.File.Escape)
	fx.scripts[in] = s
	return s
}

// parseRunScript reads the script of a RUN in shell form from the file:
// after the keyword and the flags, with the comment lines the Dockerfile
// parser drops left out of the view.
func parseRunScript(src []byte, in *dockerfile.Instruction, escape rune) *runScript {
	if in.Keyword != "RUN" || in.JSON || escape != '\\' {
		return nil
	}
	start, end := lineStart(src, in.Line), lineEnd(src, in.EndLine)
	text := string(src[start:end])
	// Skip the keyword and the flags (with continuations between them).
	i := len(text) - len(strings.TrimLeft(text, " \t"))
	i += len("RUN")
	for {
		j := i
		for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\\' && j+1 < len(text) && text[j+1] == '\n' || text[j] == '\n' && j > 0 && text[j-1] == '\\') {
			j++
		}
		if !strings.HasPrefix(text[j:], "--") {
			i = j
			break
		}
		k := strings.IndexAny(text[j:], " \t\n")
		if k < 0 {
			return nil
		}
		i = j + k
	}
	rs := &runScript{in: in, start: start + i, end: end}
	var view strings.Builder
	lines := strings.SplitAfter(text[i:], "\n")
	off := start + i
	inHeredoc := len(in.Heredocs) > 0
	for n, l := range lines {
		if n > 0 && !inHeredoc && strings.HasPrefix(strings.TrimLeft(l, " \t"), "#") {
			off += len(l)
			continue
		}
		rs.segs = append(rs.segs, segment{v: view.Len(), f: off, n: len(l)})
		view.WriteString(l)
		off += len(l)
	}
	sc, err := shell.Parse(strings.TrimRight(view.String(), "\n"))
	if err != nil {
		return nil
	}
	rs.script = sc
	if len(sc.File.Stmts) == 1 && sc.File.Stmts[0].Cmd == nil {
		rs.heredoc = true
	}
	return rs
}

// calls returns the top-level script's calls (not those nested in words).
func (s *runScript) calls() []shell.Call {
	var out []shell.Call
	for _, c := range s.script.Calls {
		if !c.Nested {
			out = append(out, c)
		}
	}
	return out
}

// stmts returns the top-level statements of the script.
func (s *runScript) stmts() []*syntax.Stmt { return s.script.File.Stmts }

// style is how the author continues a RUN over lines.
type style struct {
	multiline bool
	// leading is "\n    && cmd" (true) rather than "cmd && \\\n    ".
	leading bool
	indent  string
}

// layout reads the author's layout of a script.
func (s *runScript) layout() style {
	src := s.script.Source
	lines := strings.Split(src, "\n")
	st := style{multiline: len(lines) > 1, indent: "    "}
	for _, l := range lines[1:] {
		t := strings.TrimLeft(l, " \t")
		if t == "" {
			continue
		}
		st.indent = l[:len(l)-len(t)]
		if strings.HasPrefix(t, "&&") {
			st.leading = true
			st.indent = l[:len(l)-len(t)]
			break
		}
	}
	return st
}

// appendCommand returns the edit that runs cmd at the end of the script,
// in the author's layout.
func (s *runScript) appendCommand(cmd string) (edit, bool) {
	if s.heredoc {
		// After the last command of the heredoc body, on its own line.
		last := -1
		for _, c := range s.script.Calls {
			last = max(last, c.End)
		}
		if last < 0 {
			return edit{}, false
		}
		at := s.file(last)
		return edit{start: at, end: at, text: "\n" + cmd}, at >= 0
	}
	stmts := s.stmts()
	if len(stmts) == 0 {
		return edit{}, false
	}
	lastStmt := stmts[len(stmts)-1]
	for _, r := range lastStmt.Redirs {
		if r.Hdoc != nil {
			return edit{}, false
		}
	}
	if lastStmt.Background || lastStmt.Cmd == nil {
		return edit{}, false
	}
	at := s.file(int(lastStmt.Cmd.End().Offset()))
	for _, r := range lastStmt.Redirs {
		at = max(at, s.file(int(r.End().Offset())))
	}
	if at < 0 {
		return edit{}, false
	}
	st := s.layout()
	text := " && " + cmd
	switch {
	case st.multiline && st.leading:
		text = " \\\n" + st.indent + "&& " + cmd
	case st.multiline:
		text = " && \\\n" + st.indent + cmd
	}
	return edit{start: at, end: at, text: text}, true
}

// prepend returns the edit that runs cmd first.
func (s *runScript) prepend(cmd string) (edit, bool) {
	if s.heredoc || len(s.script.Calls) == 0 {
		return edit{}, false
	}
	at := s.file(int(s.stmts()[0].Pos().Offset()))
	return edit{start: at, end: at, text: cmd + " && "}, at >= 0
}

// removeCall returns the edits that remove a top-level call from an &&
// chain or a list of commands, with its connector; whole reports that the
// call is the only command (then remove the instruction instead).
func (s *runScript) removeCall(c shell.Call) (es []edit, whole, ok bool) {
	stmts := s.stmts()
	if len(stmts) == 1 {
		if _, isCall := stmts[0].Cmd.(*syntax.CallExpr); isCall {
			return nil, true, true
		}
	}
	// A list of statements: remove from the end of the previous one.
	for i, st := range stmts {
		if int(st.Pos().Offset()) != c.Start {
			continue
		}
		if _, isCall := st.Cmd.(*syntax.CallExpr); !isCall {
			return nil, false, false
		}
		if i > 0 {
			return []edit{{start: s.file(int(stmts[i-1].End().Offset())), end: s.file(int(st.End().Offset()))}}, false, true
		}
		return []edit{{start: s.file(int(st.Pos().Offset())), end: s.file(int(stmts[1].Pos().Offset()))}}, false, true
	}
	// An && chain: ((a && b) && c).
	for _, st := range stmts {
		var found []edit
		var walk func(b *syntax.BinaryCmd) bool
		walk = func(b *syntax.BinaryCmd) bool {
			if b.Op != syntax.AndStmt {
				return false
			}
			if int(b.Y.Pos().Offset()) == c.Start {
				if _, isCall := b.Y.Cmd.(*syntax.CallExpr); isCall {
					found = []edit{{start: s.file(int(b.X.End().Offset())), end: s.file(int(b.Y.End().Offset()))}}
					return true
				}
				return false
			}
			if int(b.X.Pos().Offset()) == c.Start {
				if _, isCall := b.X.Cmd.(*syntax.CallExpr); isCall {
					found = []edit{{start: s.file(int(b.X.Pos().Offset())), end: s.file(int(b.Y.Pos().Offset()))}}
					return true
				}
				return false
			}
			if x, ok := b.X.Cmd.(*syntax.BinaryCmd); ok {
				return walk(x)
			}
			return false
		}
		if b, ok := st.Cmd.(*syntax.BinaryCmd); ok && walk(b) {
			for _, e := range found {
				if e.start < 0 || e.end < 0 {
					return nil, false, false
				}
			}
			return found, false, true
		}
	}
	return nil, false, false
}
