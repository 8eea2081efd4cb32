package source

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stratascan/strata/analyzer/inputfile"
)

// netLimits are the time limits and retries of registry requests.
type netLimits struct {
	// dial bounds connecting; handshake the TLS handshake; header the wait
	// for a response's headers; idle the wait for the next bytes of a blob.
	dial, handshake, header, idle time.Duration
	// backoff spaces the attempts of a request that failed on the network
	// (refused, reset, timed out); Steps is the number of attempts.
	backoff remote.Backoff
	// blobRetries is how many times a blob cut mid-stream is fetched again.
	blobRetries int
}

// registryNet holds the limits in force; tests shorten them.
var registryNet = netLimits{
	dial:        10 * time.Second,
	handshake:   10 * time.Second,
	header:      30 * time.Second,
	idle:        60 * time.Second,
	backoff:     remote.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 3},
	blobRetries: 2,
}

// registryTransport is the HTTP transport for one registry host: the
// timeouts above, the system trust store plus opts.CAFile, and TLS
// verification skipped only when the host is among opts.InsecureRegistries.
func registryTransport(host string, opts Options) (http.RoundTripper, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: registryNet.dial, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = registryNet.handshake
	t.ResponseHeaderTimeout = registryNet.header
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CAFile != "" {
		pool, err := caPool(opts.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if insecureHost(host, opts.InsecureRegistries) {
		cfg.InsecureSkipVerify = true // the user named this host with --insecure-registry
	}
	t.TLSClientConfig = cfg
	return t, nil
}

// caPool is the system trust store with the certificates of file added.
func caPool(file string) (*x509.CertPool, error) {
	pem, err := inputfile.ReadFile(file, inputfile.MaxCA)
	if err != nil {
		return nil, fmt.Errorf("reading the CA file %s: %w", file, fileError(unwrapPathError(err)))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA file %s holds no PEM certificate", file)
	}
	return pool, nil
}

// retryable reports whether a request that failed with err is worth another
// attempt: the network failed (refused, reset, cut, timed out), not the
// user (cancelled) nor the registry's answer.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || (errors.As(err, &ne) && ne.Timeout())
}

// remoteOptions are the options of every request to the registry of ref.
func remoteOptions(ctx context.Context, ref name.Reference, opts Options, keychainOpt remote.Option) ([]remote.Option, error) {
	t, err := registryTransport(ref.Context().RegistryStr(), opts)
	if err != nil {
		return nil, err
	}
	return []remote.Option{
		keychainOpt,
		remote.WithContext(ctx),
		remote.WithTransport(t),
		remote.WithRetryBackoff(registryNet.backoff),
		remote.WithRetryPredicate(retryable),
		// The client holds one of these turns from a blob's request until
		// its body is closed.
		remote.WithJobs(RegistryDownloads),
	}, nil
}

// untrusted recognises a TLS certificate the client does not trust. The
// registry client joins the errors of its https and http attempts into one
// message, so the message is read too.
func untrusted(err error) bool {
	if msg := err.Error(); strings.Contains(msg, "tls: failed to verify certificate") || strings.Contains(msg, "x509: certificate") {
		return true
	}
	var (
		ua  x509.UnknownAuthorityError
		cve *tls.CertificateVerificationError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
	)
	return errors.As(err, &ua) || errors.As(err, &cve) || errors.As(err, &he) || errors.As(err, &ci)
}

// registryImage names its registry in the errors of its layers and fetches
// a blob cut mid-stream again.
type registryImage struct {
	v1.Image
	host string
	// ctx is the context the image was opened with: its requests end with it.
	ctx context.Context
}

func (i *registryImage) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", i.host, err)
	}
	out := make([]v1.Layer, len(ls))
	for n, l := range ls {
		out[n] = &registryLayer{Layer: l, img: i}
	}
	return out, nil
}

type registryLayer struct {
	v1.Layer
	img *registryImage
}

// Compressed starts the download of the blob once one of the image's
// RegistryDownloads turns is free, and streams it as it arrives.
func (l *registryLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, l.blobError(0, err)
	}
	return &resumingReader{layer: l, rc: rc}, nil
}

// blobError names the blob and the registry; a stream cut by the network
// also says how far it came.
func (l *registryLayer) blobError(read int64, err error) error {
	if ctxErr := l.img.ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	d, _ := l.Layer.Digest()
	if read > 0 && retryable(err) {
		return fmt.Errorf("reading blob %s from registry %s (cut after %d bytes): %w", d, l.img.host, read, err)
	}
	return fmt.Errorf("reading blob %s from registry %s: %w", d, l.img.host, err)
}

// resumingReader streams a blob; when the stream fails on the network it
// fetches the blob again and skips what was already read (the digest is
// still checked over the whole blob), up to registryNet.blobRetries times.
// A stream that yields nothing for registryNet.idle is closed and counts as
// failed.
type resumingReader struct {
	layer   *registryLayer
	mu      sync.Mutex
	rc      io.ReadCloser // nil between a failed stream and the next
	read    int64
	tries   int
	pending error // a failure met after the bytes last handed over
	closed  bool
}

func (r *resumingReader) Read(p []byte) (int, error) {
	for {
		err := r.pending
		r.pending = nil
		if err == nil {
			var n int
			n, err = r.readOnce(p)
			if err == nil || errors.Is(err, io.EOF) {
				return n, err
			}
			if n > 0 {
				// Hand over what arrived; the failure is dealt with on the
				// next Read.
				r.pending = err
				return n, nil
			}
		}
		if r.tries >= registryNet.blobRetries || !retryable(err) || r.layer.img.ctx.Err() != nil {
			return 0, r.layer.blobError(r.read, err)
		}
		r.tries++
		if err := r.reopen(); err != nil {
			return 0, r.layer.blobError(r.read, err)
		}
	}
}

// readOnce reads from the current stream, closing it when it yields nothing
// for registryNet.idle (the read then fails with a deadline error).
func (r *resumingReader) readOnce(p []byte) (int, error) {
	r.mu.Lock()
	rc, closed := r.rc, r.closed
	r.mu.Unlock()
	if closed {
		return 0, errors.New("read after close")
	}
	var stalled atomic.Bool
	timer := time.AfterFunc(registryNet.idle, func() {
		stalled.Store(true)
		rc.Close()
	})
	n, err := rc.Read(p)
	timer.Stop()
	r.read += int64(n)
	if stalled.Load() {
		err = fmt.Errorf("no data for %s: %w", registryNet.idle, os.ErrDeadlineExceeded)
	}
	return n, err
}

// reopen closes the failed stream, giving back its download turn, waits
// the backoff and fetches the blob again, skipping the bytes already handed
// out.
func (r *resumingReader) reopen() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errors.New("read after close")
	}
	old := r.rc
	r.mu.Unlock()
	old.Close()
	ctx := r.layer.img.ctx
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(registryNet.backoff.Duration):
	}
	rc, err := r.layer.Layer.Compressed()
	if err != nil {
		return err
	}
	if _, err := io.CopyN(io.Discard, rc, r.read); err != nil {
		rc.Close()
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		rc.Close()
		return errors.New("read after close")
	}
	r.rc = rc
	return nil
}

func (r *resumingReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	return r.rc.Close()
}
