package findings

import (
	"fmt"
	"strings"
)

// The rules about the instructions recorded in the history.
var (
	addRule = &Rule{ID: "add-instead-of-copy", Category: Config, Severity: Low,
		Title: "ADD used where COPY serves",
		Hint: "Use COPY for files and directories; ADD only to extract a local tar archive. For URLs, download with " +
			"`curl -fsSL` in a RUN and check the checksum (or `ADD --checksum=…`).",
		References: refs("hadolint DL3020", "dockle CIS-DI-0009", "Trivy DS-0005")}
	updateAloneRule = &Rule{ID: "update-alone", Category: Config, Severity: Medium,
		Title: "package index update alone in a RUN (`apt-get update`, `apk update`)",
		Hint: "Update and install in the same RUN: `RUN apt-get update && apt-get install -y --no-install-recommends … " +
			"&& rm -rf /var/lib/apt/lists/*`. A separate update layer is cached and goes stale, and its index is stored for nothing.",
		References: refs("dockle CIS-DI-0007", "Trivy DS-0017")}
	sudoRule = &Rule{ID: "sudo", Category: Security, Severity: Medium,
		Title:      "sudo used in a RUN",
		Hint:       "Build steps already run as root (or as the USER you set): drop `sudo`, and switch users with USER instead.",
		References: refs("hadolint DL3004", "dockle DKL-DI-0001")}
	consecutiveRunsRule = &Rule{ID: "consecutive-runs", Category: Config, Severity: Info,
		Title:      "consecutive RUN instructions that could be one",
		Hint:       "Join them with `&&` into one RUN (one layer), which also lets each step clean up after the previous one.",
		References: refs("hadolint DL3059")}
)

// checkHistory applies the rules on the instructions of the user's layers.
func checkHistory(r *run) {
	for l, cmd := range r.cmds {
		if l < r.in.BaseLayers || cmd == nil {
			continue
		}
		if cmd.sudo() {
			r.add(sudoRule, l, nil, "")
		}
		if what := updateWithoutInstall(cmd); what != "" {
			r.add(updateAloneRule, l, nil, "`"+what+"` with no install or upgrade in the same RUN")
		}
	}
	for l, layer := range r.in.Layers {
		if l < r.in.BaseLayers || !hasKeyword(layer.Command, "ADD") {
			continue
		}
		if src := addSource(layer.Command); !archiveOrURL(src) {
			r.add(addRule, l, nil, "")
		}
	}
	checkConsecutiveRuns(r)
}

// updateWithoutInstall returns the update command of a RUN that updates a
// package index and installs nothing, or "".
func updateWithoutInstall(c *runCommand) string {
	update, install := "", false
	for _, w := range c.calls() {
		sub := w.Subcommand()
		switch w.Program() {
		case "apt-get", "apt", "aptitude":
			switch sub {
			case "update":
				update = w.Program() + " update"
			case "install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall", "satisfy":
				install = true
			}
		case "apk":
			switch sub {
			case "update":
				update = "apk update"
			case "add", "upgrade", "fix":
				install = true
			}
		}
	}
	if install {
		return ""
	}
	return update
}

// addSource returns the first source of an ADD instruction.
func addSource(instr string) string {
	f := strings.Fields(strings.TrimPrefix(instr, "ADD "))
	for _, w := range f {
		if !strings.HasPrefix(w, "--") {
			return w
		}
	}
	return ""
}

// archiveOrURL reports whether an ADD source is a URL or a local archive,
// the two cases where ADD does something COPY does not.
func archiveOrURL(src string) bool {
	if strings.Contains(src, "://") {
		return true
	}
	for _, e := range archiveExts {
		if strings.HasSuffix(src, e) && e != ".zip" {
			return true
		}
	}
	return false
}

// checkConsecutiveRuns reports each run of two or more RUN steps in a row in
// the user's layers.
func checkConsecutiveRuns(r *run) {
	var group []int // steps
	flush := func() {
		if len(group) > 1 {
			var layers []int
			for _, s := range group {
				layers = append(layers, r.steps[s].Layer)
			}
			c := r.add(consecutiveRunsRule, layers[0], nil, fmt.Sprintf("%d RUN steps in a row: %s", len(group), layerList(layers)))
			c.Step = group[0]
		}
		group = group[:0]
	}
	for i, s := range r.steps {
		if s.Layer >= r.in.BaseLayers && hasKeyword(s.Instruction, "RUN") {
			group = append(group, i)
			continue
		}
		flush()
	}
	flush()
}
