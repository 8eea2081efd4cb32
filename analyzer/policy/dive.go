package policy

import (
	"errors"
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// diveKeys maps each spelling of dive's three rules (the legacy camelCase of
// .dive-ci and the kebab-case of dive's config file) to strata's key.
var diveKeys = map[string]string{
	"lowestEfficiency":          KeyLowestEfficiency,
	"highestWastedBytes":        KeyHighestWastedBytes,
	"highestUserWastedPercent":  KeyHighestUserWastedPercent,
	KeyLowestEfficiency:         KeyLowestEfficiency,
	KeyHighestWastedBytes:       KeyHighestWastedBytes,
	KeyHighestUserWastedPercent: KeyHighestUserWastedPercent,
}

// DiveName returns dive's name of one of its three rules ("lowestEfficiency"),
// or "" for a check dive does not have.
func DiveName(key string) string {
	switch key {
	case KeyLowestEfficiency:
		return "lowestEfficiency"
	case KeyHighestWastedBytes:
		return "highestWastedBytes"
	case KeyHighestUserWastedPercent:
		return "highestUserWastedPercent"
	}
	return ""
}

// ParseDive reads dive's .dive-ci with dive's meaning: the three thresholds
// under "rules:" (camelCase or kebab-case), each a value or "disabled" (also
// "off", "false" or empty); sizes are humanized ("20MB"); ratios outside 0..1
// and values that do not parse are errors; unknown keys are ignored, as dive
// ignores them. Rules left out keep dive's defaults. The thresholds are
// evaluated on the dive-compatible metrics.
func ParseDive(data []byte, file string) (Config, error) {
	c := DiveDefault()
	c.Path = file
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, &ConfigError{File: file, Err: fmt.Errorf("not valid YAML: %w", yamlCause(err))}
	}
	if doc.Kind == 0 {
		return c, nil
	}
	root := mappingOf(&doc)
	if root == nil {
		return Config{}, &ConfigError{File: file, Line: doc.Line, Err: errors.New("want a mapping with a rules: section")}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != KeyRules {
			continue // dive ignores what it does not know (plugins:, ...)
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.MappingNode {
			return Config{}, &ConfigError{File: file, Line: v.Line, Key: KeyRules, Err: errors.New("want a mapping of rules (e.g. lowestEfficiency: 0.95)")}
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j], v.Content[j+1]
			key, ok := diveKeys[rk.Value]
			if !ok {
				continue
			}
			name := KeyRules + "." + rk.Value
			s, err := scalar(rv)
			if err != nil {
				return Config{}, &ConfigError{File: file, Line: rv.Line, Key: name, Err: err}
			}
			if err := c.Set(key, s); err != nil {
				return Config{}, &ConfigError{File: file, Line: rv.Line, Key: name, Err: err}
			}
		}
	}
	return c, nil
}
