package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// Timeouts for talking to an Engine API. Saving an image has no overall
// deadline (images can be large); it follows ctx.
const (
	dialTimeout = 5 * time.Second
	pingTimeout = 10 * time.Second
)

// engine is a minimal Docker Engine API client (also used for Podman's
// Docker-compatible API): ping, inspect an image, save an image.
type engine struct {
	what    string // "Docker daemon" or "Podman API", for messages
	host    string
	base    string // URL prefix: http://engine, http://host:port or https://host:port
	client  *http.Client
	version string // "/v1.47" once negotiated, "" for unversioned paths
}

// newEngine builds a client for an endpoint. It does not connect.
func newEngine(ep endpoint, what string) (*engine, error) {
	u, err := url.Parse(ep.Host)
	if err != nil {
		return nil, fmt.Errorf("bad %s host %q: %w", what, ep.Host, err)
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 nil,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   dialTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
	e := &engine{what: what, host: ep.Host, client: &http.Client{Transport: tr}}
	switch u.Scheme {
	case "unix":
		sock := u.Path
		if sock == "" {
			sock = u.Opaque
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", sock)
		}
		e.base = "http://engine"
	case "tcp", "http", "https":
		tr.DialContext = dialer.DialContext
		scheme := "http"
		if ep.TLS != nil || u.Scheme == "https" {
			scheme = "https"
			tr.TLSClientConfig = ep.TLS
		}
		e.base = scheme + "://" + u.Host
	case "ssh":
		return nil, fmt.Errorf("%s host %s: ssh:// hosts are not supported; forward the socket (ssh -L) and use unix:// or tcp://", what, ep.Host)
	default:
		return nil, fmt.Errorf("%s host %s: unsupported scheme %q (want unix:// or tcp://)", what, ep.Host, u.Scheme)
	}
	return e, nil
}

// ping checks that the engine answers and negotiates the API version: the
// server's Api-Version header (or $DOCKER_API_VERSION) is used in paths.
func (e *engine) ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, e.base+"/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return unavailable(nil, "cannot reach the %s at %s: %s", e.what, e.host, dialCause(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return unavailable(nil, "the %s at %s answered /_ping with %s", e.what, e.host, resp.Status)
	}
	v := os.Getenv("DOCKER_API_VERSION")
	if v == "" {
		v = resp.Header.Get("Api-Version")
	}
	if v != "" {
		e.version = "/v" + strings.TrimPrefix(v, "v")
	}
	return nil
}

// engineImage is the part of an image inspection strata uses.
type engineImage struct {
	ID           string `json:"Id"`
	RepoTags     []string
	Os           string
	Architecture string
	Variant      string
	// Size is the image's size as the engine counts it (its layers'
	// uncompressed content); 0 when not reported.
	Size int64
	// RootFS lists the layers' diffIDs, in order.
	RootFS struct {
		Layers []string
	}
}

// inspect returns the image's ID and platform; a missing image is ErrNotFound.
func (e *engine) inspect(ctx context.Context, name string) (*engineImage, error) {
	resp, err := e.get(ctx, "/images/"+name+"/json", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, notFoundf("image %s not found in the %s", name, e.what)
	default:
		return nil, e.statusError(resp, "inspecting image "+name)
	}
	var img engineImage
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSON)).Decode(&img); err != nil {
		return nil, fmt.Errorf("decoding the %s's image inspection: %w", e.what, err)
	}
	return &img, nil
}

// saveStream starts `docker save NAME` and returns the stream.
func (e *engine) saveStream(ctx context.Context, name string) (io.ReadCloser, error) {
	resp, err := e.get(ctx, "/images/get", url.Values{"names": {name}})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, e.statusError(resp, "saving image "+name)
	}
	return resp.Body, nil
}

// save streams `docker save NAME` once into a new file in opts.TempDir and
// returns its path, reporting the bytes saved against size. The file is
// removed when saving fails or ctx ends.
func (e *engine) save(ctx context.Context, name string, size int64, opts Options) (path string, err error) {
	body, err := e.saveStream(ctx, name)
	if err != nil {
		return "", err
	}
	defer body.Close()
	f, err := os.CreateTemp(opts.TempDir, "strata-save-*.tar")
	if err != nil {
		return "", fmt.Errorf("creating a temporary file for the saved image: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("writing %s: %w", f.Name(), cerr)
		}
		if err != nil {
			os.Remove(f.Name())
			path = ""
		}
	}()
	in := newProgressReader(body, size, opts.SaveProgress)
	if _, err := io.Copy(f, in); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("streaming the saved image from the %s: %w", e.what, err)
	}
	return f.Name(), nil
}

// get issues a GET under the negotiated API version.
func (e *engine) get(ctx context.Context, p string, q url.Values) (*http.Response, error) {
	u, err := url.Parse(e.base)
	if err != nil {
		return nil, err
	}
	u.Path = e.version + p
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("bad request for %s: %w", p, err)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(nil, "cannot reach the %s at %s: %s", e.what, e.host, dialCause(err))
	}
	return resp, nil
}

// statusError turns an unexpected answer into an error carrying the engine's
// message ({"message": "..."}).
func (e *engine) statusError(resp *http.Response, doing string) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var m struct {
		Message string `json:"message"`
	}
	msg := strings.TrimSpace(string(b))
	if json.Unmarshal(b, &m) == nil && m.Message != "" {
		msg = m.Message
	}
	if msg == "" {
		return fmt.Errorf("%s: the %s answered %s", doing, e.what, resp.Status)
	}
	return fmt.Errorf("%s: the %s answered %s: %s", doing, e.what, resp.Status, msg)
}

// dialCause extracts the concrete reason a connection failed ("connection
// refused", "no such file or directory", "i/o timeout").
func dialCause(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT:
			return "no such socket (is the daemon running?)"
		case syscall.ECONNREFUSED:
			return "connection refused"
		case syscall.EACCES:
			return "permission denied"
		}
		return errno.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "cannot resolve " + dnsErr.Name
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

func (e *engine) label() string { return e.what }
