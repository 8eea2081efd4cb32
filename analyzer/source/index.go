package source

import (
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxIndexDepth bounds index → index → … nesting (and cycles).
const maxIndexDepth = 8

// indexReader fetches what platform selection needs from wherever an index
// lives (a layout, an archive, a registry).
type indexReader interface {
	// index reads the image index a descriptor points to.
	index(d v1.Descriptor) (*v1.IndexManifest, error)
	// platformOf reads the platform from the config of the image manifest d
	// points to; used when an index entry carries no platform.
	platformOf(d v1.Descriptor) (platform, error)
}

func isIndex(mt types.MediaType) bool {
	return mt == types.OCIImageIndex || mt == types.DockerManifestList
}

func isImageManifest(mt types.MediaType) bool {
	return mt == types.OCIManifestSchema1 || mt == types.DockerManifestSchema2 || mt == ""
}

// flatten lists the image manifests an index reaches, descending into nested
// indexes. Entries inherit the platform of the index entry that led to them
// when they carry none. Attestation manifests are dropped.
func flatten(r indexReader, im *v1.IndexManifest, inherited *v1.Platform, depth int) ([]v1.Descriptor, error) {
	if depth > maxIndexDepth {
		return nil, errors.New("image indexes nested too deeply")
	}
	var out []v1.Descriptor
	for _, d := range im.Manifests {
		if d.Platform == nil && inherited != nil {
			p := *inherited
			d.Platform = &p
		}
		switch {
		case isIndex(d.MediaType):
			child, err := r.index(d)
			if err != nil {
				return nil, fmt.Errorf("reading index %s: %w", d.Digest, err)
			}
			sub, err := flatten(r, child, d.Platform, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case isImageManifest(d.MediaType):
			if d.Annotations[annotationAttachment] == "attestation-manifest" {
				continue
			}
			if d.Platform != nil && (d.Platform.OS == "unknown" || d.Platform.Architecture == "unknown") {
				continue
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// choice is the outcome of platform selection.
type choice struct {
	desc     v1.Descriptor
	platform platform
}

// selectPlatform picks one image manifest among descs by opts.Platform, else
// by the host platform. A single image is used whatever its platform unless a
// platform was requested explicitly. Choices made without --platform are
// reported through opts.Notify.
func selectPlatform(r indexReader, descs []v1.Descriptor, opts Options) (choice, error) {
	if len(descs) == 0 {
		return choice{}, notImagef("the index lists no image manifests")
	}
	plats := make([]platform, len(descs))
	for i, d := range descs {
		plats[i] = fromV1(d.Platform)
		if !plats[i].known() && (len(descs) > 1 || opts.Platform != "") {
			p, err := r.platformOf(d)
			if err != nil {
				return choice{}, err
			}
			plats[i] = p
		}
	}
	if opts.Platform != "" {
		want, err := parsePlatform(opts.Platform)
		if err != nil {
			return choice{}, err
		}
		for i := range descs {
			if want.matches(plats[i]) {
				return choice{descs[i], plats[i]}, nil
			}
		}
		return choice{}, platformf("platform %s not in index (has %s)", want, listPlatforms(plats))
	}
	host := hostPlatform()
	if len(descs) == 1 {
		if plats[0].known() && !host.matches(plats[0]) {
			notify(opts, fmt.Sprintf("the only image in the index is %s (the host is %s); using it", plats[0], host))
		}
		return choice{descs[0], plats[0]}, nil
	}
	for i := range descs {
		if host.matches(plats[i]) {
			notify(opts, fmt.Sprintf("platform %s chosen from the index (has %s); use --platform to pick another", plats[i], listPlatforms(plats)))
			return choice{descs[i], plats[i]}, nil
		}
	}
	return choice{}, platformf("platform %s (the host's) not in index (has %s); pick one with --platform", host, listPlatforms(plats))
}

func listPlatforms(ps []platform) string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		s := p.String()
		if s == "" {
			s = "unknown"
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

func notify(opts Options, msg string) {
	if opts.Notify != nil {
		opts.Notify(msg)
	}
}
