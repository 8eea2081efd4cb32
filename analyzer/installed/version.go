package installed

import "strings"

// CompareVersions orders two versions of a package by the rules of its
// manager: dpkg's (Debian policy §5.6.12) for "dpkg", apk's for "apk", and
// dpkg's for a manager strata does not know. It returns -1, 0 or +1.
func CompareVersions(manager, a, b string) int {
	if m := Lookup(manager); m != nil {
		return m.compare(a, b)
	}
	return CompareDpkg(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// compareNumeric compares two runs of digits as numbers of any length.
func compareNumeric(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}
