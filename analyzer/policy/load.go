package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/glob"
	"github.com/stratascan/strata/analyzer/inputfile"
	yaml "go.yaml.in/yaml/v3"
)

// The files the configuration is looked up in, besides --config.
const (
	// LocalFile is the project's policy, in the working directory.
	LocalFile = ".strata.yaml"
	// DiveFile is dive's CI rules file, in the working directory.
	DiveFile = ".dive-ci"
)

// Env is what the configuration lookup reads from its surroundings.
type Env struct {
	// Dir is the working directory ("" for the process's).
	Dir string
	// Getenv reads an environment variable (os.Getenv when nil).
	Getenv func(string) string
}

// Locate finds the configuration file: explicit when given, else
// ./.strata.yaml, else $XDG_CONFIG_HOME/strata/config.yaml (~/.config when
// XDG_CONFIG_HOME is unset), else ./.dive-ci read with dive's meaning. It
// returns "" and FormatDefault when there is none.
func Locate(explicit string, env Env) (string, Format, error) {
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if explicit != "" {
		st, err := os.Stat(explicit)
		if err != nil {
			return "", "", &ConfigError{File: explicit, Err: fmt.Errorf("cannot read the configuration: %w", unwrapPath(err))}
		}
		if st.IsDir() {
			return "", "", &ConfigError{File: explicit, Err: errors.New("is a directory, not a configuration file")}
		}
		return explicit, sniffFormat(explicit), nil
	}
	var candidates []string
	for _, name := range []string{LocalFile, ".strata.yml"} {
		candidates = append(candidates, filepath.Join(env.Dir, name))
	}
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" {
		candidates = append(candidates, filepath.Join(xdg, "strata", "config.yaml"))
	} else if home := getenv("HOME"); home != "" {
		candidates = append(candidates, filepath.Join(home, ".config", "strata", "config.yaml"))
	}
	for _, c := range candidates {
		if regular(c) {
			return c, FormatStrata, nil
		}
	}
	if c := filepath.Join(env.Dir, DiveFile); regular(c) {
		return c, FormatDive, nil
	}
	return "", FormatDefault, nil
}

// regular reports whether path is an existing file (not a directory).
func regular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// unwrapPath drops the *fs.PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sniffFormat tells a dive file from a strata one: by its name (.dive-ci,
// dive-ci.yaml, ...) or by dive's threshold keys under "rules:".
func sniffFormat(path string) Format {
	if strings.Contains(strings.ToLower(filepath.Base(path)), "dive") {
		return FormatDive
	}
	data, err := inputfile.ReadFile(path, inputfile.MaxConfig)
	if err != nil {
		return FormatStrata
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return FormatStrata
	}
	root := mappingOf(&doc)
	if root == nil {
		return FormatStrata
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != KeyRules || root.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		rules := root.Content[i+1]
		for j := 0; j < len(rules.Content); j += 2 {
			if _, ok := diveKeys[rules.Content[j].Value]; ok {
				return FormatDive
			}
		}
	}
	return FormatStrata
}

// Load reads a configuration file of the given format.
func Load(path string, format Format) (Config, error) {
	if format == FormatDefault || path == "" {
		return Default(), nil
	}
	data, err := inputfile.ReadFile(path, inputfile.MaxConfig)
	if err != nil {
		return Config{}, &ConfigError{File: path, Err: fmt.Errorf("cannot read the configuration: %w", unwrapPath(err))}
	}
	if format == FormatDive {
		return ParseDive(data, path)
	}
	return ParseStrata(data, path)
}

// strataKeys are the keys a .strata.yaml may hold.
var strataKeys = []string{
	KeyLowestEfficiency, KeyHighestWastedBytes, KeyHighestUserWastedPercent, KeyMaxImageBytes,
	KeyMaxLayers, KeyFailOn, KeyRules, KeyIgnorePaths, KeyMetrics, KeyDockerfile,
}

// ParseStrata reads a .strata.yaml. Every key must be known: an unknown or
// misspelt key is an error naming the file, the line and the key.
func ParseStrata(data []byte, file string) (Config, error) {
	c := Default()
	c.Path, c.Format = file, FormatStrata
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, &ConfigError{File: file, Err: fmt.Errorf("not valid YAML: %w", yamlCause(err))}
	}
	if doc.Kind == 0 {
		return c, nil // an empty file: the defaults
	}
	root := mappingOf(&doc)
	if root == nil {
		return Config{}, &ConfigError{File: file, Line: doc.Line, Err: errors.New("want a mapping of policy keys (e.g. lowest-efficiency: 0.9)")}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		fail := func(err error) error { return &ConfigError{File: file, Line: k.Line, Key: k.Value, Err: err} }
		if seen[k.Value] {
			return Config{}, fail(errors.New("given twice"))
		}
		seen[k.Value] = true
		switch k.Value {
		case KeyRules:
			rules, err := parseRules(v, file, k.Value)
			if err != nil {
				return Config{}, err
			}
			c.Rules = rules
		case KeyDockerfile:
			d, err := parseDockerfile(v, file)
			if err != nil {
				return Config{}, fail(err)
			}
			c.Dockerfile = d
		case KeyIgnorePaths:
			globs, err := parseGlobs(v)
			if err != nil {
				return Config{}, fail(err)
			}
			c.IgnorePaths = globs
		default:
			if !slices.Contains(strataKeys, k.Value) {
				return Config{}, fail(unknownKey(k.Value))
			}
			s, err := scalar(v)
			if err != nil {
				return Config{}, fail(err)
			}
			if err := c.Set(k.Value, s); err != nil {
				return Config{}, &ConfigError{File: file, Line: v.Line, Key: k.Value, Err: err}
			}
		}
	}
	return c, nil
}

