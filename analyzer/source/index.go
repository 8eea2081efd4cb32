package source

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxIndexDepth bounds index → index → … nesting.
const maxIndexDepth = 8

// maxDescriptors bounds the descriptors read over an index and every index
// nested in it. Each nested index is read once whatever the number of
// entries pointing at it, so that an index naming the same child eight
// times, six levels deep, costs six reads and not 8^6.
const maxDescriptors = 10_000

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
// when they carry none. Attestation manifests are dropped, and so are
// repeats of a manifest already listed for the same platform. A nested
// index is read once (a cycle or a repeat adds nothing); past
// maxIndexDepth levels or maxDescriptors descriptors it is an error.
func flatten(r indexReader, im *v1.IndexManifest, inherited *v1.Platform, depth int) ([]v1.Descriptor, error) {
	f := &flattener{r: r, seen: map[v1.Hash]bool{}, listed: map[string]bool{}}
	if err := f.walk(im, inherited, depth); err != nil {
		return nil, err
	}
	return f.out, nil
}

type flattener struct {
	r       indexReader
	seen    map[v1.Hash]bool // nested indexes already read
	listed  map[string]bool  // image manifests listed, by digest and platform
	visited int
	out     []v1.Descriptor
}

func (f *flattener) walk(im *v1.IndexManifest, inherited *v1.Platform, depth int) error {
	if depth > maxIndexDepth {
		return fmt.Errorf("image indexes nested more than %d levels deep", maxIndexDepth)
	}
	f.visited += len(im.Manifests)
	if f.visited > maxDescriptors {
		return fmt.Errorf("the image index and the indexes nested in it list more than %d descriptors", maxDescriptors)
	}
	for _, d := range im.Manifests {
		if d.Platform == nil && inherited != nil {
			p := *inherited
			d.Platform = &p
		}
		switch {
		case isIndex(d.MediaType):
			if f.seen[d.Digest] {
				continue
			}
			f.seen[d.Digest] = true
			child, err := f.r.index(d)
			if err != nil {
				return fmt.Errorf("reading index %s: %w", d.Digest, err)
			}
			if err := f.walk(child, d.Platform, depth+1); err != nil {
				return err
			}
		case isImageManifest(d.MediaType):
			if d.Annotations[annotationAttachment] == "attestation-manifest" {
				continue
			}
			if d.Platform != nil && (d.Platform.OS == "unknown" || d.Platform.Architecture == "unknown") {
				continue
			}
			key := d.Digest.String() + " " + fromV1(d.Platform).String()
			if f.listed[key] {
				continue
			}
			f.listed[key] = true
			f.out = append(f.out, d)
		}
	}
	return nil
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
