package termtext_test

import (
	"testing"

	"github.com/stratascan/strata/analyzer/report/termtext"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain/path":       "plain/path",
		"café/日本語":         "café/日本語",
		"new\nline":        `new\nline`,
		"esc\x1b[31mred":   `esc\x1b[31mred`,
		"bad\xffutf8":      `bad\xffutf8`,
		"real \uFFFD kept": "real \uFFFD kept",
		"c1\u009bcsi":      `c1\u009bcsi`,
		// Characters that reorder or break the text around them.
		"invoice\u202egnp.exe": `invoice\u202egnp.exe`,
		"a\u202db\u202ac":      `a\u202db\u202ac`,
		"\u202aemb\u202b":      `\u202aemb\u202b`,
		"iso\u2066late\u2069":  `iso\u2066late\u2069`,
		"\u2067r\u2068f":       `\u2067r\u2068f`,
		"mark\u200e\u200f":     `mark\u200e\u200f`,
		"arabic\u061cmark":     `arabic\u061cmark`,
		"line\u2028para\u2029": `line\u2028para\u2029`,
		"zero\u200bwidth ok":   "zero\u200bwidth ok",
		"עברית ok":             "עברית ok",
	} {
		if got := termtext.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := termtext.OneLine("RUN a &&\n  b", 0); got != "RUN a && ↵ b" {
		t.Errorf("OneLine = %q", got)
	}
	if got := termtext.OneLine("abcdef", 4); got != "abc…" {
		t.Errorf("OneLine cut = %q", got)
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{termtext.Bytes(6400), "6.4 kB"},
		{termtext.Bytes(-3000), "-3.0 kB"},
		{termtext.SignedBytes(1_200_000), "+1.2 MB"},
		{termtext.SignedBytes(-3000), "-3.0 kB"},
		{termtext.SignedBytes(0), "0 B"},
		{termtext.Percent(0.98444), "98.44 %"},
		{termtext.SignedPercent(4.1), "+4.10 %"},
		{termtext.SignedPercent(-0.5), "-0.50 %"},
		{termtext.SignedPercent(0.004), "0.00 %"},
		{termtext.SignedInt(3), "+3"},
		{termtext.SignedInt(-1), "-1"},
		{termtext.SignedInt(0), "0"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
