package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestPlatformFlag checks that --platform is validated by the same parser
// that picks the image: every alias it knows is accepted and canonicalised,
// anything else is a usage error (exit code 2) naming the flag and the value.
func TestPlatformFlag(t *testing.T) {
	for _, c := range []struct {
		in, want string
		bad      bool
	}{
		{in: "linux/arm64", want: "linux/arm64"},
		{in: "linux/x86-64", want: "linux/amd64"},
		{in: "linux/x86_64", want: "linux/amd64"},
		{in: "Linux/AArch64", want: "linux/arm64"},
		{in: "linux/armhf", want: "linux/arm/v7"},
		{in: "windows/amd64/10.0.17763", want: "windows/amd64/10.0.17763"},
		{in: "linux", bad: true},
		{in: "linux/", bad: true},
		{in: "linux/amd 64", bad: true},
		{in: "linux/arm/v7/x", bad: true},
		{in: "linux/$(id)", bad: true},
	} {
		f := &loadFlags{platform: c.in, quiet: true}
		o, err := f.options(io.Discard)
		if c.bad {
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != exitUsage {
				t.Errorf("--platform %q: error %v, want a usage error", c.in, err)
				continue
			}
			if !strings.Contains(err.Error(), "--platform") || !strings.Contains(err.Error(), c.in) {
				t.Errorf("--platform %q: %q does not name the flag and the value", c.in, err)
			}
			continue
		}
		if err != nil || o.Platform != c.want {
			t.Errorf("--platform %q: %q, %v; want %q", c.in, o.Platform, err, c.want)
		}
	}
}
