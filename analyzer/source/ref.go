package source

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Reference is an image reference split into its source and its parts.
type Reference struct {
	// Kind is the source the reference names. Empty means it is decided later:
	// by sniffing Path when Path is set, else automatically (daemon, Podman,
	// containerd, registry) for Name.
	Kind Kind
	// Name is the image name for the Docker, Podman, containerd, registry and
	// automatic sources.
	Name string
	// Path is the file or directory for archives and layouts.
	Path string
	// Tag picks one image inside an archive or layout (docker-archive:PATH:TAG,
	// oci:DIR:TAG).
	Tag string
	// Index picks one image of a multi-image docker archive by position
	// (docker-archive:PATH@N); -1 when absent.
	Index int
}

// schemes maps reference prefixes to sources, longest prefixes first where
// one is a prefix of another.
var schemes = []struct {
	prefix string
	kind   Kind
}{
	{"docker-archive://", DockerArchive},
	{"docker-archive:", DockerArchive},
	{"docker-tar://", DockerArchive},
	{"docker-tar:", DockerArchive},
	{"docker-daemon://", Docker},
	{"docker-daemon:", Docker},
	{"docker://", Docker},
	{"podman://", Podman},
	{"containerd://", Containerd},
	{"oci-archive://", OCIArchive},
	{"oci-archive:", OCIArchive},
	{"oci://", OCI},
	{"oci:", OCI},
	{"registry://", Registry},
}

// ParseKind turns a --source value into a Kind. It accepts the Kind values and
// the alias "docker-tar" for docker-archive; "" means automatic.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case "", Docker, Podman, Containerd, DockerArchive, OCI, OCIArchive, Registry:
		return k, nil
	case "docker-tar":
		return DockerArchive, nil
	case "docker-daemon":
		return Docker, nil
	}
	return "", fmt.Errorf("unknown source %q (want docker, podman, containerd, docker-archive, oci, oci-archive or registry)", s)
}

// ParseReference splits ref into its source and parts. forced, when not
// empty, is the source chosen with --source; it must agree with a prefix the
// reference carries. Paths are checked on disk to split "PATH:TAG" where PATH
// itself may contain ':' (the longest prefix that exists wins).
func ParseReference(ref string, forced Kind) (Reference, error) {
	r := Reference{Index: -1}
	if strings.TrimSpace(ref) == "" {
		return r, errors.New("empty image reference")
	}
	forced, err := ParseKind(string(forced))
	if err != nil {
		return r, err
	}
	kind, rest, prefixed := splitScheme(ref)
	if prefixed && forced != "" && forced != kind {
		return r, fmt.Errorf("--source %s conflicts with the reference, which names %s", forced, kind)
	}
	if !prefixed {
		kind = forced
	}
	if rest == "" {
		return r, fmt.Errorf("no image named after %q", strings.TrimSuffix(ref, rest))
	}
	r.Kind = kind
	switch kind {
	case Docker, Podman, Containerd, Registry:
		r.Name = rest
	case DockerArchive:
		r.Path, r.Tag, r.Index = splitPath(rest, true)
	case OCI, OCIArchive:
		r.Path, r.Tag, _ = splitPath(rest, false)
	case "":
		if rest == Stdin || exists(rest) || looksLikePath(rest) {
			r.Path = rest
		} else {
			r.Name = rest
		}
	}
	return r, nil
}

// String renders the reference in the canonical prefixed form.
func (r Reference) String() string {
	switch r.Kind {
	case Docker, Podman, Containerd, Registry:
		return string(r.Kind) + "://" + r.Name
	case DockerArchive, OCI, OCIArchive:
		s := string(r.Kind) + ":" + r.Path
		if r.Tag != "" {
			s += ":" + r.Tag
		}
		if r.Index >= 0 {
			s += "@" + strconv.Itoa(r.Index)
		}
		return s
	}
	if r.Path != "" {
		return r.Path
	}
	return r.Name
}

func splitScheme(ref string) (Kind, string, bool) {
	for _, s := range schemes {
		if len(ref) >= len(s.prefix) && strings.EqualFold(ref[:len(s.prefix)], s.prefix) {
			return s.kind, ref[len(s.prefix):], true
		}
	}
	return "", ref, false
}

// splitPath splits "PATH[:TAG]" or "PATH@N" (when withIndex), preferring the
// longest prefix that exists on disk. When nothing exists the whole string is
// the path, so the caller reports it as missing.
func splitPath(s string, withIndex bool) (path, tag string, index int) {
	if exists(s) {
		return s, "", -1
	}
	if withIndex {
		if at := strings.LastIndexByte(s, '@'); at > 0 {
			if n, err := strconv.Atoi(s[at+1:]); err == nil && n >= 0 && exists(s[:at]) {
				return s[:at], "", n
			}
		}
	}
	for i := len(s) - 1; i > 0; i-- {
		if s[i] == ':' && exists(s[:i]) {
			return s[:i], s[i+1:], -1
		}
	}
	return s, "", -1
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// looksLikePath reports whether an unprefixed reference that does not exist
// was meant as a file rather than an image name, so that a typo gets "file not
// found" instead of a registry lookup.
func looksLikePath(s string) bool {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, "~") || s == "." || s == ".." || strings.ContainsRune(s, '\\') {
		return true
	}
	lower := strings.ToLower(s)
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.zst", ".oci"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}
