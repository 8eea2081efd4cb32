package installed_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/installed"
)

// TestDatabase checks which files are package databases, and of which
// manager.
func TestDatabase(t *testing.T) {
	for _, c := range []struct {
		path    string
		manager string // "" when the file is no database
		part    bool
	}{
		{"/var/lib/dpkg/status", "dpkg", false},
		{"/var/lib/dpkg/status.d/tzdata", "dpkg", true},
		{"/var/lib/dpkg/status.d/tzdata.md5sums/x", "", false},
		{"/var/lib/dpkg/status.d", "", false},
		{"/var/lib/dpkg/status-old", "", false},
		{"/lib/apk/db/installed", "apk", false},
		{"/lib/apk/db/installed.bak", "", false},
		{"/etc/passwd", "", false},
	} {
		m, part := installed.Database(c.path)
		got := ""
		if m != nil {
			got = m.Name
		}
		if got != c.manager || part != c.part {
			t.Errorf("Database(%q) = %q, %v; want %q, %v", c.path, got, part, c.manager, c.part)
		}
	}
}

// TestParse reads each kind of database: only installed packages count, and
// continuation lines and other fields are skipped.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		path, content string
		want          []installed.Package
	}{
		{"/var/lib/dpkg/status",
			"Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10\nDescription: a tool\n Version: 9\n\n" +
				"Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n" +
				"Package: jq\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.6-2.1\n",
			[]installed.Package{{Name: "curl", Version: "7.88.1-10", Manager: "dpkg"}, {Name: "jq", Version: "1.6-2.1", Manager: "dpkg"}}},
		{"/var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a\n",
			[]installed.Package{{Name: "tzdata", Version: "2024a", Manager: "dpkg"}}},
		{"/lib/apk/db/installed", "C:Q1abc\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nP:busybox\nV:1.36.1-r5\n",
			[]installed.Package{{Name: "musl", Version: "1.2.4-r2", Manager: "apk"}, {Name: "busybox", Version: "1.36.1-r5", Manager: "apk"}}},
	} {
		db, ok := installed.Parse(c.path, []byte(c.content))
		if !ok || db.Path != c.path {
			t.Errorf("Parse(%q) = %+v, %v", c.path, db, ok)
			continue
		}
		if d := cmp.Diff(c.want, db.Packages); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", c.path, d)
		}
	}
	if _, ok := installed.Parse("/etc/os-release", []byte("ID=debian\n")); ok {
		t.Error("Parse read /etc/os-release as a package database")
	}
}

// TestCompareVersionsByManager checks that each manager's ordering is used.
func TestCompareVersionsByManager(t *testing.T) {
	// 1.0_rc1 is before 1.0 for apk; for dpkg '_' sorts after the end.
	if got := installed.CompareVersions("apk", "1.0_rc1", "1.0"); got != -1 {
		t.Errorf("apk: %d, want -1", got)
	}
	if got := installed.CompareVersions("dpkg", "1.0_rc1", "1.0"); got != 1 {
		t.Errorf("dpkg: %d, want 1", got)
	}
	if got := installed.CompareVersions("rpm", "1.0~rc1", "1.0"); got != -1 {
		t.Errorf("an unknown manager: %d, want dpkg's -1", got)
	}
}
