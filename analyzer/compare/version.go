package compare

import "strings"

// CompareVersions orders two versions of a package by the rules of its
// manager: dpkg's (Debian policy §5.6.12) for "dpkg", apk's for "apk", and
// dpkg's for anything else. It returns -1, 0 or +1.
func CompareVersions(manager, a, b string) int {
	if manager == "apk" {
		return CompareAPK(a, b)
	}
	return CompareDpkg(a, b)
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

// compareNumeric compares two runs of digits as numbers of any length.
func compareNumeric(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
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

// apkSuffixes rank apk's (and Gentoo's) suffixes: the pre-releases sort
// before the bare version (rank 0 here is "no suffix"), the others after.
var apkSuffixes = map[string]int{
	"alpha": -4, "beta": -3, "pre": -2, "rc": -1,
	"cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5,
}

// apkVersion is a parsed apk version: 1.2.3a_rc1_p2-r4.
type apkVersion struct {
	numbers  []string
	letter   byte
	suffixes []apkSuffix
	revision string
}

type apkSuffix struct {
	rank   int
	number string
}

// parseAPK reads an apk version. Whatever does not fit the grammar is kept
// as a suffix of rank 0 compared by its text, so every string orders.
func parseAPK(v string) (apkVersion, string) {
	var p apkVersion
	v = strings.TrimSpace(v)
	if i := strings.LastIndex(v, "-r"); i >= 0 && allDigits(v[i+2:]) && i+2 < len(v) {
		p.revision, v = v[i+2:], v[:i]
	}
	for {
		n := 0
		for n < len(v) && isDigit(v[n]) {
			n++
		}
		if n == 0 {
			break
		}
		p.numbers = append(p.numbers, v[:n])
		v = v[n:]
		if len(v) > 1 && v[0] == '.' && isDigit(v[1]) {
			v = v[1:]
			continue
		}
		break
	}
	if len(v) > 0 && v[0] >= 'a' && v[0] <= 'z' && (len(v) == 1 || v[1] == '_') {
		p.letter, v = v[0], v[1:]
	}
	for len(v) > 1 && v[0] == '_' {
		name := 1
		for name < len(v) && v[name] >= 'a' && v[name] <= 'z' {
			name++
		}
		rank, ok := apkSuffixes[v[1:name]]
		if !ok {
			break
		}
		num := name
		for num < len(v) && isDigit(v[num]) {
			num++
		}
		p.suffixes = append(p.suffixes, apkSuffix{rank: rank, number: v[name:num]})
		v = v[num:]
	}
	return p, v
}

// CompareAPK orders two Alpine package versions as apk does: the numeric
// components (the first numerically, later ones with a leading zero as
// decimal fractions), then the letter, the suffixes (_alpha < _beta < _pre
// < _rc < none < _cvs < _svn < _git < _hg < _p), then the -rN revision. It
// returns -1, 0 or +1.
func CompareAPK(a, b string) int {
	pa, resta := parseAPK(a)
	pb, restb := parseAPK(b)
	for k := 0; k < min(len(pa.numbers), len(pb.numbers)); k++ {
		x, y := pa.numbers[k], pb.numbers[k]
		var c int
		if k > 0 && (x[0] == '0' || y[0] == '0') {
			c = strings.Compare(strings.TrimRight(x, "0"), strings.TrimRight(y, "0"))
		} else {
			c = compareNumeric(x, y)
		}
		if c != 0 {
			return sign(c)
		}
	}
	if c := len(pa.numbers) - len(pb.numbers); c != 0 {
		return sign(c)
	}
	if c := int(pa.letter) - int(pb.letter); c != 0 {
		return sign(c)
	}
	for k := 0; k < max(len(pa.suffixes), len(pb.suffixes)); k++ {
		var x, y apkSuffix
		if k < len(pa.suffixes) {
			x = pa.suffixes[k]
		}
		if k < len(pb.suffixes) {
			y = pb.suffixes[k]
		}
		if x.rank != y.rank {
			return sign(x.rank - y.rank)
		}
		if c := compareNumeric(x.number, y.number); c != 0 {
			return c
		}
	}
	if c := compareNumeric(pa.revision, pb.revision); c != 0 {
		return c
	}
	return strings.Compare(resta, restb)
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
