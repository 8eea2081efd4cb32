package compare

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
)

// ConfigChange is one configuration setting that differs. Env and label
// changes are one per variable or label (Key names it); lists (cmd,
// entrypoint, shell, healthcheck) are shown as JSON arrays.
type ConfigChange struct {
	// Field is user, workingDir, entrypoint, cmd, shell, env, exposedPorts,
	// volumes, labels, healthcheck, stopSignal, os, architecture or variant.
	Field string `json:"field"`
	// Key is the variable, label, port or volume for the fields that hold
	// several.
	Key string `json:"key,omitempty"`
	// Old and New are the values; empty where absent.
	Old string `json:"old"`
	New string `json:"new"`
	// Change is added, removed or changed.
	Change string `json:"change"`
	// Masked is true when the values of a secret-looking variable differ
	// but are shown masked.
	Masked bool `json:"masked,omitempty"`
}

// compareConfig lists the configuration changes. Env values whose name
// looks secret are compared whole but shown masked.
func compareConfig(old, new *analyzer.Analysis) []ConfigChange {
	co, cn := configOf(old.Config), configOf(new.Config)
	var out []ConfigChange
	// addShown compares the raw values o and n and shows them as so and sn
	// (masked): a change hidden by the mask is marked masked.
	addShown := func(field, key, o, n, so, sn string) {
		if o == n {
			return
		}
		c := ConfigChange{Field: field, Key: key, Old: so, New: sn, Change: "changed"}
		switch {
		case o == "":
			c.Change = "added"
		case n == "":
			c.Change = "removed"
		case so == sn:
			c.Masked = true
		}
		out = append(out, c)
	}
	add := func(field, key, o, n string) { addShown(field, key, o, n, findings.MaskText(o), findings.MaskText(n)) }
	args := func(field string, o, n []string) {
		addShown(field, "", list(o), list(n), list(findings.MaskArgs(o)), list(findings.MaskArgs(n)))
	}
	add("user", "", co.Config.User, cn.Config.User)
	add("workingDir", "", co.Config.WorkingDir, cn.Config.WorkingDir)
	args("entrypoint", co.Config.Entrypoint, cn.Config.Entrypoint)
	args("cmd", co.Config.Cmd, cn.Config.Cmd)
	args("shell", co.Config.Shell, cn.Config.Shell)
	addShown("healthcheck", "", healthcheck(co.Config.Healthcheck, false), healthcheck(cn.Config.Healthcheck, false),
		healthcheck(co.Config.Healthcheck, true), healthcheck(cn.Config.Healthcheck, true))
	add("stopSignal", "", co.Config.StopSignal, cn.Config.StopSignal)
	add("os", "", co.OS, cn.OS)
	add("architecture", "", co.Architecture, cn.Architecture)
	add("variant", "", co.Variant, cn.Variant)

	eo, en := envMap(co.Config.Env), envMap(cn.Config.Env)
	for _, k := range unionKeys(eo, en) {
		o, okO := eo[k]
		n, okN := en[k]
		if okO && okN && o == n {
			continue
		}
		c := ConfigChange{Field: "env", Key: k, Change: "changed"}
		if okO {
			c.Old = maskedValue(k, o)
		}
		if okN {
			c.New = maskedValue(k, n)
		}
		switch {
		case !okO:
			c.Change = "added"
		case !okN:
			c.Change = "removed"
		case c.Old == c.New:
			c.Masked = true
		}
		out = append(out, c)
	}
	lo, ln := co.Config.Labels, cn.Config.Labels
	for _, k := range unionKeys(lo, ln) {
		o, okO := lo[k]
		n, okN := ln[k]
		if okO && okN && o == n {
			continue
		}
		c := ConfigChange{Field: "labels", Key: k, Change: "changed"}
		if okO {
			c.Old = findings.MaskLabel(k, o)
		}
		if okN {
			c.New = findings.MaskLabel(k, n)
		}
		switch {
		case !okO:
			c.Change = "added"
		case !okN:
			c.Change = "removed"
		case c.Old == c.New:
			c.Masked = true
		}
		out = append(out, c)
	}
	out = append(out, setChanges("exposedPorts", co.Config.ExposedPorts, cn.Config.ExposedPorts)...)
	out = append(out, setChanges("volumes", co.Config.Volumes, cn.Config.Volumes)...)
	if out == nil {
		out = []ConfigChange{}
	}
	return out
}

func configOf(c *v1.ConfigFile) *v1.ConfigFile {
	if c == nil {
		return &v1.ConfigFile{}
	}
	return c
}

// maskedValue is an env value as it may be shown.
func maskedValue(name, value string) string {
	_, v, _ := strings.Cut(findings.MaskEnv(name+"="+value), "=")
	return v
}

func list(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// healthcheck is a health check as one line, its test masked with mask.
func healthcheck(h *v1.HealthConfig, mask bool) string {
	if h == nil || len(h.Test) == 0 {
		return ""
	}
	test := h.Test
	if mask {
		test = findings.MaskArgs(test)
	}
	s := list(test)
	var opts []string
	for _, o := range []struct {
		name string
		d    time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start-period", h.StartPeriod}} {
		if o.d != 0 {
			opts = append(opts, fmt.Sprintf("%s=%s", o.name, o.d))
		}
	}
	if h.Retries != 0 {
		opts = append(opts, fmt.Sprintf("retries=%d", h.Retries))
	}
	if len(opts) > 0 {
		s += " (" + strings.Join(opts, ", ") + ")"
	}
	return s
}

// envMap reads NAME=VALUE pairs; the last one of a name wins.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// setChanges lists the members added to or removed from a set setting.
func setChanges(field string, o, n map[string]struct{}) []ConfigChange {
	var out []ConfigChange
	for _, k := range unionKeys(o, n) {
		_, okO := o[k]
		_, okN := n[k]
		switch {
		case okO && !okN:
			out = append(out, ConfigChange{Field: field, Key: k, Old: k, Change: "removed"})
		case okN && !okO:
			out = append(out, ConfigChange{Field: field, Key: k, New: k, Change: "added"})
		}
	}
	return out
}
