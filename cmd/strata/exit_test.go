package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer/bug"
)

// TestInternalError runs commands that panic, in the command itself and in
// goroutines whose panics the analysis returns as errors: each is an
// internal error (exit 3) asking for a report and showing the stack, never
// an exit 2 that would blame the input.
func TestInternalError(t *testing.T) {
	tests := []struct {
		name  string
		run   func()
		value string
	}{
		{"index", func() { s := make([]int, 2); i := -32767; _ = s[i+len(s)-2] }, "index out of range [-32767]"},
		{"nil map", func() { var m map[string]int; m["x"]++ }, "assignment to entry in nil map"}, //nolint:staticcheck // SA5000: the runtime panic is the point
		{"explicit", func() { panic(fmt.Sprintf("layer %d", 7)) }, "layer 7"},
		{"goroutine", func() {
			var err error
			done := make(chan struct{})
			go func() { defer close(done); defer bug.Catch(&err); var p *struct{ n int }; p.n++ }()
			<-done
			panic(err)
		}, "invalid memory address or nil pointer dereference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			root := newRootCmd(&stdout, &stderr)
			root.AddCommand(&cobra.Command{Use: "boom", Run: func(*cobra.Command, []string) { tt.run() }})
			code := exitCode(execute(context.Background(), root, []string{"boom"}), &stderr)
			if code != 3 {
				t.Errorf("exit code %d, want 3", code)
			}
			out := stderr.String()
			for _, want := range []string{"strata: internal error: ", tt.value, "please report it", "goroutine ", "TestInternalError"} {
				if !strings.Contains(out, want) {
					t.Errorf("stderr lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestExitCodes maps errors to exit codes; a bug wrapped as an input error
// is still a bug.
func TestExitCodes(t *testing.T) {
	be := &bug.Error{Value: "x"}
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errPolicyFailed, 1},
		{usageError(errors.New("bad flag")), 2},
		{errors.New("cannot open"), 2},
		{be, 3},
		{inputError("img.tar", be), 3},
		{fmt.Errorf("loading: %w", context.Canceled), 130},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, &bytes.Buffer{}); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
