// Package source turns an image reference (a daemon image, a Podman image, a
// containerd image, a docker save tarball, an OCI layout or archive, or a
// registry reference) into
// a v1.Image ready to be walked, and records what was resolved: the source, the
// digest and the platform.
package source

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Kind names where an image is read from.
type Kind string

// The sources strata reads images from.
const (
	Docker        Kind = "docker"
	Podman        Kind = "podman"
	Containerd    Kind = "containerd"
	DockerArchive Kind = "docker-archive"
	OCI           Kind = "oci"
	OCIArchive    Kind = "oci-archive"
	Registry      Kind = "registry"
)

// Options tune how a reference is resolved and read.
type Options struct {
	// Source forces a source instead of the one the reference implies.
	// The zero value lets the reference decide.
	Source Kind
	// Platform picks one image of a multi-platform index ("os/arch[/variant]").
	// Empty means the host's platform.
	Platform string
	// InsecureRegistries lists registry hosts reached over plain HTTP or
	// over TLS without verifying their certificate. Only these hosts are.
	InsecureRegistries []string
	// CAFile names a PEM file of certificate authorities trusted for
	// registries, besides the system trust store (which SSL_CERT_FILE and
	// SSL_CERT_DIR can point elsewhere).
	CAFile string
	// ContainerdAddress is containerd's socket (a path or unix:///path).
	// Empty means $CONTAINERD_ADDRESS, else /run/containerd/containerd.sock,
	// else the rootless $XDG_RUNTIME_DIR/containerd/containerd.sock.
	ContainerdAddress string
	// ContainerdNamespace is the containerd namespace images are looked up
	// in. Empty means $CONTAINERD_NAMESPACE, else "default".
	ContainerdNamespace string
	// TempDir is where spooled images (daemon, podman) are written.
	// Empty means os.TempDir().
	TempDir string
	// Notify, when set, receives human-readable notes about the resolution
	// (for example the platform chosen from an index).
	Notify func(msg string)
	// SaveProgress, when set, is called as a daemon's save stream is read,
	// with the bytes read so far and the image size the daemon reported
	// (0 when it reported none), at most every MiB and at the end.
	SaveProgress func(read, total int64)
}

// Image is an opened image: its content as a v1.Image plus what was resolved.
//
// Every layer's Compressed() returns the bytes exactly as stored (an
// uncompressed tar, gzip or zstd); callers detect the compression themselves.
// Close releases what opening took (temporary files); it is safe to call twice.
type Image struct {
	v1.Image
	// Reference is the argument as the user gave it.
	Reference string
	// Source is where the image was read from.
	Source Kind
	// Name is the resolved name (tag or path) when there is one.
	Name string
	// Digest is the manifest digest, or the image ID when no manifest digest exists.
	Digest string
	// Platform is "os/arch[/variant]" of the image.
	Platform string
	// Provenance is the in-toto statement with the SLSA provenance that
	// BuildKit attached to the image (an OCI layout built with
	// --provenance), or nil.
	Provenance []byte
	// Downloads is how many of the layers are downloaded at once when they
	// come over the network (from a registry), each streamed to its reader
	// as it arrives; reading more layers at once only waits for a turn. It
	// is 0 when the layers are read from local storage.
	Downloads int

	closers []func() error
	// members are the archive members the layers were read from, when
	// they differ from the layers' own names (links resolved).
	members []string
}

// Close removes temporary files created while opening the image.
func (i *Image) Close() error {
	var first error
	for n := len(i.closers) - 1; n >= 0; n-- {
		if err := i.closers[n](); err != nil && first == nil {
			first = err
		}
	}
	i.closers = nil
	return first
}

// Opener is the signature of Open, for callers that substitute it in tests.
type Opener func(ctx context.Context, ref string, opts Options) (*Image, error)
