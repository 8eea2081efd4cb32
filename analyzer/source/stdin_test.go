package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// within runs f and fails the test if it does not return within limit.
func within(t *testing.T, limit time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("did not return within %s", limit)
		return nil
	}
}

func mkfifo(t *testing.T, p string) string {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImageStreams opens images from standard input ("-") and from named
// pipes, which are spooled and removed on close; devices are refused, a
// pipe with no writer is empty, and a stream that never ends stops when the
// context does.
func TestImageStreams(t *testing.T) {
	isolateEnv(t)
	archive, err := os.ReadFile(singleArchive(t, ociImage(t, "linux/amd64", "hello")))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	opts := Options{TempDir: tmp}
	spooled := func() []string { m, _ := filepath.Glob(filepath.Join(tmp, "strata-stdin-*")); return m }

	setStdin := func(t *testing.T, write func(w *os.File)) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		old := os.Stdin
		os.Stdin = r
		t.Cleanup(func() { os.Stdin = old; r.Close(); w.Close() })
		go write(w)
	}

	t.Run("stdin", func(t *testing.T) {
		for _, ref := range []string{"-", "oci-archive:-"} {
			setStdin(t, func(w *os.File) { w.Write(archive); w.Close() })
			img, err := Open(context.Background(), ref, opts)
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			if len(spooled()) != 1 {
				t.Errorf("%s: spooled files %v, want one while open", ref, spooled())
			}
			if ls, err := img.Layers(); err != nil || len(ls) != 1 {
				t.Errorf("%s: layers %v %v", ref, ls, err)
			}
			img.Close()
			if s := spooled(); len(s) != 0 {
				t.Errorf("%s: %v left behind", ref, s)
			}
		}
	})
	t.Run("empty stdin", func(t *testing.T) {
		setStdin(t, func(w *os.File) { w.Close() })
		_, err := Open(context.Background(), "-", opts)
		wantError(t, err, "-", "standard input is empty")
	})
	t.Run("stdin that never ends", func(t *testing.T) {
		setStdin(t, func(w *os.File) { w.Write(archive[:100]) }) // and never closes
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		err := within(t, 5*time.Second, func() error { _, err := Open(ctx, "-", opts); return err })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if s := spooled(); len(s) != 0 {
			t.Errorf("%v left behind", s)
		}
	})
	t.Run("named pipe", func(t *testing.T) {
		fifo := mkfifo(t, filepath.Join(t.TempDir(), "img.fifo"))
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err == nil {
				w.Write(archive)
				w.Close()
			}
		}()
		time.Sleep(100 * time.Millisecond) // let the writer open its end
		var img *Image
		err := within(t, 10*time.Second, func() (err error) { img, err = Open(context.Background(), fifo, opts); return err })
		if err != nil {
			t.Fatal(err)
		}
		img.Close()
		if s := spooled(); len(s) != 0 {
			t.Errorf("%v left behind", s)
		}
	})
	t.Run("named pipe without a writer", func(t *testing.T) {
		fifo := mkfifo(t, filepath.Join(t.TempDir(), "lonely"))
		err := within(t, 5*time.Second, func() error { _, err := Open(context.Background(), fifo, opts); return err })
		wantError(t, err, fifo, "the pipe is empty")
	})
	for _, dev := range []string{"/dev/zero", "/dev/null", "/dev/urandom"} {
		t.Run(dev, func(t *testing.T) {
			err := within(t, 5*time.Second, func() error { _, err := Open(context.Background(), dev, opts); return err })
			wantError(t, err, dev, "is a character device, not an image file")
		})
	}
	t.Run("index.json a pipe", func(t *testing.T) {
		dir := t.TempDir()
		mkfifo(t, filepath.Join(dir, "index.json"))
		err := within(t, 5*time.Second, func() error { _, err := Open(context.Background(), "oci:"+dir, opts); return err })
		wantError(t, err, "oci:"+dir, "index.json: is a named pipe (FIFO), not a regular file")
	})
}