// parseDockerfile reads "dockerfile: PATH" or "dockerfile: {path: PATH,
// target: STAGE, build-args: {NAME: value}}". A relative path is read from
// the configuration file's directory.
func parseDockerfile(n *yaml.Node, file string) (DockerfileConfig, error) {
	var d DockerfileConfig
	if n.Kind == yaml.ScalarNode {
		p, err := scalar(n)
		if err != nil {
			return d, err
		}
		d.Path = p
	} else {
		m := mappingOf(n)
		if m == nil {
			return d, errors.New("want a path, or a mapping with path, target and build-args")
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			switch k.Value {
			case "path", "target":
				s, err := scalar(v)
				if err != nil {
					return d, fmt.Errorf("%s: %w", k.Value, err)
				}
				if k.Value == "path" {
					d.Path = s
				} else {
					d.Target = s
				}
			case "build-args":
				args := mappingOf(v)
				if args == nil {
					return d, errors.New("build-args: want a mapping of NAME: value")
				}
				d.BuildArgs = map[string]string{}
				for j := 0; j+1 < len(args.Content); j += 2 {
					s, err := scalar(args.Content[j+1])
					if err != nil {
						return d, fmt.Errorf("build-args: %s: %w", args.Content[j].Value, err)
					}
					d.BuildArgs[args.Content[j].Value] = s
				}
			default:
				return d, fmt.Errorf("unknown key %q (known: path, target, build-args)", k.Value)
			}
		}
	}
	if d.Path == "" {
		return d, errors.New("no path")
	}
	if !filepath.IsAbs(d.Path) {
		d.Path = filepath.Join(filepath.Dir(file), d.Path)
	}
	return d, nil
}

// unknownKey explains an unknown key, suggesting the kebab-case name when
// the key is one of dive's camelCase ones.
func unknownKey(key string) error {
	if kebab, ok := diveKeys[key]; ok && kebab != key {
		return fmt.Errorf("unknown key (did you mean %s? .strata.yaml uses kebab-case keys)", kebab)
	}
	return fmt.Errorf("unknown key (known keys: %s)", strings.Join(strataKeys, ", "))
}

// parseRules reads the rules mapping: RULE: off | SEVERITY.
func parseRules(n *yaml.Node, file, key string) (map[string]RuleOverride, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, &ConfigError{File: file, Line: n.Line, Key: key, Err: errors.New("want a mapping of rule names to off or a severity (e.g. apt-lists: off)")}
	}
	out := map[string]RuleOverride{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := key + "." + k.Value
		if _, dup := out[k.Value]; dup {
			return nil, &ConfigError{File: file, Line: k.Line, Key: name, Err: errors.New("given twice")}
		}
		s, err := scalar(v)
		if err != nil {
			return nil, &ConfigError{File: file, Line: v.Line, Key: name, Err: err}
		}
		if v.Tag == "!!bool" && strings.EqualFold(s, "true") {
			return nil, &ConfigError{File: file, Line: v.Line, Key: name, Err: errors.New("unknown setting \"true\" (use off or a severity: info, low, medium, high, critical)")}
		}
		if _, known := findings.RuleByID(k.Value); !known {
			return nil, &ConfigError{File: file, Line: k.Line, Key: name, Err: errors.New("unknown rule (docs/rules.md lists the rules)")}
		}
		o, err := ParseRuleOverride(s)
		if err != nil {
			return nil, &ConfigError{File: file, Line: v.Line, Key: name, Err: err}
		}
		out[k.Value] = o
	}
	return out, nil
}

// parseGlobs reads ignore-paths: a list of globs, or one glob.
func parseGlobs(n *yaml.Node) ([]string, error) {
	var items []*yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return nil, nil
	case n.Kind == yaml.ScalarNode:
		items = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		items = n.Content
	default:
		return nil, errors.New("want a list of path globs (e.g. [\"/usr/share/doc/**\"])")
	}
	var globs []string
	for _, it := range items {
		s, err := scalar(it)
		if err != nil || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("line %d: want a path glob (e.g. /usr/share/doc/**)", it.Line)
		}
		if err := glob.Valid(s); err != nil {
			return nil, fmt.Errorf("line %d: %w", it.Line, err)
		}
		globs = append(globs, s)
	}
	return globs, nil
}

// scalar returns a scalar node's text ("" for null); other nodes are errors.
func scalar(n *yaml.Node) (string, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return "", errors.New("want a single value, not a list or a mapping")
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

// mappingOf returns the top-level mapping of a document, or nil.
func mappingOf(doc *yaml.Node) *yaml.Node {
	n := doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// yamlCause shortens the YAML library's messages ("yaml: line 3: ...").
func yamlCause(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return errors.New(msg)
}
