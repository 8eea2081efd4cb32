package findings

import (
	"bytes"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/stratascan/strata/analyzer/installed"
)

// MaxScanBytes is the largest file whose content is scanned for secrets.
const MaxScanBytes = 1 << 20

// maxDBBytes bounds the package databases and account files captured.
const maxDBBytes = 64 << 20

// Content is what the walk of one layer captured from file contents: the
// secrets found (kind and masked preview only, never the value), the
// package databases and the account files. It is small whatever the layer.
type Content struct {
	// Secrets are the secrets found in the layer's files.
	Secrets []SecretHit
	// DBs are the package databases the layer holds.
	DBs []installed.DB
	// Accounts are the account files (/etc/passwd, /etc/group,
	// /etc/shadow) the layer holds, by path.
	Accounts map[string][]Account
	// ScannedFiles and ScannedBytes count the files read for secrets.
	ScannedFiles int
	ScannedBytes int64
}

// SecretHit is one secret found in a file. It never holds the secret.
type SecretHit struct {
	// Path is the file.
	Path string
	// Rule is the slug of the rule that reports it.
	Rule string
	// Kind says what it is ("RSA private key", "GitHub token").
	Kind string
	// Preview is a masked preview ("ghp********").
	Preview string
	// Severity is how bad this kind is.
	Severity Severity
}

// Account is one line of /etc/passwd, /etc/group or /etc/shadow.
type Account struct {
	// Name is the user or group name.
	Name string
	// ID is the UID or GID (-1 for /etc/shadow or when unreadable).
	ID int
	// EmptyPassword is true when the password field is empty: anyone may
	// log in without a password.
	EmptyPassword bool
}

// Scanner is the content hook of one layer's walk (walk.Options.Inspect): it
// picks the few files worth reading with a cheap test on the path and size,
// and looks at their bytes as they stream. One Scanner serves one layer and
// one file at a time.
type Scanner struct {
	content Content
	sink    sink
}

// NewScanner returns a scanner for one layer.
func NewScanner() *Scanner { return &Scanner{} }

// Content returns what the scanner captured.
func (s *Scanner) Content() *Content { return &s.content }

// fileMode says what a captured file is read for.
type fileMode uint8

const (
	modeText     fileMode = iota // any text file: known token formats
	modeNamed                    // a credentials file known by its name
	modeDB                       // a package database (see installed.Database)
	modeAccounts                 // /etc/passwd, /etc/group, /etc/shadow
)

// Inspect decides whether the content of the regular file at p (size bytes)
// is read, and returns the writer that receives it, or nil. It is the
// walk.Options.Inspect hook.
func (s *Scanner) Inspect(p string, size int64) io.WriteCloser {
	mode, limit, named := classify(p, size)
	if limit == 0 {
		return nil
	}
	s.sink.reset(s, p, mode, named, limit, size)
	return &s.sink
}

// classify is the cheap prefilter run for every regular file: exact paths
// first, then size, then the directory, then the name.
func classify(p string, size int64) (mode fileMode, limit int64, named string) {
	switch p {
	case "/etc/passwd", "/etc/group", "/etc/shadow":
		return modeAccounts, MaxScanBytes, ""
	}
	if m, part := installed.Database(p); m != nil {
		if part {
			return modeDB, MaxScanBytes, ""
		}
		return modeDB, maxDBBytes, ""
	}
	if size > MaxScanBytes {
		return 0, 0, ""
	}
	if n := credentialFile(p); n != "" {
		return modeNamed, MaxScanBytes, n
	}
	if inSystemDir(p) || inDependencyDir(p) || binaryName(p) {
		return 0, 0, ""
	}
	return modeText, MaxScanBytes, ""
}

// systemDirs hold files a package manager installed: their content is not
// scanned (Trivy's allow rules skip the same places).
var systemDirs = []string{
	"/usr/share/", "/usr/include/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/usr/libexec/",
	"/usr/bin/", "/usr/sbin/", "/usr/local/lib/", "/usr/local/include/", "/usr/local/share/",
	"/usr/local/go/", "/lib/", "/lib32/", "/lib64/", "/libx32/", "/bin/", "/sbin/", "/boot/",
	"/proc/", "/sys/", "/dev/", "/var/lib/", "/var/cache/", "/var/log/", "/etc/ssl/",
	"/etc/ca-certificates/", "/etc/pki/", "/opt/conda/pkgs/",
}

// systemDirsByTop groups systemDirs by their first path element, so that a
// path is only compared with the few prefixes that can match it.
var systemDirsByTop = func() map[string][]string {
	m := map[string][]string{}
	for _, d := range systemDirs {
		top := topElement(d)
		m[top] = append(m[top], d)
	}
	return m
}()

// topElement returns the first element of an absolute path ("usr" of
// "/usr/lib/x").
func topElement(p string) string {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}

