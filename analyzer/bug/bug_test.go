package bug_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/bug"
)

func panicsIn(f func()) (err error) {
	defer bug.Catch(&err)
	f()
	return nil
}

func TestCatch(t *testing.T) {
	tests := []struct {
		name  string
		f     func()
		value string
	}{
		{"index", func() { s := []int{}; _ = s[len(s)-32767] }, "index out of range [-32767]"},
		{"nil map", func() { var m map[string]int; m["a"] = 1 }, "assignment to entry in nil map"}, //nolint:staticcheck // SA5000: the runtime panic is the point
		{"value", func() { panic("boom") }, "boom"},
		{"error", func() { panic(errors.New("broken")) }, "broken"},
		{"re-raised", func() { panic(panicsIn(func() { panic("deep") })) }, "deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := panicsIn(tt.f)
			var be *bug.Error
			if !errors.As(err, &be) {
				t.Fatalf("got %v, want a *bug.Error", err)
			}
			if !strings.Contains(err.Error(), "internal error: ") || !strings.Contains(err.Error(), tt.value) {
				t.Errorf("message %q, want it to hold %q", err, tt.value)
			}
			// The stack names the function that panicked, also when the
			// panic was re-raised in another function.
			if !strings.Contains(string(be.Stack), "bug_test.TestCatch") {
				t.Errorf("the stack does not show where the panic happened:\n%s", be.Stack)
			}
		})
	}
	if err := panicsIn(func() {}); err != nil {
		t.Errorf("no panic gave %v", err)
	}
}
