package installed

import (
	"bytes"
	"strings"
)

// dpkg is Debian's package manager: /var/lib/dpkg/status, or one file per
// package in /var/lib/dpkg/status.d on distroless images.
var dpkg = &Manager{
	Name:      "dpkg",
	Databases: []string{"/var/lib/dpkg/status"},
	PartsDir:  "/var/lib/dpkg/status.d",
	parse:     parseDpkg,
	compare:   CompareDpkg,
}

// parseDpkg reads a dpkg status file: paragraphs of "Field: value" lines.
// Only installed packages are kept; a status.d part (distroless) has no
// Status field and lists installed packages only.
func parseDpkg(b []byte, part bool) []Package {
	var out []Package
	var name, version, status string
	flush := func() {
		if name != "" && (part || strings.HasSuffix(status, " ok installed")) {
			out = append(out, Package{Name: name, Version: version, Manager: "dpkg"})
		}
		name, version, status = "", "", ""
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation line
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch string(k) {
		case "Package":
			name = string(bytes.TrimSpace(v))
		case "Version":
			version = string(bytes.TrimSpace(v))
		case "Status":
			status = string(bytes.TrimSpace(v))
		}
	}
	flush()
	return out
}

// CompareDpkg orders two Debian versions, [epoch:]upstream[-revision], as
// dpkg --compare-versions does: the epochs numerically, then the upstream
// versions and the revisions each by dpkg's algorithm, in which non-digit
// runs compare character by character (letters before other characters,
// "~" before everything, even the end of the string) and digit runs
// numerically. It returns -1, 0 or +1.
func CompareDpkg(a, b string) int {
	ea, ua, ra := splitDpkg(a)
	eb, ub, rb := splitDpkg(b)
	if c := compareNumeric(ea, eb); c != 0 {
		return c
	}
	if c := verrevcmp(ua, ub); c != 0 {
		return c
	}
	return verrevcmp(ra, rb)
}

// splitDpkg splits a Debian version into epoch, upstream version and
// revision. A missing epoch is "0"; a missing revision is "".
func splitDpkg(v string) (epoch, upstream, revision string) {
	v = strings.TrimSpace(v)
	epoch = "0"
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, v = v[:i], v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// dpkgOrder is the weight of a character in a non-digit run: "~" sorts
// before the end of the string, which sorts before letters, which sort
// before every other character.
func dpkgOrder(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	}
	return int(c) + 256
}

// verrevcmp is dpkg's comparison of an upstream version or a revision.
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := dpkgOrder(a, i), dpkgOrder(b, j)
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		si := i
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		sj := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if c := compareNumeric(a[si:min(i, len(a))], b[sj:min(j, len(b))]); c != 0 {
			return c
		}
	}
	return 0
}
