package source

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// RegistryDownloads is how many blobs of one image are downloaded from a
// registry at once, as docker pull does by default: enough to fill a link
// that one connection does not, few enough not to compete with the
// analysis of what arrives for the CPU nor to be throttled by the registry.
const RegistryDownloads = 3

// openRegistry reads an image from a registry without any daemon. Layers are
// fetched lazily by the caller, at most RegistryDownloads at once; their
// Compressed() streams the blob as it arrives and verifies its size and
// digest when it is read to the end.
func openRegistry(ctx context.Context, refStr string, opts Options) (*Image, error) {
	ref, err := parseRegistryRef(refStr)
	if err != nil {
		return nil, err
	}
	host := ref.Context().RegistryStr()
	if insecureHost(host, opts.InsecureRegistries) {
		if ref, err = parseRegistryRef(refStr, name.Insecure); err != nil {
			return nil, err
		}
	}
	ropts, err := remoteOptions(ctx, ref, opts, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return nil, registryError(ctx, err, ref, host)
	}
	var (
		img      v1.Image
		digest   = desc.Digest
		fromIdx  bool
		chosen   platform
		imgError = func(err error) error { return registryError(ctx, err, ref, host) }
	)
	if isIndex(desc.MediaType) {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, imgError(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, imgError(err)
		}
		r := remoteReader{repo: ref.Context(), opts: ropts}
		descs, err := flatten(r, im, nil, 0)
		if err != nil {
			return nil, imgError(err)
		}
		ch, err := selectPlatform(r, descs, opts)
		if err != nil {
			return nil, imgError(err)
		}
		img, err = remote.Image(ref.Context().Digest(ch.desc.Digest.String()), ropts...)
		if err != nil {
			return nil, imgError(err)
		}
		digest, fromIdx, chosen = ch.desc.Digest, true, ch.platform
	} else {
		if img, err = desc.Image(); err != nil {
			return nil, imgError(err)
		}
	}
	if err := checkMetadataSize(img); err != nil {
		return nil, imgError(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, imgError(fmt.Errorf("reading config: %w", err))
	}
	if err := checkPlatform(cfg, opts.Platform); err != nil {
		return nil, err
	}
	p := fromConfig(cfg)
	if !p.known() && fromIdx {
		p = chosen
	}
	return &Image{
		Image:     &registryImage{Image: img, host: host, ctx: ctx},
		Source:    Registry,
		Name:      ref.String(),
		Digest:    digest.String(),
		Platform:  p.String(),
		Downloads: RegistryDownloads,
	}, nil
}

// checkMetadataSize refuses an image whose manifest, or whose configuration
// as the manifest declares it, is larger than metadata may be, before the
// configuration is fetched: a registry declaring a 1.5 GB configuration
// would otherwise have it read into memory.
func checkMetadataSize(img v1.Image) error {
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	if len(raw) > maxJSON {
		return metadataTooLarge("manifest", int64(len(raw)))
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	if m.Config.Size > maxJSON || m.Config.Size < 0 {
		return metadataTooLarge("configuration", m.Config.Size)
	}
	return nil
}

// insecureHost reports whether host is listed (bare or as a URL) among the
// registries reached over plain HTTP.
func insecureHost(host string, list []string) bool {
	for _, h := range list {
		h = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(h, "http://"), "https://"), "/")
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// remoteReader reads nested indexes and configs from a registry.
type remoteReader struct {
	repo name.Repository
	opts []remote.Option
}

func (r remoteReader) index(d v1.Descriptor) (*v1.IndexManifest, error) {
	idx, err := remote.Index(r.repo.Digest(d.Digest.String()), r.opts...)
	if err != nil {
		return nil, err
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, err
	}
	if len(raw) > maxJSON {
		return nil, metadataTooLarge("index", int64(len(raw)))
	}
	return idx.IndexManifest()
}

func (r remoteReader) platformOf(d v1.Descriptor) (platform, error) {
	img, err := remote.Image(r.repo.Digest(d.Digest.String()), r.opts...)
	if err != nil {
		return platform{}, err
	}
	if err := checkMetadataSize(img); err != nil {
		return platform{}, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return platform{}, err
	}
	return fromConfig(cfg), nil
}

// registryError names the registry and the concrete cause: credentials
// refused (with the login command), image missing, or registry unreachable.
func registryError(ctx context.Context, err error, ref name.Reference, host string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrPlatform) || errors.Is(err, ErrNotImage) {
		return err
	}
	if untrusted(err) {
		return &kindError{kind: ErrUntrusted, msg: fmt.Sprintf("registry %s: its TLS certificate is not trusted (%s): use --ca-file FILE or add the CA to the system trust store",
			host, certCause(err))}
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return &kindError{kind: ErrUnauthorized, msg: fmt.Sprintf("registry %s answered %d %s: run `docker login %s`",
				host, terr.StatusCode, http.StatusText(terr.StatusCode), host)}
		case http.StatusNotFound:
			return notFoundf("image %s not found in registry %s", ref, host)
		}
		for _, d := range terr.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode:
				return notFoundf("image %s not found in registry %s", ref, host)
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				return &kindError{kind: ErrUnauthorized, msg: fmt.Sprintf("registry %s refused access: run `docker login %s`", host, host)}
			}
		}
		return fmt.Errorf("registry %s: %w", host, err)
	}
	var (
		op  *net.OpError
		dns *net.DNSError
		ue  *url.Error
	)
	if errors.As(err, &op) || errors.As(err, &dns) || (errors.As(err, &ue) && !strings.Contains(err.Error(), "status")) {
		if (retryable(err) || strings.Contains(err.Error(), "timeout")) && registryNet.backoff.Steps > 1 {
			return unavailable(nil, "cannot reach registry %s: %s (tried %d times)", host, dialCause(err), registryNet.backoff.Steps)
		}
		return unavailable(nil, "cannot reach registry %s: %s", host, dialCause(err))
	}
	return fmt.Errorf("registry %s: %w", host, err)
}

// certCause is the x509 part of a certificate error, without the URL.
func certCause(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "x509: "); i >= 0 {
		msg = msg[i:]
	} else if i := strings.Index(msg, "tls: "); i >= 0 {
		msg = msg[i:]
	}
	if i := strings.IndexAny(msg, ";\n"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
