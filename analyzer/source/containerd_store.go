package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/errdefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// contentStore serves an image's blobs from containerd's content store by
// their layout names (blobs/sha256/HEX), read in place over the API.
type contentStore struct {
	ctx    context.Context // namespace and lease; cancelled when the image closes
	cs     content.Store
	t      containerdTarget
	image  string // the image record's name, for hints
	leases leases.Manager
	lease  leases.Lease
	// localRoot is the content store's directory as containerd reports it,
	// when this process may read blobs there ("" otherwise).
	localRoot string

	mu    sync.Mutex
	sizes map[digest.Digest]int64
}

var _ store = (*contentStore)(nil)

// digestOf parses a layout blob name back into a digest.
func (s *contentStore) digestOf(name string) (digest.Digest, error) {
	hexPart, ok := strings.CutPrefix(cleanName(name), "blobs/sha256/")
	if !ok {
		return "", fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	d := digest.NewDigestFromEncoded(digest.SHA256, hexPart)
	if err := d.Validate(); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// hold adds a blob to the lease so that the garbage collector keeps it while
// the image is open, even when the image is removed meanwhile.
func (s *contentStore) hold(d v1.Descriptor) error {
	ctx, cancel := s.call()
	defer cancel()
	err := s.leases.AddResource(ctx, s.lease, leases.Resource{ID: d.Digest.String(), Type: "content"})
	if err != nil {
		return containerdError(s.ctx, err, "adding blob %s to lease %s in %s", d.Digest, s.lease.ID, s.t.where())
	}
	return nil
}

func (s *contentStore) size(name string) (int64, error) {
	d, err := s.digestOf(name)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	n, ok := s.sizes[d]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	ctx, cancel := s.call()
	defer cancel()
	info, err := s.cs.Info(ctx, d)
	if err != nil {
		return 0, s.readError(d, err)
	}
	s.mu.Lock()
	if s.sizes == nil {
		s.sizes = map[digest.Digest]int64{}
	}
	s.sizes[d] = info.Size
	s.mu.Unlock()
	return info.Size, nil
}

func (s *contentStore) readerAt(name string) (io.ReaderAt, io.Closer, error) {
	d, err := s.digestOf(name)
	if err != nil {
		return nil, nil, err
	}
	if f := s.localBlob(name, d); f != nil {
		return f, f, nil
	}
	ra, err := s.cs.ReaderAt(s.ctx, ocispec.Descriptor{Digest: d})
	if err != nil {
		return nil, nil, s.readError(d, err)
	}
	return &errorReaderAt{ra: ra, s: s, d: d}, ra, nil
}

func (s *contentStore) open(name string) (io.ReadCloser, error) {
	d, err := s.digestOf(name)
	if err != nil {
		return nil, err
	}
	if f := s.localBlob(name, d); f != nil {
		return f, nil
	}
	return newBlobReader(s, d)
}

// containerdLocalReads lets layer blobs be read from the content store's
// directory when it is visible; tests turn it off to exercise the API path.
var containerdLocalReads = true

// localBlob opens blob d in place in containerd's content directory when
// this process sees that directory (same host and mount namespace, and
// permission to read it) and the file there has the size containerd
// reports for the namespace's blob: the same bytes the API would serve,
// without copying them through it. nil means: read through the API.
// Digests are verified while the layer streams either way.
func (s *contentStore) localBlob(name string, d digest.Digest) *os.File {
	if s.localRoot == "" || !containerdLocalReads {
		return nil
	}
	size, err := s.size(name)
	if err != nil {
		return nil
	}
	f, err := os.Open(filepath.Join(s.localRoot, "blobs", d.Algorithm().String(), d.Encoded()))
	if err != nil {
		return nil
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() != size {
		f.Close()
		return nil
	}
	return f
}

func (s *contentStore) readAll(name string) ([]byte, error) {
	d, err := s.digestOf(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.call()
	defer cancel()
	ra, err := s.cs.ReaderAt(ctx, ocispec.Descriptor{Digest: d})
	if err != nil {
		return nil, s.readError(d, err)
	}
	defer ra.Close()
	size := ra.Size()
	if size > maxJSON {
		return nil, fmt.Errorf("%s is %d bytes, too large for metadata", name, size)
	}
	b := make([]byte, size)
	if n, err := ra.ReadAt(b, 0); int64(n) != size {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, s.readError(d, err)
	}
	return b, nil
}

// call bounds one call to containerd that reads metadata.
func (s *contentStore) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, blobStall)
}

// readMeta reads an index, manifest or config and checks its digest. A blob
// the store lacks is ErrContentMissing with the commands that fetch it.
func (s *contentStore) readMeta(d v1.Descriptor, what, plat string) ([]byte, error) {
	if err := s.hold(d); err != nil {
		return nil, err
	}
	b, err := s.readAll(blobName(d.Digest))
	if err != nil {
		if errdefs.IsNotFound(err) {
			return nil, s.missing(d, what, plat)
		}
		return nil, fmt.Errorf("reading %s %s: %w", what, d.Digest, err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != d.Digest.Hex {
		return nil, fmt.Errorf("%s %s in %s does not match its digest", what, d.Digest, s.t.where())
	}
	return b, nil
}

// missing explains a blob that is not in the content store: which, for
// which platform, and how to fetch it.
func (s *contentStore) missing(d v1.Descriptor, what, plat string) error {
	forPlat, fetch := "", "--all-platforms"
	if plat != "" {
		forPlat, fetch = " for "+plat, "--platform "+plat
	}
	return &kindError{kind: ErrContentMissing, msg: fmt.Sprintf(
		"content missing: the %s%s (blob %s) is not in the content store of %s: the image was pulled without it "+
			"(pulls fetch only the host's platform unless asked); fetch it with `ctr -n %s content fetch %s %s` "+
			"or `nerdctl -n %s pull --all-platforms %s`",
		what, forPlat, d.Digest, s.t.where(), s.t.namespace, fetch, s.image, s.t.namespace, s.image)}
}

// readError turns a failed read of blob d into a message naming the blob,
// the namespace and the socket. A blob that disappears after the image was
// opened was collected: the image was removed and the lease that held its
// blobs expired or was deleted.
func (s *contentStore) readError(d digest.Digest, err error) error {
	if s.ctx.Err() != nil {
		if errdefs.IsCanceled(err) || errdefs.IsDeadlineExceeded(err) || errors.Is(err, s.ctx.Err()) {
			return s.ctx.Err()
		}
	}
	if errdefs.IsNotFound(err) {
		return &kindError{kind: ErrContentMissing, msg: fmt.Sprintf(
			"blob %s is gone from the content store of %s: the image was removed while it was read and the lease %s "+
				"that held its blobs expired or was deleted", d, s.t.where(), s.lease.ID), err: errdefs.ErrNotFound}
	}
	return containerdError(s.ctx, err, "reading blob %s from %s", d, s.t.where())
}

// errorReaderAt names the blob, the namespace and the socket in read errors.
type errorReaderAt struct {
	ra content.ReaderAt
	s  *contentStore
	d  digest.Digest
}

func (r *errorReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.ra.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		err = r.s.readError(r.d, err)
	}
	return n, err
}

// chooseManifest follows an image's root descriptor to one image manifest:
// the root itself, or the one an index (possibly nested) offers for the
// platform asked for, else the host's.
func (s *contentStore) chooseManifest(root v1.Descriptor, opts Options) (v1.Descriptor, platform, error) {
	if isImageManifest(root.MediaType) {
		return root, platform{}, nil
	}
	if !isIndex(root.MediaType) {
		return root, platform{}, notImagef("image %s points to %s, neither an image manifest nor an index", s.image, root.MediaType)
	}
	raw, err := s.readMeta(root, "index", "")
	if err != nil {
		return root, platform{}, err
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return root, platform{}, fmt.Errorf("parsing index %s: %w", root.Digest, err)
	}
	r := contentIndexReader{s}
	descs, err := flatten(r, im, nil, 0)
	if err != nil {
		return root, platform{}, err
	}
	ch, err := selectPlatform(r, descs, opts)
	if err != nil {
		return root, platform{}, err
	}
	return ch.desc, ch.platform, nil
}

// checkedImage reads the manifest and config desc leads to, checks that
// every layer blob is in the store (so that a platform that was not pulled
// is an error before any analysis, never a partial one), holds them in the
// lease and builds the image.
func (s *contentStore) checkedImage(desc v1.Descriptor, chosen platform) (*storedImage, error) {
	plat := chosen.String()
	rawManifest, err := s.readMeta(desc, "manifest", plat)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest %s: %w", desc.Digest, err)
	}
	if _, err := s.readMeta(m.Config, "config", plat); err != nil {
		return nil, err
	}
	for i, l := range m.Layers {
		if l.Digest.Algorithm != "sha256" || len(l.Digest.Hex) != 64 {
			return nil, fmt.Errorf("layer %d has unsupported digest %q", i, l.Digest)
		}
		if err := s.hold(l); err != nil {
			return nil, err
		}
		if _, err := s.size(blobName(l.Digest)); err != nil {
			if errdefs.IsNotFound(err) {
				return nil, s.missing(l, fmt.Sprintf("layer %d of %d", i+1, len(m.Layers)), plat)
			}
			return nil, err
		}
	}
	return openManifest(s, desc)
}

// contentIndexReader reads nested indexes and configs for platform
// selection from the content store.
type contentIndexReader struct{ s *contentStore }

func (r contentIndexReader) index(d v1.Descriptor) (*v1.IndexManifest, error) {
	b, err := r.s.readMeta(d, "index", fromV1(d.Platform).String())
	if err != nil {
		return nil, err
	}
	return v1.ParseIndexManifest(bytes.NewReader(b))
}

func (r contentIndexReader) platformOf(d v1.Descriptor) (platform, error) {
	b, err := r.s.readMeta(d, "manifest", "")
	if err != nil {
		return platform{}, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(b))
	if err != nil {
		return platform{}, fmt.Errorf("parsing manifest %s: %w", d.Digest, err)
	}
	cb, err := r.s.readMeta(m.Config, "config", "")
	if err != nil {
		return platform{}, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(cb))
	if err != nil {
		return platform{}, fmt.Errorf("parsing config %s: %w", m.Config.Digest, err)
	}
	return fromConfig(cfg), nil
}
