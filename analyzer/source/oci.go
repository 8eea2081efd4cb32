package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations that name an image inside an OCI layout.
const (
	annotationRefName    = "org.opencontainers.image.ref.name"
	annotationImageName  = "io.containerd.image.name"
	annotationAttachment = "vnd.docker.reference.type"
)

// openLayoutDir opens an OCI image layout directory.
func openLayoutDir(ctx context.Context, dir, tag string, opts Options) (*Image, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fileError(err)
	}
	if !st.IsDir() {
		return openArchive(ctx, dir, archivePick{tag: tag, index: -1}, OCIArchive, opts)
	}
	if !exists(filepath.Join(dir, "index.json")) && !exists(filepath.Join(dir, "oci-layout")) {
		return nil, notImagef("directory is not an OCI image layout: no oci-layout or index.json")
	}
	img, err := openLayout(ctx, dirStore{dir}, dir, tag, opts)
	if err != nil {
		return nil, err
	}
	img.Source = OCI
	return img, nil
}

// blobName is where a layout stores the blob with digest h.
func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// readBlob reads a small blob and checks its digest.
func readBlob(st store, d v1.Descriptor) ([]byte, error) {
	if d.Digest.Algorithm != "sha256" || len(d.Digest.Hex) != 64 {
		return nil, fmt.Errorf("unsupported digest %q", d.Digest)
	}
	name := blobName(d.Digest)
	b, err := st.readAll(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("missing blob %s", name)
		}
		return nil, err
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != d.Digest.Hex {
		return nil, fmt.Errorf("blob %s does not match its digest", name)
	}
	return b, nil
}

// layoutReader reads indexes and configs from a layout for platform selection.
type layoutReader struct{ st store }

func (r layoutReader) index(d v1.Descriptor) (*v1.IndexManifest, error) {
	b, err := readBlob(r.st, d)
	if err != nil {
		return nil, err
	}
	return v1.ParseIndexManifest(bytes.NewReader(b))
}

func (r layoutReader) platformOf(d v1.Descriptor) (platform, error) {
	b, err := readBlob(r.st, d)
	if err != nil {
		return platform{}, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(b))
	if err != nil {
		return platform{}, fmt.Errorf("parsing manifest %s: %w", d.Digest, err)
	}
	cb, err := readBlob(r.st, m.Config)
	if err != nil {
		return platform{}, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(cb))
	if err != nil {
		return platform{}, fmt.Errorf("parsing config %s: %w", m.Config.Digest, err)
	}
	return fromConfig(cfg), nil
}

// openLayout opens the image an OCI layout's index.json leads to: filtered by
// tag (the ref.name annotation), through nested indexes, by platform.
func openLayout(_ context.Context, st store, path, tag string, opts Options) (*Image, error) {
	raw, err := st.readAll("index.json")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notImagef("no index.json in the OCI layout")
		}
		return nil, fmt.Errorf("reading index.json: %w", err)
	}
	root, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing index.json: %w", err)
	}
	top, name, err := filterByTag(root.Manifests, tag)
	if err != nil {
		return nil, err
	}
	r := layoutReader{st}
	descs, err := flatten(r, &v1.IndexManifest{Manifests: top}, nil, 0)
	if err != nil {
		return nil, err
	}
	ch, err := selectPlatform(r, descs, opts)
	if err != nil {
		return nil, err
	}
	si, err := openManifest(st, ch.desc)
	if err != nil {
		return nil, err
	}
	if err := checkPlatform(si.config, opts.Platform); err != nil {
		return nil, err
	}
	if name == "" {
		name = path
	}
	return &Image{
		Image:      si,
		Name:       name,
		Digest:     ch.desc.Digest.String(),
		Platform:   fromConfig(si.config).String(),
		Provenance: layoutProvenance(st, r, top, ch.desc.Digest),
	}, nil
}

// openManifest reads the image manifest desc points to and its config from
// st, and builds the image whose layers st serves in place, each verified
// against the manifest's size and digest as it streams.
func openManifest(st store, desc v1.Descriptor) (*storedImage, error) {
	rawManifest, err := readBlob(st, desc)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest %s: %w", desc.Digest, err)
	}
	rawConfig, err := readBlob(st, m.Config)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	names := make([]string, len(m.Layers))
	for i, l := range m.Layers {
		if l.Digest.Algorithm != "sha256" || len(l.Digest.Hex) != 64 {
			return nil, fmt.Errorf("layer %d has unsupported digest %q", i, l.Digest)
		}
		names[i] = blobName(l.Digest)
	}
	si, err := newStoredImage(rawConfig, names, st)
	if err != nil {
		return nil, err
	}
	mt := m.MediaType
	if mt == "" {
		mt = desc.MediaType
	}
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	si.rawManifest, si.manifestMT = rawManifest, mt
	for i, l := range si.layers {
		if l.size != m.Layers[i].Size {
			return nil, fmt.Errorf("blob %s is %d bytes, the manifest says %d", l.name, l.size, m.Layers[i].Size)
		}
		l.digest = m.Layers[i].Digest
		l.declared = m.Layers[i].MediaType
		l.docker = mt == types.DockerManifestSchema2
		l.verify = true
	}
	return si, nil
}

// filterByTag keeps the index.json entries named tag. Without a tag, a layout
// naming several different images is refused so that none is picked at random.
func filterByTag(descs []v1.Descriptor, tag string) ([]v1.Descriptor, string, error) {
	var names []string
	seen := map[string]bool{}
	for _, d := range descs {
		if n := d.Annotations[annotationRefName]; n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if tag == "" {
		if len(names) > 1 {
			return nil, "", fmt.Errorf("the layout holds several images (%s); pick one with oci:DIR:TAG", strings.Join(names, ", "))
		}
		name := ""
		if len(names) == 1 {
			name = names[0]
		}
		return descs, name, nil
	}
	var out []v1.Descriptor
	for _, d := range descs {
		ref, img := d.Annotations[annotationRefName], d.Annotations[annotationImageName]
		if ref == tag || img == tag || (img != "" && strings.HasSuffix(img, ":"+tag)) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		has := "no tagged images"
		if len(names) > 0 {
			has = strings.Join(names, ", ")
		}
		return nil, "", notFoundf("tag %s not in index.json (has %s)", tag, has)
	}
	return out, tag, nil
}
