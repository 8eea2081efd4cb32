package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// containerdLeaseExpiry bounds how long the lease that keeps an image's
// blobs from containerd's garbage collector outlives a strata that was
// killed before it could delete it.
const containerdLeaseExpiry = 24 * time.Hour

// openContainerd reads an image straight from containerd's content store:
// the image record names the root descriptor, and the index, manifest,
// config and layer blobs are read in place over the API (no export, no
// temporary file). A lease keeps the blobs from the garbage collector while
// the image is open; Close deletes it.
func openContainerd(ctx context.Context, name string, opts Options) (_ *Image, err error) {
	t, err := resolveContainerdTarget(opts)
	if err != nil {
		return nil, err
	}
	if err := dialContainerd(t); err != nil {
		return nil, err
	}
	c, err := containerd.New(t.socket, containerd.WithTimeout(dialTimeout))
	if err != nil {
		return nil, unavailable(err, "connecting to containerd at %s", t.socket)
	}
	var closers []func() error
	defer func() {
		if err != nil {
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}
	}()
	closers = append(closers, c.Close)

	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	_, err = c.Version(pctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(nil, "containerd at %s (from %s) does not answer (is it containerd's socket?): %s", t.socket, t.socketFrom, grpcCause(err))
	}

	nctx := namespaces.WithNamespace(ctx, t.namespace)
	lctx, cancel := context.WithTimeout(nctx, blobStall)
	defer cancel()
	rec, err := findContainerdImage(lctx, c, t, name)
	if err != nil {
		return nil, err
	}

	lease, err := c.LeasesService().Create(lctx, leases.WithRandomID(), leases.WithExpiration(containerdLeaseExpiry),
		leases.WithLabel("strata.lease", "reading "+rec.Name))
	if err != nil {
		return nil, containerdError(ctx, err, "creating a lease in %s", t.where())
	}
	closers = append(closers, func() error {
		dctx, cancel := context.WithTimeout(namespaces.WithNamespace(context.Background(), t.namespace), pingTimeout)
		defer cancel()
		if err := c.LeasesService().Delete(dctx, lease); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("deleting lease %s in %s: %w", lease.ID, t.where(), err)
		}
		return nil
	})

	// Reads follow ctx and stop when the image is closed.
	rctx, stop := context.WithCancel(leases.WithLease(nctx, lease.ID))
	closers = append(closers, func() error { stop(); return nil })
	st := &contentStore{ctx: rctx, cs: c.ContentStore(), t: t, image: rec.Name, leases: c.LeasesService(), lease: lease,
		localRoot: contentRoot(lctx, c)}

	root, err := descriptorOf(rec)
	if err != nil {
		return nil, err
	}
	if err := st.hold(root); err != nil {
		return nil, err
	}
	desc, chosen, err := st.chooseManifest(root, opts)
	if err != nil {
		return nil, err
	}
	si, err := st.checkedImage(desc, chosen)
	if err != nil {
		return nil, err
	}
	if err := checkPlatform(si.config, opts.Platform); err != nil {
		return nil, err
	}
	p := fromConfig(si.config)
	if !p.known() {
		p = chosen
	}
	return &Image{
		Image:    si,
		Source:   Containerd,
		Name:     rec.Name,
		Digest:   desc.Digest.String(),
		Platform: p.String(),
		closers:  closers,
	}, nil
}

// contentRoot asks containerd where its content store keeps blobs; "" when
// it does not say or the directory is not readable from here.
func contentRoot(ctx context.Context, c *containerd.Client) string {
	resp, err := c.IntrospectionService().Plugins(ctx, "id==content")
	if err != nil {
		return ""
	}
	for _, p := range resp.Plugins {
		if p.Type != "io.containerd.content.v1" {
			continue
		}
		root := p.Exports["root"]
		if !filepath.IsAbs(root) {
			return ""
		}
		if st, err := os.Stat(filepath.Join(root, "blobs")); err != nil || !st.IsDir() {
			return ""
		}
		return root
	}
	return ""
}

