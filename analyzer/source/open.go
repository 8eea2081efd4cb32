package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Compile-time check that Open has the Opener signature.
var _ Opener = Open

// Open resolves ref (any form of product.md's "Image references and
// sources") and opens the image. Errors are *Error values naming ref and the
// concrete cause. The returned Image must be closed to remove temporary files.
func Open(ctx context.Context, ref string, opts Options) (*Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Input: ref, Err: err}
	}
	r, err := ParseReference(ref, opts.Source)
	if err != nil {
		return nil, &Error{Input: ref, Err: err}
	}
	if opts.Platform != "" {
		p, err := ParsePlatform(opts.Platform)
		if err != nil {
			return nil, &Error{Input: ref, Err: err}
		}
		opts.Platform = p
	}
	img, err := open(ctx, r, opts)
	if err != nil {
		if img != nil {
			img.Close()
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return nil, wrapInput(ref, err)
	}
	img.Reference = ref
	return img, nil
}

func open(ctx context.Context, r Reference, opts Options) (*Image, error) {
	switch r.Kind {
	case Docker:
		return openDocker(ctx, r.Name, opts)
	case Podman:
		return openPodman(ctx, r.Name, opts)
	case Containerd:
		return openContainerd(ctx, r.Name, opts)
	case Registry:
		return openRegistry(ctx, r.Name, opts)
	case DockerArchive:
		if st, err := os.Stat(r.Path); err == nil && st.IsDir() {
			return nil, errors.New("is a directory; docker-archive expects a tar file (use oci:DIR for an OCI layout)")
		}
		return openArchive(ctx, r.Path, archivePick{tag: r.Tag, index: r.Index}, DockerArchive, opts)
	case OCIArchive:
		if st, err := os.Stat(r.Path); err == nil && st.IsDir() {
			return openLayoutDir(ctx, r.Path, r.Tag, opts)
		}
		return openArchive(ctx, r.Path, archivePick{tag: r.Tag, index: -1}, OCIArchive, opts)
	case OCI:
		return openLayoutDir(ctx, r.Path, r.Tag, opts)
	}
	if r.Path != "" {
		return openPath(ctx, r.Path, opts)
	}
	return openAuto(ctx, r.Name, opts)
}

// openPath sniffs an existing path: an OCI layout directory, else a tar
// holding manifest.json (docker archive) or index.json/oci-layout (OCI).
func openPath(ctx context.Context, p string, opts Options) (*Image, error) {
	if p == Stdin {
		return openArchive(ctx, p, archivePick{index: -1}, "", opts)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fileError(err)
	}
	if st.IsDir() {
		return openLayoutDir(ctx, p, "", opts)
	}
	return openArchive(ctx, p, archivePick{index: -1}, "", opts)
}

// openAuto tries the Docker Engine, then Podman, then containerd, then the
// registry. A source that is unreachable (containerd whose socket does not
// answer included) or lacks the image passes to the next; any other error
// stops the search. When all fail, the message summarises each.
func openAuto(ctx context.Context, name string, opts Options) (*Image, error) {
	var causes []string
	tries := []struct {
		label string
		open  func(context.Context, string, Options) (*Image, error)
	}{
		{"docker", openDocker},
		{"podman", openPodman},
		{"containerd", openContainerd},
		{"registry", openRegistry},
	}
	for _, t := range tries {
		img, err := t.open(ctx, name, opts)
		if err == nil {
			return img, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !isNotFound(err) && !isUnavailable(err) {
			if t.label == "registry" && len(causes) > 0 {
				causes = append(causes, t.label+": "+err.Error())
				break
			}
			return nil, err
		}
		causes = append(causes, t.label+": "+err.Error())
	}
	return nil, notFoundf("image not found in any source (%s)", strings.Join(causes, "; "))
}
