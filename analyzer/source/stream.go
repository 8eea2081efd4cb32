package source

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// LayerFunc receives one layer blob of a save stream as it arrives, and its
// content. It may stop reading early; the rest of the member is skipped. An
// error stops the stream.
type LayerFunc func(l StreamLayer, r io.Reader) error

// StreamLayer is a layer blob of a save stream, as it arrives.
type StreamLayer struct {
	// Member is the blob's name in the archive; Size is its stored size.
	Member string
	Size   int64
	// Positions are where the blob is in the image's layers (several
	// positions when layers share it), when that is known as it arrives:
	// the daemon's inspection listed the layers' diffIDs, and the blob's
	// name is its diffID (Podman, Docker 25) or a v1 ID computed from it
	// (older Docker Engines). Otherwise nil: the manifest tells it once the
	// stream ends, and it alone decides the image's layers.
	Positions []int
	// Layers is the number of layers the daemon's inspection listed when
	// Positions are known, else 0.
	Layers int
}

// maxStreamMetadata bounds the metadata (manifests, configs, indexes) a save
// stream may hold in memory in all.
const maxStreamMetadata = 128 << 20

// OpenStream opens a daemon image (docker:NAME, podman:NAME, or a bare name
// the Docker Engine or the Podman API holds) by reading the engine's save
// stream once, as it arrives: each layer blob is handed to onLayer and
// nothing is written to disk. The image returned has the metadata of the
// archive, but its layers' content cannot be read again; LayerMembers names
// which member each layer was. With spool, the stream is also written to a
// temporary file, removed by Close, and the image's layers can be read again.
//
// ok is false, with nothing read, when ref is not an image of a daemon
// reachable through its API: open it with Open.
func OpenStream(ctx context.Context, ref string, opts Options, spool bool, onLayer LayerFunc) (img *Image, ok bool, err error) {
	r, err := ParseReference(ref, opts.Source)
	if err != nil {
		return nil, false, nil
	}
	if opts.Platform != "" {
		p, err := ParsePlatform(opts.Platform)
		if err != nil {
			return nil, false, nil
		}
		opts.Platform = p
	}
	// A bare name is looked for in the Docker Engine, then in Podman; an
	// image neither has is left to Open (containerd, a registry).
	type daemon struct {
		kind    Kind
		connect func(context.Context, Options) (saver, error)
		names   []string
	}
	docker := daemon{Docker, func(ctx context.Context, _ Options) (saver, error) { return dockerEngine(ctx) }, []string{r.Name}}
	podman := daemon{Podman, podmanSaver, podmanNames(r.Name)}
	var daemons []daemon
	switch {
	case r.Kind == Docker:
		daemons = []daemon{docker}
	case r.Kind == Podman:
		daemons = []daemon{podman}
	case r.Kind == "" && r.Path == "":
		daemons = []daemon{docker, podman}
	default:
		return nil, false, nil
	}
	for _, d := range daemons {
		s, err := d.connect(ctx, opts)
		if err == nil {
			img, err = streamFromEngine(ctx, s, d.names, opts, spool, onLayer)
		}
		if err != nil {
			if r.Kind == "" && ctx.Err() == nil && (isUnavailable(err) || isNotFound(err)) {
				continue
			}
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w: %w", ctx.Err(), err)
			}
			return nil, true, wrapInput(ref, err)
		}
		img.Source = d.kind
		img.Reference = ref
		return img, true, nil
	}
	return nil, false, nil
}

// LayerMembers returns the archive member each layer was read from, in
// layer order, or nil when the image does not come from an archive.
func (i *Image) LayerMembers() []string {
	if i.members != nil {
		return i.members
	}
	si, ok := i.Image.(*storedImage)
	if !ok {
		return nil
	}
	out := make([]string, len(si.layers))
	for n, l := range si.layers {
		out[n] = cleanName(l.name)
	}
	return out
}

