package main

import (
	"errors"
	"strings"
	"testing"
)

// TestDiffOptions checks that the comparison flags are rejected, before any
// image is loaded, as usage errors naming the flag and the bad value.
func TestDiffOptions(t *testing.T) {
	for _, c := range []struct {
		name    string
		flags   diffFlags
		mention string // "" when the flags are valid
	}{
		{"valid", diffFlags{ignorePaths: []string{"/app/**", "*.pyc"}, maxGrowth: []string{"10%"}, failOnNew: "high"}, ""},
		{"bad glob", diffFlags{ignorePaths: []string{"/app/**", "/var/[a-"}}, `--ignore-path: bad glob "/var/[a-"`},
		{"bad budget", diffFlags{maxGrowth: []string{"ten"}}, "--max-growth"},
		{"bad severity", diffFlags{failOnNew: "urgent"}, "--fail-on-new-findings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := diffOptions(&c.flags)
			if c.mention == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != exitUsage {
				t.Fatalf("error %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("%q does not say %q", err, c.mention)
			}
		})
	}
}
