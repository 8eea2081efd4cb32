package source

import (
	"bytes"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The annotations BuildKit puts on an attestation manifest and its layers.
const (
	annotationAttachedTo    = "vnd.docker.reference.digest"
	annotationPredicateType = "in-toto.io/predicate-type"
	// predicateSLSA prefixes the SLSA provenance predicate types (v0.2, v1).
	predicateSLSA = "https://slsa.dev/provenance/"
)

// layoutProvenance returns the SLSA provenance statement BuildKit attached
// to the image manifest target in a layout (--provenance / --attest
// type=provenance): the index entry marked attestation-manifest that
// refers to target, then its in-toto layer with a SLSA predicate. It
// returns nil when there is none or it cannot be read: provenance is
// optional.
func layoutProvenance(st store, r layoutReader, top []v1.Descriptor, target v1.Hash) []byte {
	var found []byte
	var walk func(ds []v1.Descriptor, depth int)
	walk = func(ds []v1.Descriptor, depth int) {
		for _, d := range ds {
			if found != nil || depth > maxIndexDepth {
				return
			}
			switch {
			case isIndex(d.MediaType):
				if im, err := r.index(d); err == nil {
					walk(im.Manifests, depth+1)
				}
			case d.Annotations[annotationAttachment] == "attestation-manifest" && d.Annotations[annotationAttachedTo] == target.String():
				found = statementIn(st, d)
			}
		}
	}
	walk(top, 0)
	return found
}

// statementIn returns the SLSA provenance layer of an attestation manifest.
func statementIn(st store, d v1.Descriptor) []byte {
	b, err := readBlob(st, d)
	if err != nil {
		return nil
	}
	m, err := v1.ParseManifest(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	for _, l := range m.Layers {
		if strings.HasPrefix(l.Annotations[annotationPredicateType], predicateSLSA) {
			if s, err := readBlob(st, l); err == nil {
				return s
			}
		}
	}
	return nil
}
