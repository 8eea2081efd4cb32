package findings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/walk"
)

// secretRefs are the references of the file secret rules.
var secretRefs = refs("dockle CIS-DI-0010", "Trivy secret scanning")

// The secret rules. Their findings show the kind of secret and a masked
// preview, never the value.
var (
	privateKeyRule = &Rule{ID: RulePrivateKey, Category: Secret, Severity: Critical,
		Title: "private key stored in the image",
		Hint: "Never COPY or generate private keys in a build: mount them for the one step that needs them " +
			"(`RUN --mount=type=ssh …` or `RUN --mount=type=secret,id=key …`). A later `rm` does not help: the key stays " +
			"readable in the layer that added it. Rotate the key.",
		References: secretRefs}
	cloudRule = &Rule{ID: RuleCloudCredentials, Category: Secret, Severity: Critical,
		Title: "cloud credentials (AWS keys, GCP service-account key) stored in the image",
		Hint: "Give the container credentials at run time (workload identity, instance roles, a secret store), and mount " +
			"build-time ones for a single step (`RUN --mount=type=secret,id=aws,target=/root/.aws/credentials …`). Revoke the exposed keys.",
		References: secretRefs}
	tokenRule = &Rule{ID: RuleAPIToken, Category: Secret, Severity: High,
		Title: "API token (GitHub, GitLab, Slack, OpenAI, Stripe, npm) stored in the image",
		Hint: "Keep tokens out of the files you COPY (.dockerignore) and out of the build: use `RUN --mount=type=secret,id=token …` " +
			"and inject run-time tokens when the container starts. Revoke the exposed token.",
		References: secretRefs}
	credFileRule = &Rule{ID: RuleCredentialsFile, Category: Secret, Severity: High,
		Title: "credentials file (.npmrc, .pypirc, .netrc, .git-credentials, Docker config.json, kubeconfig) with a secret",
		Hint: "List the file in .dockerignore and mount it only for the step that needs it, e.g. " +
			"`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`. Revoke the exposed credential.",
		References: secretRefs}
	envFileRule = &Rule{ID: RuleEnvFile, Category: Secret, Severity: High,
		Title: ".env file with secrets stored in the image",
		Hint: "Add `.env` (and `.env.*`) to .dockerignore and pass the values when the container starts " +
			"(`docker run --env-file`, orchestrator secrets). Rotate the exposed values.",
		References: secretRefs}
	secretEnvRule = &Rule{ID: "secret-env", Category: Secret, Severity: High,
		Title: "secret-looking value in ENV or ARG (kept in the image config and history)",
		Hint: "Do not pass secrets with ENV or ARG: both are recorded in the image. Use `RUN --mount=type=secret,id=…` for " +
			"build-time secrets and inject run-time secrets when the container starts. Rotate the exposed value.",
		References: refs("Trivy DS-0031", "hadolint DL3064", "dockle CIS-DI-0010")}
)

// secretRules lists the secret rules for the catalog.
var secretRules = []*Rule{privateKeyRule, cloudRule, tokenRule, credFileRule, envFileRule, secretEnvRule}

var secretRuleByID = map[string]*Rule{
	RulePrivateKey: privateKeyRule, RuleCloudCredentials: cloudRule, RuleAPIToken: tokenRule,
	RuleCredentialsFile: credFileRule, RuleEnvFile: envFileRule,
}

// checkFileSecrets reports the secrets the walk found in files, in every
// layer, including files a later layer deleted (they are still in the
// image). One finding per rule and path, at the first layer that holds it.
func checkFileSecrets(r *run) {
	if r.t == nil {
		return
	}
	type group struct {
		rule    string
		path    string
		layers  []int
		entries []int32
		kinds   []string
		sev     Severity
	}
	groups := map[[2]string]*group{}
	var order []*group
	for l := range r.in.Layers {
		for _, h := range r.in.content(l).Secrets {
			k := [2]string{h.Rule, h.Path}
			g := groups[k]
			if g == nil {
				g = &group{rule: h.Rule, path: h.Path, sev: h.Severity}
				groups[k] = g
				order = append(order, g)
			}
			if !slices.Contains(g.layers, l) {
				g.layers = append(g.layers, l)
				if i := r.lastEntryIn(h.Path, l); i >= 0 {
					g.entries = append(g.entries, i)
				}
			}
			if kind := h.Kind + ": " + h.Preview; !slices.Contains(g.kinds, kind) {
				g.kinds = append(g.kinds, kind)
			}
			g.sev = max(g.sev, h.Severity)
		}
	}
	for _, g := range order {
		rule := secretRuleByID[g.rule]
		if rule == nil {
			continue
		}
		ev := strings.Join(g.kinds, "; ")
		if len(g.layers) > 1 {
			ev += "; also in " + layerList(g.layers[1:])
		}
		if len(g.entries) > 0 {
			if e := r.t.Entry(g.entries[len(g.entries)-1]); e.Shadowed() && r.t.State(e.Node, r.t.Layers()-1) < 0 {
				ev += fmt.Sprintf("; deleted by layer %d, but still readable in layer %d", e.HiddenBy, e.Layer)
			}
		}
		c := r.add(rule, g.layers[0], g.entries, ev)
		c.Severity = g.sev
	}
}

