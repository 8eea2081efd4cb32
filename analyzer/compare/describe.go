package compare

import (
	"fmt"
	"strings"

	"github.com/stratascan/strata/analyzer/report/termtext"
)

// ChangeMark is the one-letter mark of a file change: A, D, M or T.
func ChangeMark(c FileChangeType) string {
	switch c {
	case FileAdded:
		return "A"
	case FileRemoved:
		return "D"
	case FileModified:
		return "M"
	case FileTypeChanged:
		return "T"
	}
	return " "
}

// PackageMark is the mark of a package change: +, -, ↑, ↓ or ~.
func PackageMark(c PackageChangeType) string {
	switch c {
	case PackageAdded:
		return "+"
	case PackageRemoved:
		return "-"
	case PackageUpgraded:
		return "↑"
	case PackageDowngraded:
		return "↓"
	}
	return "~"
}

// Detail says what changed about a file: "content, mode 0644 → 0755",
// "file → symlink".
func (c *FileChange) Detail() string {
	switch c.Change {
	case FileTypeChanged:
		return c.Old.Kind + " → " + c.New.Kind
	case FileModified:
		var parts []string
		for _, f := range c.Fields {
			switch f {
			case FieldMode:
				parts = append(parts, fmt.Sprintf("mode %s → %s", c.Old.Mode, c.New.Mode))
			case FieldOwner:
				parts = append(parts, fmt.Sprintf("owner %d:%d → %d:%d", c.Old.UID, c.Old.GID, c.New.UID, c.New.GID))
			case FieldLink:
				parts = append(parts, fmt.Sprintf("link %s → %s", termtext.Escape(c.Old.Link), termtext.Escape(c.New.Link)))
			default:
				parts = append(parts, f)
			}
		}
		return strings.Join(parts, ", ")
	case FileAdded:
		if c.New.Link != "" {
			return "→ " + termtext.Escape(c.New.Link)
		}
	}
	return ""
}

// Counts describes the file changes in one line.
func (c FileCounts) String() string {
	var parts []string
	if c.Added > 0 {
		parts = append(parts, fmt.Sprintf("%d added (%s)", c.Added, termtext.SignedBytes(c.AddedBytes)))
	}
	if c.Removed > 0 {
		parts = append(parts, fmt.Sprintf("%d removed (%s)", c.Removed, termtext.SignedBytes(-c.RemovedBytes)))
	}
	if c.Modified > 0 {
		parts = append(parts, fmt.Sprintf("%d modified", c.Modified))
	}
	if c.TypeChanged > 0 {
		parts = append(parts, fmt.Sprintf("%d type changed", c.TypeChanged))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// PackageCounts describes the package changes in one line.
func PackageCounts(ps []PackageChange) string {
	n := map[PackageChangeType]int{}
	for _, p := range ps {
		n[p.Change]++
	}
	var parts []string
	for _, t := range []PackageChangeType{PackageAdded, PackageRemoved, PackageUpgraded, PackageDowngraded, PackageChanged} {
		if n[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[t], t))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// Versions shows a package change's versions: "1.0 → 1.1", "1.0".
func (p *PackageChange) Versions() string {
	switch {
	case p.OldVersion != "" && p.NewVersion != "":
		return p.OldVersion + " → " + p.NewVersion
	case p.NewVersion != "":
		return p.NewVersion
	}
	return p.OldVersion
}

// Name names a configuration change: "user", "env PATH".
func (c *ConfigChange) Name() string {
	if c.Key != "" && c.Field != "exposedPorts" && c.Field != "volumes" {
		return c.Field + " " + c.Key
	}
	return c.Field
}

// Values shows a configuration change: "root → app", "(none) → 8080/tcp".
func (c *ConfigChange) Values() string {
	o, n := c.Old, c.New
	if o == "" {
		o = "(none)"
	}
	if n == "" {
		n = "(none)"
	}
	s := termtext.Escape(o) + " → " + termtext.Escape(n)
	if c.Masked {
		s += " (secret value changed; masked)"
	}
	return s
}
