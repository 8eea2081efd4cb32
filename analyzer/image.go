package analyzer

import (
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ImageInfo says which image was analysed and how it is configured.
type ImageInfo struct {
	// Reference is the argument as the user gave it.
	Reference string `json:"reference"`
	// Source is where the image was read from (docker, registry, oci, ...).
	Source string `json:"source"`
	// Name is the resolved name, tag or path.
	Name string `json:"name,omitempty"`
	// Digest is the manifest digest, or the image ID when there is none.
	Digest string `json:"digest,omitempty"`
	// Platform is os/arch[/variant].
	Platform string `json:"platform,omitempty"`
	// Config summarises the image configuration.
	Config ConfigSummary `json:"config"`
}

// ConfigSummary is the part of the image configuration users look at.
// Environment values whose names look secret are masked.
type ConfigSummary struct {
	Created      string            `json:"created,omitempty"`
	User         string            `json:"user"`
	WorkingDir   string            `json:"workingDir,omitempty"`
	Entrypoint   []string          `json:"entrypoint,omitempty"`
	Cmd          []string          `json:"cmd,omitempty"`
	Shell        []string          `json:"shell,omitempty"`
	Env          []string          `json:"env,omitempty"`
	ExposedPorts []string          `json:"exposedPorts,omitempty"`
	Volumes      []string          `json:"volumes,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Healthcheck  []string          `json:"healthcheck,omitempty"`
	StopSignal   string            `json:"stopSignal,omitempty"`
}

// summarizeConfig extracts the ConfigSummary of a config file.
func summarizeConfig(cfg *v1.ConfigFile) ConfigSummary {
	if cfg == nil {
		return ConfigSummary{}
	}
	c := cfg.Config
	s := ConfigSummary{
		User: c.User, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint, Cmd: c.Cmd,
		Shell: c.Shell, Labels: c.Labels, StopSignal: c.StopSignal,
	}
	if !cfg.Created.IsZero() {
		s.Created = cfg.Created.UTC().Format("2006-01-02T15:04:05Z")
	}
	for _, kv := range c.Env {
		s.Env = append(s.Env, MaskEnv(kv))
	}
	for p := range c.ExposedPorts {
		s.ExposedPorts = append(s.ExposedPorts, p)
	}
	slices.Sort(s.ExposedPorts)
	for v := range c.Volumes {
		s.Volumes = append(s.Volumes, v)
	}
	slices.Sort(s.Volumes)
	if c.Healthcheck != nil {
		s.Healthcheck = c.Healthcheck.Test
	}
	return s
}

// secretTokens are the name tokens that make a variable secret-looking.
var secretTokens = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "secret": true, "token": true,
	"apikey": true, "key": true, "credential": true, "credentials": true, "auth": true,
	"private": true, "privatekey": true, "accesskey": true, "secretkey": true, "cert": true,
}

// SecretName reports whether a variable name looks like it holds a secret,
// matching whole tokens ("API_KEY", "dbPassword") rather than substrings
// ("KEYBOARD", "PASSAGE").
func SecretName(name string) bool {
	for _, tok := range nameTokens(name) {
		if secretTokens[tok] {
			return true
		}
	}
	return false
}

// nameTokens splits a name at '_', '-', '.' and lower-to-upper case changes.
func nameTokens(name string) []string {
	var toks []string
	start := 0
	flush := func(end int) {
		if end > start {
			toks = append(toks, strings.ToLower(name[start:end]))
		}
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case ch == '_' || ch == '-' || ch == '.':
			flush(i)
			start = i + 1
		case i > start && ch >= 'A' && ch <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z':
			flush(i)
			start = i
		}
	}
	flush(len(name))
	return toks
}

// MaskEnv masks the value of a NAME=VALUE pair whose name looks secret.
func MaskEnv(kv string) string {
	name, value, ok := strings.Cut(kv, "=")
	if !ok || value == "" || !SecretName(name) {
		return kv
	}
	return name + "=" + MaskValue(value)
}

// MaskValue returns a preview of a secret that never shows it whole: at most
// its first 3 characters (none for short values) followed by asterisks.
func MaskValue(v string) string {
	if len(v) < 12 {
		return "********"
	}
	return v[:3] + "********"
}