// dockerEngine connects to the Docker Engine.
func dockerEngine(ctx context.Context) (*engine, error) {
	ep, err := dockerEndpoint()
	if err != nil {
		return nil, unavailable(err, "locating the Docker daemon")
	}
	e, err := newEngine(ep, "Docker daemon")
	if err != nil {
		return nil, unavailable(err, "")
	}
	if err := e.ping(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// saver is what saves images as a docker save stream: an Engine API
// (Docker's, Podman's) or the podman command.
type saver interface {
	// find inspects the first of names the daemon has.
	find(ctx context.Context, names []string, opts Options) (*engineImage, string, error)
	// saveStream starts saving the image; the stream must be closed.
	saveStream(ctx context.Context, name string) (io.ReadCloser, error)
	// label names the daemon in messages ("Docker daemon").
	label() string
}

// streamFromEngine inspects the first of names the daemon has and reads its
// save stream once, to its end.
func streamFromEngine(ctx context.Context, e saver, names []string, opts Options, spool bool, onLayer LayerFunc) (*Image, error) {
	info, name, err := e.find(ctx, names, opts)
	if err != nil {
		return nil, err
	}
	body, err := e.saveStream(ctx, name)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	in := newProgressReader(body, info.Size, opts.SaveProgress)
	pick := archivePick{index: -1, id: info.ID, name: name}
	order := newLayerOrder(info.RootFS.Layers)
	var img *Image
	if spool {
		img, err = spoolStream(ctx, in, e.label(), pick, order, opts, onLayer)
	} else {
		img, err = scanStream(ctx, in, e.label(), pick, order, opts, onLayer)
	}
	if err == nil {
		// Read what follows the archive's end, so that a daemon failing
		// after it is not taken for a success.
		if _, err = io.Copy(io.Discard, in); err != nil {
			img.Close()
			img = nil
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	img.Name = name
	if info.ID != "" {
		img.Digest = info.ID
	}
	return img, nil
}

// spoolStream tees the stream into a temporary file while scanning it, then
// opens the file as an archive.
func spoolStream(ctx context.Context, in io.Reader, what string, pick archivePick, order layerOrder, opts Options, onLayer LayerFunc) (*Image, error) {
	f, err := os.CreateTemp(opts.TempDir, "strata-save-*.tar")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file for the saved image: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (*Image, error) {
		f.Close()
		os.Remove(tmp)
		return nil, err
	}
	scanned, err := scanStream(ctx, io.TeeReader(in, f), what, pick, order, opts, onLayer)
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("writing %s: %w", tmp, err))
	}
	img, err := openArchive(ctx, tmp, pick, DockerArchive, opts)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	img.closers = append([]func() error{func() error { return removeIfExists(tmp) }}, img.closers...)
	img.members = scanned.LayerMembers()
	return img, nil
}

// OpenArchiveStream reads an image archive (a docker save archive, or an
// OCI layout in a tar) from r once, as OpenStream reads a daemon's: each
// layer blob goes to onLayer as it arrives and nothing is written to disk.
// what names the stream in messages; the image picked is the archive's only
// one, or the one tagged tag.
func OpenArchiveStream(ctx context.Context, r io.Reader, what, tag string, opts Options, onLayer LayerFunc) (*Image, error) {
	img, err := scanStream(ctx, r, what, archivePick{tag: tag, index: -1}, layerOrder{}, opts, onLayer)
	if err != nil {
		return nil, err
	}
	img.Source = DockerArchive
	if _, ok := img.Image.(*storedImage); ok && img.Image.(*storedImage).rawManifest != nil {
		img.Source = OCIArchive
	}
	return img, nil
}

// scanStream reads a save stream (a docker archive, or an OCI layout in a
// tar) once: layer blobs go to onLayer as they arrive, metadata is kept in
// memory, and once the stream ends the manifest says which blobs make the
// image and in what order; order may tell it earlier.
func scanStream(ctx context.Context, in io.Reader, what string, pick archivePick, order layerOrder, opts Options, onLayer LayerFunc) (*Image, error) {
	st := &streamStore{members: map[string]*streamMember{}, links: map[string]string{}}
	tr := tar.NewReader(in)
	var kept int64
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("reading the save stream from the %s (member %d): %w", what, n, err)
		}
		name := cleanName(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			st.links[name] = cleanName(path.Join(path.Dir(name), hdr.Linkname))
			continue
		case tar.TypeLink:
			st.links[name] = cleanName(hdr.Linkname)
			continue
		case tar.TypeReg:
		default:
			continue
		}
		head := make([]byte, min(hdr.Size, 512))
		if _, err := io.ReadFull(tr, head); err != nil {
			return nil, fmt.Errorf("reading %s from the %s's save stream: %w", name, what, err)
		}
		m := &streamMember{size: hdr.Size, head: head}
		st.members[name] = m
		switch {
		case isLayerBlob(name, head):
			m.layer = true
			r := io.MultiReader(bytes.NewReader(head), tr)
			var sum hash.Hash
			if sniffCompression(head) != compNone && !ociBlobName.MatchString(name) {
				// Nothing else names a compressed blob's digest: hash it as
				// it streams by.
				sum = sha256.New()
				r = io.TeeReader(r, sum)
			}
			sl := StreamLayer{Member: name, Size: hdr.Size, Positions: order.positions(name, st)}
			if sl.Positions != nil {
				sl.Layers = order.layers
			}
			if err := onLayer(sl, r); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, err
			}
			if sum != nil {
				// Whatever onLayer left unread is part of the blob too.
				if _, err := io.Copy(sum, tr); err != nil {
					return nil, fmt.Errorf("reading %s from the %s's save stream: %w", name, what, err)
				}
				m.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum.Sum(nil))}
			}
		case hdr.Size <= maxJSON && kept+hdr.Size <= maxStreamMetadata:
			kept += hdr.Size
			var b bytes.Buffer
			b.Grow(int(hdr.Size))
			b.Write(head)
			if _, err := b.ReadFrom(tr); err != nil {
				return nil, fmt.Errorf("reading %s from the %s's save stream: %w", name, what, err)
			}
			m.data = b.Bytes()
		}
	}
	var img *Image
	var err error
	switch {
	case st.has("manifest.json"):
		img, err = openDockerArchive(st, st, "", pick, opts)
	case st.has("index.json") || st.has("oci-layout"):
		img, err = openLayout(ctx, st, "", pick.name, opts)
	default:
		err = notImagef("no manifest.json or index.json in the %s's save stream", what)
	}
	if err != nil {
		return nil, err
	}
	for _, l := range img.Image.(*storedImage).layers {
		name := st.resolve(cleanName(l.name))
		m := st.members[name]
		if m == nil || !m.layer {
			return nil, fmt.Errorf("the save stream's member %s is not a layer blob", l.name)
		}
		if m.digest != (v1.Hash{}) && l.digest == (v1.Hash{}) {
			l.digest = m.digest
		}
		img.members = append(img.members, name)
	}
	return img, nil
}

