package installed_test

import (
	"testing"

	"github.com/stratascan/strata/analyzer/installed"
)

// TestCompareDpkg checks dpkg's ordering, including the examples of the
// Debian policy manual and dpkg's own test suite.
func TestCompareDpkg(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0},
		{"1.0", "1.1", -1},
		{"1.1", "1.0", 1},
		{"1.0-1", "1.0-2", -1},
		{"1.0", "1.0-0", 0},
		{"1:0.9", "2.0", 1},
		{"0:1.0", "1.0", 0},
		{"2:1.0", "10:0.1", -1},
		{"1.0~rc1", "1.0", -1},
		{"1.0~rc1", "1.0~rc2", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0~", "1.0", -1},
		{"1.0", "1.0a", -1},
		{"1.0a", "1.0+", -1},
		{"1.0+b1", "1.0", 1},
		{"1.002", "1.2", 0},
		{"1.10", "1.9", 1},
		{"7.88.1-10", "7.88.1-10+deb12u5", -1},
		{"7.88.1-10+deb12u5", "7.88.1-10+deb12u8", -1},
		{"2.36-9", "2.36-9+deb12u4", -1},
		{"3.0.11-1", "3.0.9-1", 1},
		{"1.2.3-1", "1.2.3.1-1", -1},
		{"1.0-1~bpo11+1", "1.0-1", -1},
		{"a", "b", -1},
		{"1.0.0", "1.0", 1},
		{"20240101", "99", 1},
		{"123456789012345678901234567890", "123456789012345678901234567891", -1},
		{"1:1.0-1", "1:1.0-1", 0},
		{"", "0", 0},
	}
	for _, tt := range tests {
		if got := installed.CompareDpkg(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareDpkg(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := installed.CompareDpkg(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareDpkg(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

// TestCompareAPK checks apk's ordering: numbers, letters, suffixes and
// revisions.
func TestCompareAPK(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3-r0", "1.2.3-r0", 0},
		{"1.2.3-r0", "1.2.3-r1", -1},
		{"1.2.3-r9", "1.2.3-r10", -1},
		{"1.2.3", "1.2.4", -1},
		{"1.2", "1.2.1", -1},
		{"1.10", "1.9", 1},
		{"3.0.8-r0", "3.1.0-r0", -1},
		{"1.2.3_rc1", "1.2.3", -1},
		{"1.2.3_alpha", "1.2.3_beta", -1},
		{"1.2.3_beta2", "1.2.3_pre1", -1},
		{"1.2.3_pre1", "1.2.3_rc1", -1},
		{"1.2.3_rc1", "1.2.3_rc2", -1},
		{"1.2.3", "1.2.3_p1", -1},
		{"1.2.3_p1", "1.2.3_p2", -1},
		{"1.2.3_git20240101", "1.2.3_p1", -1},
		{"1.2.3_cvs", "1.2.3_svn", -1},
		{"1.2", "1.2a", -1},
		{"1.2a", "1.2b", -1},
		{"1.2a", "1.2.1", -1},
		{"1.01", "1.1", -1},
		{"1.1", "1.10", -1},
		{"2.36-r0", "2.36_rc1-r5", 1},
		{"1.36.1-r2", "1.36.1-r15", -1},
		{"20230311-r0", "20240705-r0", -1},
	}
	for _, tt := range tests {
		if got := installed.CompareAPK(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareAPK(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := installed.CompareAPK(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareAPK(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}
