package installed

import (
	"bytes"
	"strings"
)

// apk is Alpine's package manager: /lib/apk/db/installed.
var apk = &Manager{
	Name:      "apk",
	Databases: []string{"/lib/apk/db/installed"},
	parse:     parseApk,
	compare:   CompareAPK,
}

// parseApk reads apk's installed database: paragraphs of "P:name" and
// "V:version" lines.
func parseApk(b []byte, _ bool) []Package {
	var out []Package
	var name, version string
	flush := func() {
		if name != "" {
			out = append(out, Package{Name: name, Version: version, Manager: "apk"})
		}
		name, version = "", ""
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			flush()
		case bytes.HasPrefix(line, []byte("P:")):
			name = string(bytes.TrimSpace(line[2:]))
		case bytes.HasPrefix(line, []byte("V:")):
			version = string(bytes.TrimSpace(line[2:]))
		}
	}
	flush()
	return out
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
