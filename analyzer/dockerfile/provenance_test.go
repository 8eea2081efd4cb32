package dockerfile

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestFromProvenance(t *testing.T) {
	src := base64.StdEncoding.EncodeToString([]byte("ARG V=1\nFROM base AS build\nRUN make\nFROM base AS app\nCOPY --from=build /a /a\n"))
	v02 := `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","predicate":{
		"invocation":{"configSource":{"entryPoint":"build/Dockerfile"},"parameters":{"frontend":"dockerfile.v0","args":{"target":"build","build-arg:V":"2"}}},
		"metadata":{"https://mobyproject.org/buildkit@v1#metadata":{"source":{"infos":[{"filename":"build/Dockerfile","language":"Dockerfile","data":"` + src + `"}]}}}}}`
	v1 := `{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","predicate":{
		"buildDefinition":{"externalParameters":{"configSource":{"path":"Dockerfile"},"request":{"frontend":"dockerfile.v0","args":{}}}},
		"runDetails":{"metadata":{"buildkit_metadata":{"source":{"infos":[{"filename":"Dockerfile","language":"Dockerfile","data":"` + src + `"}]}}}}}}`
	f, err := FromProvenance([]byte(v02))
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != "build/Dockerfile" || f.Final().Name != "build" || f.Origin != "provenance" {
		t.Errorf("v0.2: path %q target %q origin %q", f.Path, f.Final().Name, f.Origin)
	}
	f, err = FromProvenance([]byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != "Dockerfile" || f.Final().Name != "app" {
		t.Errorf("v1: path %q target %q", f.Path, f.Final().Name)
	}
	min := `{"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{"invocation":{},"metadata":{}}}`
	if _, err := FromProvenance([]byte(min)); !errors.Is(err, ErrNoDockerfile) {
		t.Errorf("mode=min: err = %v, want ErrNoDockerfile", err)
	}
	if _, err := FromProvenance([]byte(`{"predicateType":"https://spdx.dev/Document"}`)); err == nil || !strings.Contains(err.Error(), "not SLSA") {
		t.Errorf("SBOM: err = %v", err)
	}
}
