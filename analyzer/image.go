package analyzer

import (
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/analyzer/findings"
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
		User: c.User, WorkingDir: c.WorkingDir, Entrypoint: findings.MaskArgs(c.Entrypoint),
		Cmd: findings.MaskArgs(c.Cmd), Shell: findings.MaskArgs(c.Shell), StopSignal: c.StopSignal,
	}
	if c.Labels != nil {
		s.Labels = make(map[string]string, len(c.Labels))
		for k, v := range c.Labels {
			s.Labels[k] = findings.MaskLabel(k, v)
		}
	}
	if !cfg.Created.IsZero() {
		s.Created = cfg.Created.UTC().Format("2006-01-02T15:04:05Z")
	}
	for _, kv := range c.Env {
		s.Env = append(s.Env, findings.MaskEnv(kv))
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
		s.Healthcheck = findings.MaskArgs(c.Healthcheck.Test)
	}
	return s
}
