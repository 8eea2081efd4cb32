package glob_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer/glob"
)

// deepPath is a path depth directories deep ending in leaf, with
// node_modules every tenth level.
func deepPath(depth int, leaf string) string {
	var b strings.Builder
	for i := range depth {
		if i%10 == 5 {
			b.WriteString("/node_modules")
		} else {
			fmt.Fprintf(&b, "/d%d", i%7)
		}
	}
	return b.String() + "/" + leaf
}

// TestDeepPaths matches globs with several ** against paths thousands of
// directories deep, which once took tens of seconds (backtracking over
// every way to split the path between the **). Each must give the right
// answer, under a watchdog.
func TestDeepPaths(t *testing.T) {
	tests := []struct {
		glob, leaf string
		want       bool
	}{
		{"**/node_modules/**/*.md", "README.md", true},
		{"**/node_modules/**/*.md", "README.txt", false},
		{"**/node_modules/**/node_modules/**/*.md", "x.md", true},
		{"**/d1/**/d2/**/d3/**/d4/**/*.go", "x.go", true},
		{"**/d1/**/d2/**/d3/**/d4/**/*.go", "x.c", false},
		{"**/**/**/**/**/**/missing", "x", false},
		{"**/node_modules/**/node_modules/**/node_modules/**/z*", "y", false},
		{"*.md", "x.md", true},
		{"/d0/d1/**/[a-c]?.md", "ab.md", true},
		{"/d0/d1/**/[a-c]?.md", "zz.md", false},
		{"**/d9/**", "x", false},
	}
	for _, depth := range []int{3000, 30000} {
		for _, tt := range tests {
			p := deepPath(depth, tt.leaf)
			done := make(chan bool, 1)
			go func() { done <- glob.MatchPath(tt.glob, p) }()
			select {
			case got := <-done:
				if got != tt.want {
					t.Errorf("depth %d: MatchPath(%q, …/%s) = %v, want %v", depth, tt.glob, tt.leaf, got, tt.want)
				}
			case <-time.After(time.Minute):
				t.Fatalf("depth %d: MatchPath(%q) did not return within a minute", depth, tt.glob)
			}
		}
	}
}

// BenchmarkDeepPath measures one match against paths 100, 1,000 and 3,000
// directories deep: the time must grow linearly with the depth.
func BenchmarkDeepPath(b *testing.B) {
	for _, g := range []string{"**/node_modules/**/*.md", "**/d1/**/d2/**/d3/**/*.go"} {
		m, err := glob.New(g)
		if err != nil {
			b.Fatal(err)
		}
		for _, depth := range []int{100, 1000, 3000} {
			p := deepPath(depth, "README.txt")
			b.Run(fmt.Sprintf("%s/depth=%d", strings.ReplaceAll(g, "/", "_"), depth), func(b *testing.B) {
				for b.Loop() {
					m.Match(p)
				}
			})
		}
	}
}
