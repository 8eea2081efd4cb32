package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// archiveEntry is one image of a docker save manifest.json.
type archiveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// archivePick says which image of an archive to open.
type archivePick struct {
	tag   string // a RepoTag (docker-archive:PATH:TAG)
	index int    // a position (docker-archive:PATH@N); -1 when absent
	// id and name are hints from a daemon: the inspected image ID and the
	// name it was saved under.
	id, name string
}

// ociBlobName matches members named by their digest in an OCI layout.
var ociBlobName = regexp.MustCompile(`^blobs/sha256/([0-9a-f]{64})$`)

// openTarFile opens and indexes a tar file (or standard input, or a pipe,
// spooled; see openImageFile). The returned cleanup closes the file and
// removes a spooled copy; the caller calls it (usually through the Image's
// closers).
func openTarFile(ctx context.Context, path string, opts Options) (*tarIndex, func() error, error) {
	f, cleanup, err := openImageFile(ctx, path, opts.TempDir)
	if err != nil {
		return nil, nil, err
	}
	closeAll := func() error {
		err := f.Close()
		if cerr := cleanup(); cerr != nil {
			err = cerr
		}
		return err
	}
	idx, err := indexTar(f)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return idx, closeAll, nil
}

// fileError turns an os error into a concrete cause.
func fileError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("file not found")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied")
	}
	return err
}

// openArchive opens a tar file that holds an image: a docker save archive
// (manifest.json), else an OCI layout packed in a tar (index.json or
// oci-layout). want is the source the caller asked for ("" to sniff).
func openArchive(ctx context.Context, path string, pick archivePick, want Kind, opts Options) (*Image, error) {
	idx, closeAll, err := openTarFile(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	var img *Image
	switch {
	case want != OCIArchive && idx.has("manifest.json"):
		img, err = openDockerArchive(idx, tarStore{idx}, path, pick, opts)
	case idx.has("index.json") || idx.has("oci-layout"):
		img, err = openLayout(ctx, tarStore{idx}, path, pick.tag, opts)
		if img != nil {
			img.Source = OCIArchive
		}
	case want == OCIArchive:
		err = notImagef("no index.json or oci-layout in the archive")
	default:
		err = notImagef("no manifest.json or index.json in the archive")
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	img.closers = append(img.closers, closeAll)
	return img, nil
}

// archiveIndex is what reading a docker archive's manifest needs of the
// archive: which members exist, and the content of small ones.
type archiveIndex interface {
	has(name string) bool
	readAll(name string) ([]byte, error)
}

// openDockerArchive reads a docker save archive through its manifest.json:
// legacy (<id>/layer.tar), Docker 25+ (blobs/sha256/...), kaniko (<sha>.tar.gz
// and a config named sha256:<hex>).
func openDockerArchive(idx archiveIndex, st store, path string, pick archivePick, opts Options) (*Image, error) {
	raw, err := idx.readAll("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("reading manifest.json: %w", err)
	}
	var entries []archiveEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("parsing manifest.json: %w", err)
	}
	n, err := pickEntry(entries, pick)
	if err != nil {
		return nil, err
	}
	e := entries[n]
	if e.Config == "" {
		return nil, fmt.Errorf("manifest.json entry %d names no config", n)
	}
	rawConfig, err := idx.readAll(e.Config)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("manifest names missing config %s", e.Config)
		}
		return nil, fmt.Errorf("reading config %s: %w", e.Config, err)
	}
	si, err := newStoredImage(rawConfig, e.Layers, st)
	if err != nil {
		return nil, err
	}
	for _, l := range si.layers {
		l.docker = true
		if m := ociBlobName.FindStringSubmatch(cleanName(l.name)); m != nil {
			l.digest = v1.Hash{Algorithm: "sha256", Hex: m[1]}
			l.verify = true
		}
	}
	if err := checkPlatform(si.config, opts.Platform); err != nil {
		return nil, err
	}
	img := &Image{
		Image:    si,
		Source:   DockerArchive,
		Name:     path,
		Digest:   si.configDigest.String(),
		Platform: fromConfig(si.config).String(),
	}
	switch {
	case pick.tag != "":
		img.Name = pick.tag
	case len(e.RepoTags) > 0:
		img.Name = e.RepoTags[0]
	}
	return img, nil
}

// pickEntry chooses one image of a manifest.json.
func pickEntry(entries []archiveEntry, pick archivePick) (int, error) {
	if len(entries) == 0 {
		return 0, notImagef("manifest.json lists no images")
	}
	if pick.index >= 0 {
		if pick.index >= len(entries) {
			return 0, fmt.Errorf("@%d is out of range: the archive holds %s", pick.index, listEntries(entries))
		}
		return pick.index, nil
	}
	if pick.tag != "" {
		if n := matchTag(entries, pick.tag); n >= 0 {
			return n, nil
		}
		return 0, notFoundf("tag %s not in the archive, which holds %s", pick.tag, listEntries(entries))
	}
	if pick.id != "" {
		hex := strings.TrimPrefix(pick.id, "sha256:")
		for n, e := range entries {
			if strings.Contains(e.Config, hex) {
				return n, nil
			}
		}
	}
	if pick.name != "" {
		if n := matchTag(entries, pick.name); n >= 0 {
			return n, nil
		}
	}
	if len(entries) == 1 {
		return 0, nil
	}
	return 0, fmt.Errorf("the archive holds %d images; pick one with :TAG or @N: %s", len(entries), listEntries(entries))
}

// matchTag finds an entry by repo tag: exactly, else as equal references
// after normalisation (foo ≡ foo:latest ≡ docker.io/library/foo:latest ≡
// localhost/foo:latest for Podman's names).
func matchTag(entries []archiveEntry, tag string) int {
	for n, e := range entries {
		for _, t := range e.RepoTags {
			if t == tag {
				return n
			}
		}
	}
	want := normalizeRef(tag)
	for n, e := range entries {
		for _, t := range e.RepoTags {
			if have := normalizeRef(t); want != "" && (have == want || have == normalizeRef("localhost/"+tag)) {
				return n
			}
		}
	}
	return -1
}

func normalizeRef(s string) string {
	r, err := name.ParseReference(s)
	if err != nil {
		return ""
	}
	return r.Name()
}

func listEntries(entries []archiveEntry) string {
	parts := make([]string, len(entries))
	for n, e := range entries {
		tags := "untagged"
		if len(e.RepoTags) > 0 {
			tags = strings.Join(e.RepoTags, ", ")
		}
		parts[n] = fmt.Sprintf("@%d [%s]", n, tags)
	}
	return strings.Join(parts, ", ")
}
