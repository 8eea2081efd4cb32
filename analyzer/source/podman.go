package source

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// podmanSockets lists Podman API sockets to try, in order: $CONTAINER_HOST,
// the rootful socket, the rootless one. Default sockets that do not exist are
// left out.
func podmanSockets() []string {
	var out []string
	if h := os.Getenv("CONTAINER_HOST"); h != "" {
		out = append(out, h)
	}
	if p := "/run/podman/podman.sock"; exists(p) {
		out = append(out, "unix://"+p)
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if p := filepath.Join(d, "podman", "podman.sock"); exists(p) {
			out = append(out, "unix://"+p)
		}
	}
	return out
}

// podmanNames is the name as given and, for a short name, Podman's own
// spelling of locally built images (localhost/NAME).
func podmanNames(name string) []string {
	names := []string{name}
	if !strings.HasPrefix(name, "localhost/") && !strings.HasPrefix(name, "sha256:") && !isHexID(name) {
		first := strings.SplitN(name, "/", 2)[0]
		if !strings.ContainsAny(first, ".:") || !strings.Contains(name, "/") {
			names = append(names, "localhost/"+name)
		}
	}
	return names
}

func isHexID(s string) bool {
	if len(s) < 12 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// openPodman reads an image from Podman, through its API socket when one
// answers, else through `podman image save`: the save stream is written to
// a temporary file as it arrives, removed by Image.Close.
func openPodman(ctx context.Context, name string, opts Options) (*Image, error) {
	s, err := podmanSaver(ctx, opts)
	if err != nil {
		return nil, err
	}
	var img *Image
	if e, ok := s.(*engine); ok {
		img, err = openFromEngine(ctx, e, podmanNames(name), opts)
	} else {
		img, err = streamFromEngine(ctx, s, podmanNames(name), opts, true, skipLayer)
	}
	if err != nil {
		return nil, err
	}
	img.Source = Podman
	return img, nil
}

// skipLayer is a LayerFunc that reads nothing.
func skipLayer(StreamLayer, io.Reader) error { return nil }

// podmanSaver is the first Podman API socket that answers, else the podman
// command.
func podmanSaver(ctx context.Context, opts Options) (saver, error) {
	var tried []string
	for _, host := range podmanSockets() {
		e, err := newEngine(endpoint{Host: host}, "Podman API")
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		if err := e.ping(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			tried = append(tried, err.Error())
			continue
		}
		return e, nil
	}
	cli, err := newPodmanCLI(opts)
	if err != nil {
		if len(tried) > 0 {
			return nil, unavailable(nil, "%s; %s", strings.Join(tried, "; "), err)
		}
		return nil, err
	}
	return cli, nil
}

// firstLine is the first line of msg, or err's message when msg is empty.
func firstLine(msg string, err error) string {
	if msg == "" {
		if err == nil {
			return "no message"
		}
		return err.Error()
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
