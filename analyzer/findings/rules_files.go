package findings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// The rules about file modes and accounts.
var (
	setuidRule = &Rule{ID: "setuid-files", Category: Security, Severity: Info,
		Title: "setuid or setgid files",
		Hint: "Check that each one is needed; remove the bits from those that are not " +
			"(`RUN chmod a-s /path/to/file`, in the step that installs it).",
		References: refs("dockle CIS-DI-0008")}
	worldWritableRule = &Rule{ID: "world-writable", Category: Security, Severity: Medium,
		Title: "world-writable files or directories outside /tmp",
		Hint: "Give files the narrowest mode that works (`COPY --chmod=644`, `chmod o-w`); let only the user the container " +
			"runs as write where it must, e.g. `COPY --chown=app:app`."}
	emptyPasswordRule = &Rule{ID: "empty-password", Category: Security, Severity: High,
		Title:      "account with an empty password",
		Hint:       "Lock the account (`passwd -l NAME`, or put `!` or `*` in its /etc/shadow password field) in the step that creates it.",
		References: refs("dockle DKL-LI-0001")}
	duplicateIDsRule = &Rule{ID: "duplicate-ids", Category: Security, Severity: Medium,
		Title:      "several users or groups share one UID or GID",
		Hint:       "Give every user and group its own ID (`useradd -u`, `groupadd -g`); files owned by a shared ID belong to all of them.",
		References: refs("dockle DKL-LI-0002")}
)

// securityRules lists the security rules for the catalog.
var securityRules = []*Rule{rootUserRule, setuidRule, worldWritableRule, emptyPasswordRule, duplicateIDsRule, sudoRule}

// writableDirs may be world-writable.
var writableDirs = []string{"/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev"}

// addPaths records a finding that shows paths but costs no bytes.
func (r *run) addPaths(rule *Rule, layer int, entries []int32, evidence string) {
	c := r.add(rule, layer, entries, evidence)
	c.Bytes, c.entries = 0, nil
}

// checkFileModes reports setuid/setgid files and world-writable paths of
// the final filesystem, grouped by the layer that set them.
func checkFileModes(r *run) {
	if r.t == nil {
		return
	}
	t := r.t
	setuid := map[int][]int32{}
	writable := map[int][]int32{}
	for i := int32(0); i < int32(t.EntryCount()); i++ {
		e := t.Entry(i)
		if e.Shadowed() || e.Kind.IsMarker() || e.Kind == walk.Symlink || e.Kind == walk.HardLink {
			continue
		}
		if e.Kind == walk.File && e.Mode&0o6000 != 0 {
			setuid[int(e.Layer)] = append(setuid[int(e.Layer)], i)
		}
		if e.Mode&0o002 != 0 && !(e.Kind == walk.Dir && e.Mode&0o1000 != 0) && e.Kind != walk.CharDevice && e.Kind != walk.BlockDevice {
			p := t.Path(e.Node)
			if !slices.ContainsFunc(writableDirs, func(d string) bool { return p == d || strings.HasPrefix(p, d+"/") }) {
				writable[int(e.Layer)] = append(writable[int(e.Layer)], i)
			}
		}
	}
	for _, l := range sortedLayers(setuid) {
		r.addPaths(setuidRule, l, setuid[l], "")
	}
	for _, l := range sortedLayers(writable) {
		r.addPaths(worldWritableRule, l, writable[l], "")
	}
}

func sortedLayers(m map[int][]int32) []int {
	out := make([]int, 0, len(m))
	for l := range m {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// checkAccounts reads the final /etc/passwd, /etc/group and /etc/shadow for
// empty passwords and shared IDs.
func checkAccounts(r *run) {
	if r.t == nil {
		return
	}
	var empty []string
	var emptyEntries []int32
	emptyLayer := -1
	for _, p := range []string{"/etc/shadow", "/etc/passwd"} {
		idx := visibleFile(r.t, p)
		if idx < 0 {
			continue
		}
		l := int(r.t.Entry(idx).Layer)
		var names []string
		for _, a := range r.in.content(l).Accounts[p] {
			if a.EmptyPassword && !slices.Contains(empty, a.Name) {
				names = append(names, a.Name)
			}
		}
		if len(names) > 0 {
			empty = append(empty, names...)
			emptyEntries = append(emptyEntries, idx)
			if emptyLayer < 0 {
				emptyLayer = l
			}
		}
	}
	if len(empty) > 0 {
		r.addPaths(emptyPasswordRule, emptyLayer, emptyEntries, "accounts without a password: "+strings.Join(empty, ", "))
	}
	for _, p := range []string{"/etc/passwd", "/etc/group"} {
		idx := visibleFile(r.t, p)
		if idx < 0 {
			continue
		}
		l := int(r.t.Entry(idx).Layer)
		byID := map[int][]string{}
		for _, a := range r.in.content(l).Accounts[p] {
			if a.ID >= 0 {
				byID[a.ID] = append(byID[a.ID], a.Name)
			}
		}
		var dups []string
		for id, names := range byID {
			if len(names) > 1 {
				dups = append(dups, fmt.Sprintf("%d: %s", id, strings.Join(names, ", ")))
			}
		}
		if len(dups) == 0 {
			continue
		}
		slices.Sort(dups)
		what := "UID"
		if p == "/etc/group" {
			what = "GID"
		}
		r.addPaths(duplicateIDsRule, l, []int32{idx}, fmt.Sprintf("shared %s %s", what, strings.Join(dups, "; ")))
	}
}

// visibleFile returns the entry index of the file visible at p in the final
// filesystem, or -1.
func visibleFile(t *tree.Tree, p string) int32 {
	n, ok := t.Lookup(p)
	if !ok {
		return -1
	}
	return t.State(n, t.Layers()-1)
}
