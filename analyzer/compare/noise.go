package compare

// NoisyPaths are the paths ignored unless Options.IncludeNoisy is set:
// files that change whenever a package manager or a user tool runs, or that
// an interpreter regenerates, and that say nothing about what changed in
// the image. Each is a glob with the syntax of Options.IgnorePaths.
var NoisyPaths = []string{
	// Package manager logs and their bookkeeping backups.
	"/var/log/dpkg.log",
	"/var/log/alternatives.log",
	"/var/log/apt/**",
	"/var/log/apk.log",
	"/var/lib/dpkg/*-old",
	"/var/cache/debconf/**",
	// Login records and the backups useradd and passwd leave.
	"/var/log/lastlog",
	"/var/log/faillog",
	"/var/log/wtmp",
	"/var/log/btmp",
	"/etc/passwd-",
	"/etc/group-",
	"/etc/shadow-",
	"/etc/gshadow-",
	"/etc/subuid-",
	"/etc/subgid-",
	// Caches the dynamic linker rebuilds after every install.
	"/etc/ld.so.cache",
	"/var/cache/ldconfig/aux-cache",
	// Compiled Python, regenerated from the sources.
	"**/*.pyc",
	"**/__pycache__",
}
