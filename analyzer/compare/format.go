package compare

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/report"
)

// SignedBytes formats a size change with its sign ("+1.2 MB", "-3 kB", "0 B").
func SignedBytes(n int64) string {
	if n > 0 {
		return "+" + report.Bytes(n)
	}
	return report.Bytes(n)
}

// SignedPercent formats a percentage change ("+4.10 %").
func SignedPercent(p float64) string {
	if math.Abs(p) < 0.005 {
		return "0.00 %"
	}
	if p > 0 {
		return fmt.Sprintf("+%.2f %%", p)
	}
	return fmt.Sprintf("%.2f %%", p)
}

// SignedInt formats a count change ("+3", "-1", "0").
func SignedInt(n int64) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprintf("%d", n)
}

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
				parts = append(parts, fmt.Sprintf("link %s → %s", report.Escape(c.Old.Link), report.Escape(c.New.Link)))
			default:
				parts = append(parts, f)
			}
		}
		return strings.Join(parts, ", ")
	case FileAdded:
		if c.New.Link != "" {
			return "→ " + report.Escape(c.New.Link)
		}
	}
	return ""
}

// LargestChanges returns up to n changes of paths that are not
// directories, largest size change first (n ≤ 0: all of them).
func (f *Files) LargestChanges(n int) []FileChange {
	var out []FileChange
	for _, c := range f.Changes {
		if c.Kind() != "dir" {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b FileChange) int {
		if c := cmp.Compare(abs(b.SizeDelta), abs(a.SizeDelta)); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Counts describes the file changes in one line.
func (c FileCounts) String() string {
	var parts []string
	if c.Added > 0 {
		parts = append(parts, fmt.Sprintf("%d added (%s)", c.Added, SignedBytes(c.AddedBytes)))
	}
	if c.Removed > 0 {
		parts = append(parts, fmt.Sprintf("%d removed (%s)", c.Removed, SignedBytes(-c.RemovedBytes)))
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

// ConfigKey names a configuration change: "user", "env PATH".
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
	s := report.Escape(o) + " → " + report.Escape(n)
	if c.Masked {
		s += " (secret value changed; masked)"
	}
	return s
}

// errWriter remembers the first write error so writers can print freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// shortID abbreviates a digest for display.
func shortID(d string) string {
	if _, h, ok := strings.Cut(d, ":"); ok && len(h) > 12 {
		return h[:12]
	}
	return d
}
