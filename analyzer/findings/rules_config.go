package findings

import (
	"fmt"
	"strings"
)

// The rules about the image configuration and the reference analysed.
var (
	rootUserRule = &Rule{ID: "root-user", Category: Security, Severity: Medium,
		Title: "the container runs as root",
		Hint: "Create an unprivileged user and switch to it before CMD: `RUN useradd -r -u 10001 app` (Alpine: " +
			"`adduser -S -u 10001 app`) then `USER 10001`.",
		References: refs("dockle CIS-DI-0001", "hadolint DL3002", "Trivy DS-0002")}
	healthcheckRule = &Rule{ID: "no-healthcheck", Category: Config, Severity: Low,
		Title: "no HEALTHCHECK",
		Hint: "Add a HEALTHCHECK that proves the service answers, e.g. `HEALTHCHECK CMD [\"/app/healthcheck\"]` " +
			"or `HEALTHCHECK CMD wget -qO- http://localhost:8080/health || exit 1`.",
		References: refs("dockle CIS-DI-0006", "Trivy DS-0026")}
	shellFormRule = &Rule{ID: "shell-form-cmd", Category: Config, Severity: Medium,
		Title: "CMD or ENTRYPOINT in shell form: PID 1 is a shell that does not forward signals",
		Hint: "Use the exec (JSON) form, `CMD [\"python\", \"/app/app.py\"]`, so the program is PID 1 and receives SIGTERM; " +
			"if a shell is needed, end the script with `exec program`.",
		References: refs("hadolint DL3025")}
	latestRule = &Rule{ID: "latest-tag", Category: Config, Severity: Low,
		Title: "the image is referenced by :latest or by no tag",
		Hint: "Pin a version tag or a digest (`app:1.4.2`, `app@sha256:…`) in FROM lines and deployments, so that a build " +
			"or a rollout always gets the image that was tested.",
		References: refs("dockle DKL-DI-0006", "hadolint DL3007")}
	tooManyLayersRule = &Rule{ID: "too-many-layers", Category: Config, Severity: Low,
		Title: "more than 50 layers",
		Hint: "Merge consecutive RUN steps with `&&`, and COPY related files together; use a multi-stage build to ship only " +
			"the final files.",
		References: refs("slim ID.20020")}
)

// configRules lists the configuration rules for the catalog.
var configRules = []*Rule{healthcheckRule, shellFormRule, addRule, updateAloneRule, consecutiveRunsRule,
	tooManyLayersRule, fullBaseRule, latestRule}

// maxLayers is the layer count above which too-many-layers fires.
const maxLayers = 50

// checkConfig applies the rules on the image configuration and reference.
func checkConfig(r *run) {
	if n := len(r.in.Layers); n > maxLayers {
		r.add(tooManyLayersRule, -1, nil, fmt.Sprintf("%d layers", n))
	}
	if why := untaggedOrLatest(r.in); why != "" {
		r.add(latestRule, -1, nil, why)
	}
	if r.in.Config == nil {
		return
	}
	c := r.in.Config.Config
	if rootUser(c.User) {
		who := "no USER instruction: the default user is root"
		if c.User != "" {
			who = fmt.Sprintf("USER %s", c.User)
		}
		r.addStep(rootUserRule, r.lastStep("USER"), who)
	}
	if c.Healthcheck == nil || len(c.Healthcheck.Test) == 0 || c.Healthcheck.Test[0] == "NONE" {
		r.addStep(healthcheckRule, -1, "the image configuration has no HEALTHCHECK")
	}
	switch {
	case len(c.Entrypoint) > 0:
		if shellForm(c.Entrypoint) {
			r.addStep(shellFormRule, r.lastStep("ENTRYPOINT"), "ENTRYPOINT "+strings.Join(c.Entrypoint, " "))
		}
	case shellForm(c.Cmd):
		r.addStep(shellFormRule, r.lastStep("CMD"), "CMD "+strings.Join(c.Cmd, " "))
	}
}

// rootUser reports whether a USER value means root.
func rootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "" || name == "root" || name == "0"
}

// shellForm reports whether a command is the shell form ["/bin/sh", "-c",
// "…"] whose script does not exec the program.
func shellForm(cmd []string) bool {
	if len(cmd) < 3 || cmd[1] != "-c" {
		return false
	}
	switch cmd[0] {
	case "/bin/sh", "sh", "/bin/bash", "bash", "/bin/ash", "/usr/bin/env sh":
	default:
		return false
	}
	script := strings.TrimSpace(cmd[2])
	return !strings.HasPrefix(script, "exec ")
}

// untaggedOrLatest says why the analysed reference floats, or returns "".
// Archives and layouts on disk are not references to a moving tag.
func untaggedOrLatest(in *Input) string {
	switch in.Source {
	case "docker-archive", "oci", "oci-archive":
		return ""
	}
	ref := in.Reference
	for _, p := range []string{"docker://", "podman://", "registry://", "docker-daemon:", "docker-daemon://"} {
		ref = strings.TrimPrefix(ref, p)
	}
	if ref == "" || strings.Contains(ref, "@") || strings.HasPrefix(ref, "sha256:") || isHexID(ref) {
		return ""
	}
	slash := strings.LastIndexByte(ref, '/')
	colon := strings.LastIndexByte(ref, ':')
	switch {
	case colon <= slash:
		return fmt.Sprintf("%q has no tag, which means :latest", in.Reference)
	case ref[colon+1:] == "latest":
		return fmt.Sprintf("%q uses :latest", in.Reference)
	}
	return ""
}

// isHexID reports whether s looks like an image ID (12 or more hex digits).
func isHexID(s string) bool {
	if len(s) < 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}