// layerOrder finds a layer blob's positions in the image as it arrives,
// before the manifest, from the layers' diffIDs a daemon's inspection
// lists: Podman (<diffID>.tar) and Docker 25 (blobs/sha256/<diffID>) name
// the uncompressed blobs they save by them; older Docker Engines name them
// <v1ID>/layer.tar, with the legacy configuration in <v1ID>/json ahead of
// it in the stream, from which the v1 ID of each candidate position can be
// computed (see legacyPosition).
type layerOrder struct {
	byHex    map[string][]int
	chainIDs []string
	layers   int
	// placed maps the v1 IDs placed so far to their positions: a layer
	// whose parent is placed is most likely just above it.
	placed map[string]int
}

// newLayerOrder indexes the diffIDs ("sha256:<hex>") of an inspection.
func newLayerOrder(diffIDs []string) layerOrder {
	o := layerOrder{byHex: map[string][]int{}, layers: len(diffIDs), placed: map[string]int{}}
	chain := ""
	for i, d := range diffIDs {
		h, ok := strings.CutPrefix(d, "sha256:")
		if !ok {
			return layerOrder{}
		}
		o.byHex[h] = append(o.byHex[h], i)
		if chain == "" {
			chain = d
		} else {
			sum := sha256.Sum256([]byte(chain + " " + d))
			chain = "sha256:" + hex.EncodeToString(sum[:])
		}
		o.chainIDs = append(o.chainIDs, chain)
	}
	return o
}

// positions returns where the blob member is in the image, or nil; st
// holds the metadata read so far.
func (o layerOrder) positions(member string, st *streamStore) []int {
	if len(o.byHex) == 0 {
		return nil
	}
	if p := o.byHex[strings.TrimSuffix(path.Base(member), ".tar")]; p != nil {
		return p
	}
	dir, base := path.Split(member)
	if base != "layer.tar" || dir == "" {
		return nil
	}
	m := st.members[dir+"json"]
	if m == nil || m.data == nil {
		return nil
	}
	v1ID := strings.TrimSuffix(dir, "/")
	if i := legacyPosition(m.data, v1ID, o.chainIDs, o.placed); i >= 0 {
		o.placed[v1ID] = i
		return []int{i}
	}
	return nil
}

