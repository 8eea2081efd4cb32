package findings

import "testing"

// TestPathClassesMatchTheirLists checks the indexed lookups against the
// lists they index.
func TestPathClassesMatchTheirLists(t *testing.T) {
	for _, p := range []string{"/usr/lib/x.so", "/usr/local/go/bin/go", "/usr/local/bin/app", "/lib64/ld.so",
		"/libx/y", "/var/lib/dpkg/status", "/var/www/index.html", "/etc/ssl/certs/a.pem", "/etc/passwd",
		"/opt/conda/pkgs/x", "/opt/app/main.py", "/app/usr/lib/x", "/usr", "/bin/sh", "/"} {
		want := false
		for _, d := range systemDirs {
			if len(p) >= len(d) && p[:len(d)] == d {
				want = true
			}
		}
		if got := inSystemDir(p); got != want {
			t.Errorf("inSystemDir(%q) = %v, want %v", p, got, want)
		}
	}
	for _, p := range []string{"/a/b.SO", "/a/b.so", "/a/logo.PNG", "/a/b.woff2", "/a/b.py", "/a.b/c", "/a/b.sqlite",
		"/a/b.verylongext", "/a/noext", "/a/.so"} {
		want := false
		for _, e := range binaryExts {
			if n := len(p) - len(e); n >= 0 && equalFold(p[n:], e) && lastDot(p) == n {
				want = true
			}
		}
		if got := binaryName(p); got != want {
			t.Errorf("binaryName(%q) = %v, want %v", p, got, want)
		}
	}
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func lastDot(p string) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return i
		}
		if p[i] == '/' {
			return -1
		}
	}
	return -1
}
