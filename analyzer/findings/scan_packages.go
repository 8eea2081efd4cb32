package findings

import (
	"bytes"
	"strconv"
	"strings"
)

// PackageDB is one package database file as a layer holds it.
type PackageDB struct {
	// Path is the database file.
	Path string
	// Manager is "dpkg" or "apk".
	Manager string
	// Packages are the installed packages it lists.
	Packages []Package
}

// Package is one installed package.
type Package struct {
	// Name and Version are as the package manager records them.
	Name    string `json:"name"`
	Version string `json:"version"`
	// Manager is "dpkg" or "apk".
	Manager string `json:"manager"`
	// Layer is the layer that installed this version (-1 when unknown).
	Layer int `json:"layer"`
	// Source is the database file that lists it.
	Source string `json:"source"`
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

// parseApk reads apk's installed database: paragraphs of "P:name" and
// "V:version" lines.
func parseApk(b []byte) []Package {
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

// parseAccounts reads /etc/passwd, /etc/group or /etc/shadow: colon
// separated lines whose first field is the name, second the password and
// third (passwd, group) the numeric ID.
func parseAccounts(p string, b []byte) []Account {
	var out []Account
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		a := Account{Name: f[0], ID: -1, EmptyPassword: f[1] == ""}
		if p != "/etc/shadow" && len(f) > 2 {
			if id, err := strconv.Atoi(f[2]); err == nil {
				a.ID = id
			}
		}
		out = append(out, a)
	}
	return out
}