// lastEntryIn returns the index of the last regular-file entry at path p in
// layer l, or -1.
func (r *run) lastEntryIn(p string, l int) int32 {
	n, ok := r.t.Lookup(p)
	if !ok {
		return -1
	}
	hist := r.t.History(n)
	for k := len(hist) - 1; k >= 0; k-- {
		if int(hist[k].Layer) == l && hist[k].Kind == walk.File {
			return r.entryIndex(n, k)
		}
	}
	return -1
}

// checkSecretEnv reports ENV and ARG values (in the history and the final
// configuration) and build arguments of RUN steps whose names look secret.
func checkSecretEnv(r *run) {
	hist := r.in.history()
	offset := len(r.steps) - len(hist)
	seen := map[string]bool{}
	for j, h := range hist {
		step := offset + j
		for _, kv := range secretAssignments(h.CreatedBy) {
			name, value, _ := strings.Cut(kv, "=")
			if seen[name+"="+value] {
				continue
			}
			seen[name+"="+value] = true
			r.addStep(secretEnvRule, step, fmt.Sprintf("%s=%s (%s)", name, MaskValue(value), kindOfStep(r.steps[step].Instruction)))
		}
	}
	if r.in.Config == nil {
		return
	}
	for _, kv := range r.in.Config.Config.Env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || seen[name+"="+value] || !SecretName(name) || !plausibleSecret(value) {
			continue
		}
		seen[name+"="+value] = true
		r.addStep(secretEnvRule, r.lastStep("ENV"), fmt.Sprintf("%s=%s (image configuration)", name, MaskValue(value)))
	}
}

// addStep records a finding about a history step (or the whole image when
// step is -1).
func (r *run) addStep(rule *Rule, step int, evidence string) *candidate {
	layer := -1
	if step >= 0 && step < len(r.steps) {
		layer = r.steps[step].Layer
	}
	c := r.add(rule, layer, nil, evidence)
	c.Step = step
	if step >= 0 && step < len(r.steps) {
		c.Instruction = r.steps[step].Instruction
	}
	return c
}

// kindOfStep names the instruction that carries an assignment.
func kindOfStep(instr string) string {
	switch {
	case hasKeyword(instr, "ENV"):
		return "ENV"
	case hasKeyword(instr, "ARG"):
		return "ARG"
	}
	return "build argument"
}

// secretAssignments returns the NAME=VALUE pairs of a history entry that look
// secret: those of ENV and ARG, and the build arguments of a RUN
// ("|2 A=b C=d /bin/sh -c …").
func secretAssignments(createdBy string) []string {
	instr := Instruction(createdBy)
	var words []string
	switch {
	case hasKeyword(instr, "ENV"), hasKeyword(instr, "ARG"):
		rest := strings.TrimSpace(instr[4:])
		if name, value, ok := strings.Cut(rest, " "); ok && !strings.Contains(name, "=") {
			words = []string{name + "=" + strings.TrimSpace(value)} // legacy "ENV NAME VALUE"
		} else {
			words = assignmentWords(rest)
		}
	default:
		s := strings.TrimPrefix(strings.TrimSpace(createdBy), "RUN ")
		if rest, ok := strings.CutPrefix(s, "|"); ok {
			if i := strings.Index(rest, " /bin/sh -c "); i >= 0 {
				if _, args, ok := strings.Cut(rest[:i], " "); ok {
					words = assignmentWords(args)
				}
			}
		}
	}
	var out []string
	for _, w := range words {
		name, value, ok := strings.Cut(w, "=")
		if ok && SecretName(name) && plausibleSecret(value) {
			out = append(out, name+"="+value)
		}
	}
	return out
}

// assignmentWords splits "A=1 B=\"two words\"" into "A=1", "B=two words".
func assignmentWords(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		sp := strings.IndexByte(s, ' ')
		if eq < 0 || (sp >= 0 && sp < eq) {
			if sp < 0 {
				break
			}
			s = s[sp+1:]
			continue
		}
		vs, ve := valueSpan(s, eq+1)
		out = append(out, s[:eq]+"="+strings.Trim(s[vs:ve], `"'`))
		s = s[ve:]
	}
	return out
}
