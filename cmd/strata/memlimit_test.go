package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestLimitMemory checks that strata sets its memory limit only when
// GOMEMLIMIT does not: at least memoryFloor, and never below the floor
// however small the live heap (a test's).
func TestLimitMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		env  string
		want int64
	}{
		{"", memoryFloor},
		{"off", math.MaxInt64},
		{"1GiB", math.MaxInt64}, // the runtime applies it; strata leaves it
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tc.env)
			debug.SetMemoryLimit(math.MaxInt64)
			stop := limitMemory()
			defer stop()
			if got := debug.SetMemoryLimit(-1); got != tc.want {
				t.Errorf("GOMEMLIMIT=%q: memory limit %d, want %d", tc.env, got, tc.want)
			}
		})
	}
}
