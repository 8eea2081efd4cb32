package report

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// wrapWriter fits every line written through it to width columns (one
// column per rune): a longer line is broken at its last space that fits,
// or mid-word when it has none, and continues under the text after its
// label ("fix:   "), else four columns right of the line's own indent.
type wrapWriter struct {
	w     io.Writer
	width int
	line  []byte
}

func (ww *wrapWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			ww.line = append(ww.line, p...)
			break
		}
		ww.line = append(ww.line, p[:i]...)
		p = p[i+1:]
		if err := ww.flushLine(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Close writes what is left of an unterminated last line.
func (ww *wrapWriter) Close() error {
	if len(ww.line) == 0 {
		return nil
	}
	err := ww.emit(string(ww.line), "")
	ww.line = ww.line[:0]
	return err
}

func (ww *wrapWriter) flushLine() error {
	err := ww.emit(string(ww.line), "\n")
	ww.line = ww.line[:0]
	return err
}

func (ww *wrapWriter) emit(line, end string) error {
	var b strings.Builder
	for _, l := range wrapLine(line, ww.width) {
		b.WriteString(l)
		b.WriteString("\n")
	}
	out := b.String()
	if end == "" {
		out = strings.TrimSuffix(out, "\n")
	}
	_, err := io.WriteString(ww.w, out)
	return err
}

// labelled matches a line's leading label and the spaces after it.
var labelled = regexp.MustCompile(`^ *[A-Za-z][A-Za-z -]*: +`)

// wrapLine breaks one line into lines of at most width runes.
func wrapLine(line string, width int) []string {
	if width <= 0 || utf8.RuneCountInString(line) <= width {
		return []string{line}
	}
	lead := len(line) - len(strings.TrimLeft(line, " "))
	indent := strings.Repeat(" ", min(lead+4, width/2))
	if m := labelled.FindString(line); m != "" && len(m) <= width/2 {
		// "  fix:   text": the text continues under itself.
		lead, indent = len(m), strings.Repeat(" ", len(m))
	}
	var out []string
	first := true
	for {
		prefix := ""
		if !first {
			prefix = indent
		}
		avail := width - len(prefix)
		if utf8.RuneCountInString(line) <= avail {
			out = append(out, prefix+line)
			return out
		}
		cut := runeOffset(line, avail) // bytes of the first avail runes
		brk := strings.LastIndexByte(line[:cut+1], ' ')
		if brk <= lead && first || brk <= 0 {
			brk = cut // no space to break at: break the word
		}
		out = append(out, prefix+strings.TrimRight(line[:brk], " "))
		line = strings.TrimLeft(line[brk:], " ")
		first = false
		lead = 0
		if line == "" {
			return out
		}
	}
}

// runeOffset returns the byte offset of rune n of s (len(s) past its end).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// cutLeft keeps the end of s in at most width runes, marking the cut with
// "…" (the end of a path says more than its start).
func cutLeft(s string, width int) string {
	n := utf8.RuneCountInString(s)
	if width <= 0 || n <= width {
		return s
	}
	if width == 1 {
		return "…"
	}
	return "…" + s[runeOffset(s, n-width+1):]
}
