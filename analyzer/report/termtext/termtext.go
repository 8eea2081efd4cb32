// Package termtext formats sizes, ratios and untrusted strings for a
// terminal: the small helpers the reports and the browser share. It is a
// leaf: it imports nothing of strata.
package termtext

import (
	"fmt"
	"math"
	"strings"

	"github.com/dustin/go-humanize"
)

// Bytes formats a size in SI units, as docker and dive do ("6.4 kB").
func Bytes(n int64) string {
	if n < 0 {
		return "-" + humanize.Bytes(uint64(-n))
	}
	return humanize.Bytes(uint64(n))
}

// SignedBytes formats a size change with its sign ("+1.2 MB", "-3 kB", "0 B").
func SignedBytes(n int64) string {
	if n > 0 {
		return "+" + Bytes(n)
	}
	return Bytes(n)
}

// SignedPercent formats a percentage change ("+4.10 %").
func SignedPercent(p float64) string {
	if math.Abs(p) < 0.005 {
		return "0.00 %"
	}
	if p > 0 {
		return fmt.Sprintf("+%.2f %%", p)
	}
	return fmt.Sprintf("%.2f %%", p)
}

// SignedInt formats a count change ("+3", "-1", "0").
func SignedInt(n int64) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprintf("%d", n)
}

// Percent formats a ratio as a percentage with two decimals ("98.44 %").
func Percent(r float64) string { return fmt.Sprintf("%.2f %%", r*100) }

// OneLine shortens a command to one line of at most width runes, showing
// newlines as "↵" and escaping control characters.
func OneLine(s string, width int) string {
	s = Escape(strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ↵ ")), " "))
	r := []rune(s)
	if width > 0 && len(r) > width {
		if width == 1 {
			return "…"
		}
		return string(r[:width-1]) + "…"
	}
	return s
}

// Escape makes a string safe to print on a terminal: control characters,
// the characters that reorder or separate text (bidirectional overrides,
// embeddings, isolates and marks, line and paragraph separators) and
// invalid UTF-8 are shown as Go escapes, everything else is kept. A file
// named "x\u202egnp.exe" would otherwise show as "xexe.png".
func Escape(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) || r == '\uFFFD' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\uFFFD' && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			q := fmt.Sprintf("%+q", string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune reports whether a character must not reach a terminal raw:
// C0 and C1 controls, DEL, and the bidirectional and separator formatting
// characters (U+061C, U+200E–U+200F, U+2028–U+202E, U+2066–U+2069).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x2028 && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