// legacyPosition finds which layer a legacy docker save directory holds:
// its name, the v1 ID, is the digest of its configuration (cfg, as saved in
// <v1ID>/json) without "id", with the layer's chain ID as "layer_id" and the
// parent's v1 ID as a digest in "parent", and, below the top layer, without
// the "os" added after the ID was computed. It returns -1 when no chain ID
// gives v1ID. The position above the parent's, when placed says it, or the
// bottom one for a layer without a parent, is tried first.
func legacyPosition(cfg []byte, v1ID string, chainIDs []string, placed map[string]int) int {
	var fields map[string]*json.RawMessage
	if len(v1ID) != 64 || json.Unmarshal(cfg, &fields) != nil {
		return -1
	}
	delete(fields, "id")
	first := 0
	if raw := fields["parent"]; raw != nil {
		var parent string
		if json.Unmarshal(*raw, &parent) != nil {
			return -1
		}
		b, _ := json.Marshal("sha256:" + parent)
		fields["parent"] = (*json.RawMessage)(&b)
		first = -1
		if p, ok := placed[parent]; ok {
			first = p + 1
		}
	}
	candidates := make([]int, 0, len(chainIDs))
	if first >= 0 && first < len(chainIDs) {
		candidates = append(candidates, first)
	}
	for i := range chainIDs {
		if i != first {
			candidates = append(candidates, i)
		}
	}
	osField, hasOS := fields["os"]
	for _, i := range candidates {
		b, _ := json.Marshal(chainIDs[i])
		fields["layer_id"] = (*json.RawMessage)(&b)
		for _, withOS := range []bool{false, true} {
			if withOS && !hasOS {
				break
			}
			if withOS {
				fields["os"] = osField
			} else {
				delete(fields, "os")
			}
			data, err := json.Marshal(fields)
			if err != nil {
				return -1
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == v1ID {
				return i
			}
		}
	}
	return -1
}

// isLayerBlob tells a layer blob from metadata by its first bytes: compressed,
// or a tar (a ustar header, or the zero blocks of an empty tar).
func isLayerBlob(name string, head []byte) bool {
	if strings.HasSuffix(name, "/layer.tar") || sniffCompression(head) != compNone {
		return true
	}
	if len(head) < 512 {
		return false
	}
	if string(head[257:262]) == "ustar" {
		return true
	}
	return !bytes.ContainsFunc(head, func(r rune) bool { return r != 0 })
}

// streamMember is one regular member of a save stream: metadata is kept
// whole, layer blobs only by their first bytes (enough to tell their
// compression).
type streamMember struct {
	size  int64
	head  []byte
	data  []byte
	layer bool
	// digest is the blob's digest, computed as it streamed by when nothing
	// else names it.
	digest v1.Hash
}

// streamStore serves the members of a save stream once it has been read.
type streamStore struct {
	members map[string]*streamMember
	links   map[string]string
}

var errStreamed = errors.New("the layer was read as the save stream arrived and cannot be read again")

// resolve follows links between members.
func (s *streamStore) resolve(name string) string {
	for range maxLinkHops {
		t, ok := s.links[name]
		if !ok {
			break
		}
		name = t
	}
	return name
}

func (s *streamStore) member(name string) (*streamMember, error) {
	m := s.members[s.resolve(cleanName(name))]
	if m == nil {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return m, nil
}

func (s *streamStore) has(name string) bool { _, err := s.member(name); return err == nil }

func (s *streamStore) size(name string) (int64, error) {
	m, err := s.member(name)
	if err != nil {
		return 0, err
	}
	return m.size, nil
}

func (s *streamStore) open(name string) (io.ReadCloser, error) {
	m, err := s.member(name)
	if err != nil {
		return nil, err
	}
	if m.data == nil && m.size > 0 {
		return nil, fmt.Errorf("%s: %w", name, errStreamed)
	}
	return io.NopCloser(bytes.NewReader(m.data)), nil
}

func (s *streamStore) readerAt(name string) (io.ReaderAt, io.Closer, error) {
	m, err := s.member(name)
	if err != nil {
		return nil, nil, err
	}
	if m.data != nil {
		return bytes.NewReader(m.data), io.NopCloser(nil), nil
	}
	// The first bytes are all the sniffing of a layer's compression reads.
	return bytes.NewReader(m.head), io.NopCloser(nil), nil
}

func (s *streamStore) readAll(name string) ([]byte, error) {
	m, err := s.member(name)
	if err != nil {
		return nil, err
	}
	if m.data == nil && m.size > 0 {
		return nil, fmt.Errorf("%s is too large for metadata", name)
	}
	return m.data, nil
}

// progressReader reports how many bytes of a stream were read, against the
// total the engine announced (0 when unknown).
type progressReader struct {
	r      io.Reader
	n      int64
	total  int64
	last   int64
	report func(read, total int64)
}

// newProgressReader reports 0 bytes of total read at once, then counts.
func newProgressReader(r io.Reader, total int64, report func(read, total int64)) *progressReader {
	if report != nil {
		report(0, total)
	}
	return &progressReader{r: r, total: total, report: report}
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.report != nil && (p.n-p.last >= 1<<20 || err != nil) {
		p.last = p.n
		p.report(p.n, p.total)
	}
	return n, err
}
