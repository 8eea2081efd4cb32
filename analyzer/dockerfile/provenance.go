package dockerfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The provenance formats BuildKit writes (docs/attestations/slsa-definitions
// in BuildKit): an in-toto statement whose SLSA predicate embeds, in mode=max,
// the Dockerfile and the build's frontend arguments.
const (
	predicateSLSA02 = "https://slsa.dev/provenance/v0.2"
	predicateSLSA1  = "https://slsa.dev/provenance/v1"
)

// sourceInfo is one source file recorded in the provenance metadata.
type sourceInfo struct {
	Filename string `json:"filename"`
	Language string `json:"language"`
	Data     []byte `json:"data"` // base64 in the JSON
}

// buildkitMetadata is the BuildKit part of the provenance metadata.
type buildkitMetadata struct {
	Source *struct {
		Infos []sourceInfo `json:"infos"`
	} `json:"source"`
}

// statement is the part of an in-toto statement read here, for both SLSA
// versions.
type statement struct {
	PredicateType string `json:"predicateType"`
	Predicate     struct {
		// SLSA v0.2
		Invocation struct {
			ConfigSource struct {
				EntryPoint string `json:"entryPoint"`
			} `json:"configSource"`
			Parameters struct {
				Args map[string]string `json:"args"`
			} `json:"parameters"`
		} `json:"invocation"`
		Metadata struct {
			BuildKit buildkitMetadata `json:"https://mobyproject.org/buildkit@v1#metadata"`
		} `json:"metadata"`
		// SLSA v1
		BuildDefinition struct {
			ExternalParameters struct {
				ConfigSource struct {
					Path string `json:"path"`
				} `json:"configSource"`
				Request struct {
					Args map[string]string `json:"args"`
				} `json:"request"`
			} `json:"externalParameters"`
		} `json:"buildDefinition"`
		RunDetails struct {
			Metadata struct {
				BuildKit buildkitMetadata `json:"buildkit_metadata"`
			} `json:"metadata"`
		} `json:"runDetails"`
	} `json:"predicate"`
}

// ErrNoDockerfile says that a provenance statement does not embed the
// Dockerfile (it was recorded with mode=min).
var ErrNoDockerfile = errors.New("the provenance does not embed the Dockerfile (it needs --provenance=mode=max)")

// FromProvenance reads the Dockerfile, the target and the build arguments
// that a BuildKit provenance statement records, and parses the Dockerfile.
func FromProvenance(b []byte) (*File, error) {
	var st statement
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("reading the provenance statement: %w", err)
	}
	var args map[string]string
	var meta buildkitMetadata
	var entry string
	switch {
	case st.PredicateType == predicateSLSA02:
		args, meta, entry = st.Predicate.Invocation.Parameters.Args, st.Predicate.Metadata.BuildKit, st.Predicate.Invocation.ConfigSource.EntryPoint
	case strings.HasPrefix(st.PredicateType, predicateSLSA1):
		args, meta = st.Predicate.BuildDefinition.ExternalParameters.Request.Args, st.Predicate.RunDetails.Metadata.BuildKit
		entry = st.Predicate.BuildDefinition.ExternalParameters.ConfigSource.Path
	default:
		return nil, fmt.Errorf("provenance predicate %q is not SLSA provenance", st.PredicateType)
	}
	if meta.Source == nil {
		return nil, ErrNoDockerfile
	}
	var info *sourceInfo
	for i, in := range meta.Source.Infos {
		if strings.EqualFold(in.Language, "Dockerfile") || in.Filename == entry && entry != "" {
			info = &meta.Source.Infos[i]
			break
		}
	}
	if info == nil || len(info.Data) == 0 {
		return nil, ErrNoDockerfile
	}
	opts := Options{Target: args["target"], BuildArgs: map[string]string{}}
	for k, v := range args {
		if name, ok := strings.CutPrefix(k, "build-arg:"); ok {
			opts.BuildArgs[name] = v
		}
	}
	name := info.Filename
	if name == "" {
		name = entry
	}
	if name == "" {
		name = "Dockerfile"
	}
	f, err := Parse(name, info.Data, opts)
	if err != nil {
		return nil, fmt.Errorf("the Dockerfile in the provenance: %w", err)
	}
	f.Origin = "provenance"
	return f, nil
}
