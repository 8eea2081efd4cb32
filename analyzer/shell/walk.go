package shell

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// walker collects the calls of a syntax tree.
type walker struct {
	s *Script
	// base is added to offsets: the position of a nested script's text.
	base int
	// nested marks the calls of a script nested in a word.
	nested bool
}

// node walks n, counting the compound commands around each call.
func (w *walker) node(n syntax.Node, depth int) {
	syntax.Walk(n, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.Stmt:
			if x.Cmd == nil {
				w.heredocScripts(x, "sh", depth)
				return true
			}
			if call, ok := x.Cmd.(*syntax.CallExpr); ok {
				w.call(x, call, depth)
				return false
			}
			if x.Cmd != nil && isCompound(x.Cmd) {
				w.node(x.Cmd, depth+1)
				for _, r := range x.Redirs {
					w.node(r, depth)
				}
				return false
			}
		}
		return true
	})
}

// isCompound reports whether a command holds other commands.
func isCompound(c syntax.Command) bool {
	switch c.(type) {
	case *syntax.IfClause, *syntax.WhileClause, *syntax.ForClause, *syntax.CaseClause,
		*syntax.Block, *syntax.Subshell, *syntax.FuncDecl:
		return true
	}
	return false
}

// call records a simple command, and reads the scripts it runs: the -c
// argument of a shell and a heredoc fed to a shell.
func (w *walker) call(st *syntax.Stmt, x *syntax.CallExpr, depth int) {
	// Command substitutions in the arguments run commands too.
	for _, a := range x.Assigns {
		w.node(a, depth)
	}
	for _, word := range x.Args {
		for _, p := range word.Parts {
			if _, ok := p.(*syntax.Lit); !ok {
				w.node(p, depth)
			}
		}
	}
	if len(x.Args) == 0 {
		return
	}
	c := Call{Start: w.off(st.Pos()), End: w.off(st.End()), Nested: w.nested, Depth: depth}
	if st.Cmd != nil {
		c.End = w.off(st.Cmd.End())
	}
	for _, r := range st.Redirs {
		if r.Word != nil {
			c.End = max(c.End, w.off(r.Word.End()))
		}
	}
	for _, word := range x.Args {
		c.Args = append(c.Args, wordValue(word, w.s.Source, w.base))
		c.ArgSpans = append(c.ArgSpans, Span{w.off(word.Pos()), w.off(word.End())})
	}
	if unwrap(&c) {
		w.s.Sudo = true
	}
	if len(c.Args) == 0 {
		return
	}
	w.s.Calls = append(w.s.Calls, c)
	if _, script, ok := ShellC(c.Args); ok {
		w.nestedScript(script, c, depth)
	}
	if isShell(c.Program()) {
		w.heredocScripts(st, c.Program(), depth)
	}
}

// nestedScript reads the script of sh -c '…'.
func (w *walker) nestedScript(script string, c Call, depth int) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return
	}
	sub := walker{s: &Script{Source: script}, nested: true}
	sub.node(f, depth+1)
	for _, n := range sub.s.Calls {
		n.Start, n.End, n.Nested = c.Start, c.End, true
		n.ArgSpans = nil
		w.s.Calls = append(w.s.Calls, n)
	}
	w.s.Sudo = w.s.Sudo || sub.s.Sudo
}

// heredocScripts reads the heredocs a shell gets on standard input
// ("RUN <<EOF", "bash <<EOF"): they are scripts, not data.
func (w *walker) heredocScripts(st *syntax.Stmt, _ string, depth int) {
	for _, r := range st.Redirs {
		if (r.Op != syntax.Hdoc && r.Op != syntax.DashHdoc) || r.Hdoc == nil {
			continue
		}
		if r.N != nil && r.N.Value != "0" {
			continue
		}
		start, end := w.off(r.Hdoc.Pos()), w.off(r.Hdoc.End())
		if start < w.base || end > w.base+len(w.s.Source) || start > end {
			continue
		}
		body := w.s.Source[start-w.base : end-w.base]
		if r.Word != nil {
			// The body ends with the delimiter line.
			delim := wordValue(r.Word, w.s.Source, w.base)
			body = strings.TrimSuffix(strings.TrimRight(body, " \t\n"), delim)
		}
		f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(body), "")
		if err != nil {
			continue
		}
		sub := walker{s: &Script{Source: w.s.Source}, base: start, nested: w.nested}
		// Offsets of the body are relative to the body: shift them.
		sub.s.Source = body
		sub.node(f, depth+1)
		w.s.Calls = append(w.s.Calls, sub.s.Calls...)
		w.s.Sudo = w.s.Sudo || sub.s.Sudo
	}
}

// off converts a position of the tree being walked to an offset in the
// top-level source.
func (w *walker) off(p syntax.Pos) int { return w.base + int(p.Offset()) }

// wordValue returns a word's value with quotes removed; parts that expand
// at run time ($VAR, $(…)) keep their source text.
func wordValue(word *syntax.Word, src string, base int) string {
	var b strings.Builder
	var part func(p syntax.WordPart)
	part = func(p syntax.WordPart) {
		switch x := p.(type) {
		case *syntax.Lit:
			b.WriteString(unescape(x.Value))
		case *syntax.SglQuoted:
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				part(q)
			}
		default:
			s, e := int(p.Pos().Offset()), int(p.End().Offset())
			if s >= 0 && e <= len(src) && s <= e {
				b.WriteString(src[s:e])
			}
		}
	}
	for _, p := range word.Parts {
		part(p)
	}
	return b.String()
}

// unescape removes the backslashes of an unquoted literal ("a\ b" → "a b")
// and line continuations.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// wrappers are programs that run the rest of their arguments as the command.
var wrappers = map[string]bool{"sudo": true, "env": true, "exec": true, "command": true, "nohup": true, "time": true, "nice": true}

// optionArg are the wrappers' options that take a value (sudo -u USER,
// env -u NAME, nice -n 10).
var optionArg = map[string]bool{"-u": true, "-g": true, "-C": true, "-D": true, "-h": true, "-p": true, "-r": true, "-t": true, "-U": true, "-n": true}

// unwrap drops the wrappers and their options from c.Args (and ArgSpans),
// reporting whether sudo was one of them.
func unwrap(c *Call) (sudo bool) {
	for len(c.Args) > 0 && wrappers[path.Base(c.Args[0])] {
		if path.Base(c.Args[0]) == "sudo" {
			sudo = true
		}
		n := 1
		for n < len(c.Args) && (strings.HasPrefix(c.Args[n], "-") || isAssignment(c.Args[n])) {
			if optionArg[c.Args[n]] && n+1 < len(c.Args) {
				n++
			}
			n++
		}
		c.Args = c.Args[n:]
		if c.ArgSpans != nil {
			c.ArgSpans = c.ArgSpans[n:]
		}
	}
	return sudo
}

// isAssignment reports whether a word is NAME=value.
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := w[j]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
