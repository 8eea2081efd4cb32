package units_test

import (
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/units"
)

// TestParseBytes parses sizes around the int64 limit: none may wrap.
func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"20MB", 20_000_000, ""},
		{"1.5GiB", 1536 << 20, ""},
		{" 2000 ", 2000, ""},
		{"9223372036854775807", 9223372036854775807, ""},
		{"8EiB", 0, "too large"},
		{"9223372036854775808", 0, "too large"},
		{"9.3EB", 0, "too large"},
		{"16EiB", 0, "too large"},
		{"100EB", 0, "too large"},
		{"99999999999999999999999", 0, "too large"},
		{"-1", 0, "not a size"},
		{"lots", 0, "not a size"},
	}
	for _, tt := range tests {
		got, err := units.ParseBytes(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseBytes(%q) = %d, %v; want an error holding %q", tt.in, got, err, tt.err)
		}
	}
}
