package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// storedImage is a v1.Image read in place from an archive or layout.
type storedImage struct {
	rawConfig    []byte
	config       *v1.ConfigFile
	configDigest v1.Hash
	layers       []*storedLayer

	// rawManifest is the stored manifest; nil for docker archives, whose
	// manifest is synthesised on demand (which may hash compressed layers).
	rawManifest []byte
	manifestMT  types.MediaType

	once    sync.Once
	synth   []byte
	synthEr error
}

var _ v1.Image = (*storedImage)(nil)

// newStoredImage parses the config and checks it against the layers.
func newStoredImage(rawConfig []byte, layerNames []string, st store) (*storedImage, error) {
	cfg, err := v1.ParseConfigFile(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, fmt.Errorf("parsing image config: %w", err)
	}
	if len(cfg.RootFS.DiffIDs) != len(layerNames) {
		return nil, fmt.Errorf("the manifest lists %d layers but the config has %d diff_ids", len(layerNames), len(cfg.RootFS.DiffIDs))
	}
	sum := sha256.Sum256(rawConfig)
	img := &storedImage{
		rawConfig:    rawConfig,
		config:       cfg,
		configDigest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])},
	}
	for i, n := range layerNames {
		size, err := st.size(n)
		if err != nil {
			return nil, fmt.Errorf("manifest names missing layer %s", n)
		}
		img.layers = append(img.layers, &storedLayer{st: st, name: n, size: size, diffID: cfg.RootFS.DiffIDs[i]})
	}
	return img, nil
}

func (i *storedImage) Layers() ([]v1.Layer, error) {
	out := make([]v1.Layer, len(i.layers))
	for n, l := range i.layers {
		out[n] = l
	}
	return out, nil
}

func (i *storedImage) MediaType() (types.MediaType, error) {
	if i.rawManifest != nil {
		return i.manifestMT, nil
	}
	return types.DockerManifestSchema2, nil
}

func (i *storedImage) Size() (int64, error) {
	b, err := i.RawManifest()
	return int64(len(b)), err
}

func (i *storedImage) ConfigName() (v1.Hash, error) { return i.configDigest, nil }

func (i *storedImage) ConfigFile() (*v1.ConfigFile, error) { return i.config.DeepCopy(), nil }

func (i *storedImage) RawConfigFile() ([]byte, error) { return i.rawConfig, nil }

func (i *storedImage) Digest() (v1.Hash, error) {
	b, err := i.RawManifest()
	if err != nil {
		return v1.Hash{}, err
	}
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}, nil
}

func (i *storedImage) Manifest() (*v1.Manifest, error) {
	b, err := i.RawManifest()
	if err != nil {
		return nil, err
	}
	return v1.ParseManifest(bytes.NewReader(b))
}

func (i *storedImage) RawManifest() ([]byte, error) {
	if i.rawManifest != nil {
		return i.rawManifest, nil
	}
	i.once.Do(func() { i.synth, i.synthEr = i.synthesize() })
	return i.synth, i.synthEr
}

// synthesize builds a Docker schema 2 manifest for an archive that stores none.
func (i *storedImage) synthesize() ([]byte, error) {
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config: v1.Descriptor{
			MediaType: types.DockerConfigJSON,
			Size:      int64(len(i.rawConfig)),
			Digest:    i.configDigest,
		},
	}
	for _, l := range i.layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		mt, err := l.MediaType()
		if err != nil {
			return nil, err
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: mt, Size: l.size, Digest: d})
	}
	return json.Marshal(m)
}

func (i *storedImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	for _, l := range i.layers {
		if d, err := l.Digest(); err == nil && d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer with digest %s", h)
}

func (i *storedImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	for _, l := range i.layers {
		if l.diffID == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer with diff_id %s", h)
}