// inSystemDir reports whether p is under one of systemDirs.
func inSystemDir(p string) bool {
	for _, d := range systemDirsByTop[topElement(p)] {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// dependencyDirs hold third-party packages, whose test fixtures are full of
// example keys and tokens.
var dependencyDirs = []string{
	"/node_modules/", "/site-packages/", "/dist-packages/", "/vendor/", "/.cargo/registry/",
	"/pkg/mod/", "/.m2/repository/", "/.gradle/caches/", "/.cache/",
}

// inDependencyDir reports whether p is inside a dependency directory.
func inDependencyDir(p string) bool {
	for _, d := range dependencyDirs {
		if strings.Contains(p, d) {
			return true
		}
	}
	return false
}

// binaryExts are name endings of files that are not text.
var binaryExts = []string{
	".so", ".a", ".o", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".gz", ".tgz", ".xz",
	".bz2", ".zst", ".zip", ".jar", ".war", ".whl", ".egg", ".pyc", ".pyo", ".class", ".mo",
	".deb", ".rpm", ".apk", ".tar", ".woff", ".woff2", ".ttf", ".otf", ".pdf", ".mp3", ".mp4",
	".wasm", ".db", ".sqlite", ".bin", ".exe", ".dll",
}

// binaryExtSet holds binaryExts for lookups.
var binaryExtSet = func() map[string]bool {
	m := make(map[string]bool, len(binaryExts))
	for _, e := range binaryExts {
		m[e] = true
	}
	return m
}()

// binaryName reports whether the file name says the content is binary.
func binaryName(p string) bool {
	dot := strings.LastIndexByte(p, '.')
	if dot < 0 || dot < strings.LastIndexByte(p, '/') || len(p)-dot > 8 {
		return false // no extension, or longer than any in binaryExts
	}
	var lower [8]byte
	ext := lower[:len(p)-dot]
	for i := range ext {
		c := p[dot+i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		ext[i] = c
	}
	return binaryExtSet[string(ext)]
}

// credentialFile names the kind of credentials file p is, by its name and
// directory, or returns "".
func credentialFile(p string) string {
	dir, base := path.Split(p)
	switch {
	case base == ".env" || (strings.HasPrefix(base, ".env.") && !placeholderEnv(base)):
		return "env"
	case base == ".npmrc":
		return "npmrc"
	case base == ".pypirc":
		return "pypirc"
	case base == ".netrc" || base == "_netrc":
		return "netrc"
	case base == ".git-credentials":
		return "git-credentials"
	case base == "config.json" && strings.HasSuffix(dir, "/.docker/"):
		return "docker-config"
	case base == "config" && strings.HasSuffix(dir, "/.kube/"), base == "kubeconfig", base == "admin.conf" && strings.HasSuffix(dir, "/kubernetes/"):
		return "kubeconfig"
	case base == "credentials" && strings.HasSuffix(dir, "/.aws/"):
		return "aws-credentials"
	}
	return ""
}

// placeholderEnv reports whether a .env.* name is a template, not real values.
func placeholderEnv(base string) bool {
	switch strings.TrimPrefix(base, ".env.") {
	case "example", "sample", "template", "dist", "defaults", "default":
		return true
	}
	return false
}

// errStop tells the walk that a sink wants no more of the file.
var errStop = errors.New("findings: content not needed")

// sink collects one file's bytes. It is reused for every file of a layer.
type sink struct {
	s       *Scanner
	path    string
	named   string
	mode    fileMode
	limit   int64
	size    int64
	buf     []byte
	stopped bool
	first   bool
}

func (k *sink) reset(s *Scanner, p string, mode fileMode, named string, limit, size int64) {
	k.s, k.path, k.mode, k.named, k.limit, k.size = s, p, mode, named, limit, size
	k.buf, k.stopped, k.first = k.buf[:0], false, true
}

// binarySniffBytes is how much of a file is searched for a NUL byte to
// tell a binary file from a text file.
const binarySniffBytes = 1024

// Write appends a chunk of the file; it stops early (returning errStop) on
// a binary file or one over the limit.
func (k *sink) Write(p []byte) (int, error) {
	if k.stopped {
		return 0, errStop
	}
	if k.first {
		k.first = false
		// Binary formats (ELF, images, archives, compiled bytecode) carry
		// NUL bytes in their first few bytes: the first KiB tells.
		if k.mode == modeText && bytes.IndexByte(p[:min(len(p), binarySniffBytes)], 0) >= 0 {
			k.stopped = true
			return 0, errStop
		}
		if int64(len(p)) == k.size && (k.mode == modeText || k.mode == modeNamed) {
			// The whole file in one chunk (the usual case): scan it in
			// place rather than copy it.
			k.scan(p)
			k.stopped = true
			return len(p), nil
		}
	}
	if int64(len(k.buf)+len(p)) > k.limit {
		k.stopped = true
		return 0, errStop
	}
	k.buf = append(k.buf, p...)
	return len(p), nil
}

// scan looks for secrets in the file's content.
func (k *sink) scan(b []byte) {
	c := &k.s.content
	c.ScannedFiles++
	c.ScannedBytes += int64(len(b))
	c.Secrets = append(c.Secrets, scanSecrets(k.path, k.named, b)...)
}

// Close examines the collected bytes.
func (k *sink) Close() error {
	if k.stopped {
		return nil
	}
	c := &k.s.content
	switch k.mode {
	case modeText, modeNamed:
		k.scan(k.buf)
	case modeDB:
		if db, ok := installed.Parse(k.path, k.buf); ok {
			c.DBs = append(c.DBs, db)
		}
	case modeAccounts:
		if c.Accounts == nil {
			c.Accounts = map[string][]Account{}
		}
		c.Accounts[k.path] = parseAccounts(k.path, k.buf)
	}
	if cap(k.buf) > 4*MaxScanBytes {
		k.buf = nil // do not keep a large database's buffer
	}
	return nil
}
