package glob_test

import (
	"testing"

	"github.com/stratascan/strata/analyzer/glob"
)

func TestMatchPath(t *testing.T) {
	for _, tt := range []struct {
		glob, path string
		want       bool
	}{
		{"/usr/share/doc/**", "/usr/share/doc/bash/README", true},
		{"/usr/share/doc/**", "/usr/share/doc", true},
		{"/usr/share/doc/**", "/usr/share/docs/x", false},
		{"/usr/share/doc", "/usr/share/doc/bash/README", true},
		{"usr/share/doc", "/usr/share/doc/x", true},
		{"/var/cache/*/x", "/var/cache/apt/x", true},
		{"/var/cache/*/x", "/var/cache/apt/archives/x", false},
		{"/var/**/x", "/var/x", true},
		{"/var/**/x", "/var/a/b/c/x", true},
		{"/var/**/*.deb", "/var/cache/apt/archives/a.deb", true},
		{"/**/node_modules/**", "/app/node_modules/left-pad/index.js", true},
		{"*.pyc", "/app/pkg/__pycache__/m.cpython-311.pyc", true},
		{"*.pyc", "/app/m.py", false},
		{"/app/[a-c].txt", "/app/b.txt", true},
		{"/app/?.txt", "/app/ab.txt", false},
		{"/etc", "/etcetera", false},
		{"/**", "/anything/at/all", true},
		{"/var/log/dpkg.log", "/var/log/dpkg.log", true},
		{"/var/log/apt/**", "/var/log/apt/history.log", true},
		{"/var/log/apt/**", "/var/log/apt", true},
		{"/var/log/apt/*", "/var/log/apt/eipp.log.xz", true},
		{"**/*.pyc", "/usr/lib/python3/dist-packages/x/__init__.pyc", true},
		{"*.pyc", "/a.pyc", true},
		{"**/__pycache__", "/app/__pycache__/m.cpython-311.pyc", true},
		{"/usr/share/doc", "/usr/share/doc/bash/README", true},
		{"/usr/share/doc", "/usr/share/docs", false},
		{"/etc/passwd-", "/etc/passwd", false},
		{"usr/**/*.a", "/usr/lib/x86_64-linux-gnu/libc.a", true},
		{"/var/cache/debconf/**", "/var/cache/debconfx", false},
	} {
		if got := glob.MatchPath(tt.glob, tt.path); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	if err := glob.Valid("/a/[b"); err == nil {
		t.Error("Valid accepted an unclosed class")
	}
	if err := glob.Valid("/var/**/*.deb"); err != nil {
		t.Errorf("Valid refused a good glob: %v", err)
	}
}

func TestMatcherGlobs(t *testing.T) {
	m, err := glob.New("/a", "", " *.pyc ")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Globs(); len(got) != 2 || got[0] != "/a" || got[1] != "*.pyc" {
		t.Errorf("Globs() = %q", got)
	}
	if !m.Match("/x/y.pyc") || !m.Match("/a/b") || m.Match("/b") {
		t.Error("Match disagrees with the globs")
	}
}
