package policy_test

import (
	"testing"

	"github.com/stratascan/strata/analyzer/policy"
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
	} {
		if got := policy.MatchPath(tt.glob, tt.path); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
	if err := policy.ValidGlob("/a/[b"); err == nil {
		t.Error("ValidGlob accepted an unclosed class")
	}
}