// descriptorOf turns an image record's target into a v1.Descriptor.
func descriptorOf(rec images.Image) (v1.Descriptor, error) {
	h, err := v1.NewHash(rec.Target.Digest.String())
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("image %s has target digest %q: %w", rec.Name, rec.Target.Digest, err)
	}
	return v1.Descriptor{MediaType: types.MediaType(rec.Target.MediaType), Size: rec.Target.Size, Digest: h}, nil
}

// containerdNames is the name as given, then as containerd's tools
// normalise it (nginx → docker.io/library/nginx:latest).
func containerdNames(name string) []string {
	out := []string{name}
	if n, err := reference.ParseDockerRef(name); err == nil && n.String() != name {
		out = append(out, n.String())
	}
	return out
}

// findContainerdImage looks name up in the target namespace: by name as
// given, normalised, or by the digest of its target (sha256:… or a prefix of
// at least 12 hex digits). When it is missing, the error lists the other
// namespaces that have it.
func findContainerdImage(ctx context.Context, c *containerd.Client, t containerdTarget, name string) (images.Image, error) {
	rec, err := lookupImage(ctx, c.ImageService(), name)
	if err == nil {
		return rec, nil
	}
	if !errdefs.IsNotFound(err) {
		return rec, containerdError(ctx, err, "looking up image %s in %s", name, t.where())
	}
	all, lerr := c.NamespaceService().List(ctx)
	if lerr != nil {
		return rec, notFoundf("image %s not found in %s", name, t.where())
	}
	sort.Strings(all)
	var others []string
	for _, ns := range all {
		if ns == t.namespace {
			continue
		}
		if _, err := lookupImage(namespaces.WithNamespace(ctx, ns), c.ImageService(), name); err == nil {
			others = append(others, ns)
		}
	}
	switch len(others) {
	case 0:
	case 1:
		return rec, notFoundf("image %s not found in %s, but namespace %s has it: add --containerd-namespace %s",
			name, t.where(), others[0], others[0])
	default:
		return rec, notFoundf("image %s not found in %s, but namespaces %s have it: add --containerd-namespace %s (or another of them)",
			name, t.where(), strings.Join(others, ", "), others[0])
	}
	return rec, notFoundf("image %s not found in %s (nor in its other namespaces: %s)", name, t.where(), listOr(all, t.namespace))
}

func listOr(all []string, except string) string {
	var out []string
	for _, ns := range all {
		if ns != except {
			out = append(out, ns)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// lookupImage finds one image record by name or target digest.
func lookupImage(ctx context.Context, is images.Store, name string) (images.Image, error) {
	for _, n := range containerdNames(name) {
		rec, err := is.Get(ctx, n)
		if err == nil || !errdefs.IsNotFound(err) {
			return rec, err
		}
	}
	hexID := strings.TrimPrefix(name, "sha256:")
	if !isHexID(hexID) {
		return images.Image{}, errdefs.ErrNotFound
	}
	list, err := is.List(ctx)
	if err != nil {
		return images.Image{}, err
	}
	var found []images.Image
	for _, rec := range list {
		if strings.HasPrefix(rec.Target.Digest.Encoded(), hexID) {
			found = append(found, rec)
		}
	}
	switch {
	case len(found) == 0:
		return images.Image{}, errdefs.ErrNotFound
	case len(found) > 1 && found[0].Target.Digest != found[len(found)-1].Target.Digest:
		return images.Image{}, fmt.Errorf("digest prefix %s matches several images: use more digits", hexID)
	}
	return found[0], nil
}

// containerdError names what was being done and the cause, keeping
// cancellation as it is.
func containerdError(ctx context.Context, err error, format string, args ...any) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := fmt.Sprintf(format, args...)
	if errdefs.IsUnavailable(err) {
		return unavailable(nil, "%s: containerd does not answer: %s", msg, grpcCause(err))
	}
	if errdefs.IsPermissionDenied(err) {
		return fmt.Errorf("%s: permission denied: %s", msg, permissionHint())
	}
	return fmt.Errorf("%s: %s", msg, grpcCause(err))
}

// grpcCause keeps the message of a gRPC error without its "rpc error: code
// = … desc =" wrapping.
func grpcCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "desc = "); i >= 0 {
		s = s[i+len("desc = "):]
	}
	return s
}
