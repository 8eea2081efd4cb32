package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stratascan/strata/fixtures"
)

func render(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// TestWriteOutputRegular replaces a file whole and leaves it untouched when
// rendering fails.
func TestWriteOutputRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(p, []byte("old"), 0o600)
	if err := writeOutput(p, nil, render("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q, want new", b)
	}
	boom := errors.New("boom")
	if err := writeOutput(p, nil, func(w io.Writer) error { io.WriteString(w, "partial"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("a failed render changed the file: %q", b)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestWriteOutputSpecial writes into a pipe and /dev/null in place: renaming
// a temporary file over them, as root, would replace the device or the pipe
// with a regular file.
func TestWriteOutputSpecial(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		fixtures.Skip(t, "mkfifo: %v", err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	if err := writeOutput(fifo, nil, render("through the pipe")); err != nil {
		t.Fatal(err)
	}
	// Checked first: the /dev/null part below runs only when the pipe
	// survived, so that a regression cannot replace the machine's
	// /dev/null.
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced: %v, %v", st.Mode(), err)
	}
	if b := <-got; !bytes.Equal(b, []byte("through the pipe")) {
		t.Errorf("the pipe's reader got %q", b)
	}

	before, err := os.Lstat(os.DevNull)
	if err != nil || before.Mode()&os.ModeDevice == 0 {
		fixtures.Skip(t, "%s is not a device here (%v)", os.DevNull, before.Mode())
	}
	if err := writeOutput(os.DevNull, nil, render("discarded")); err != nil {
		t.Fatal(err)
	}
	after, err := os.Lstat(os.DevNull)
	if err != nil || after.Mode() != before.Mode() {
		t.Fatalf("%s changed from %v to %v (%v)", os.DevNull, before.Mode(), after.Mode(), err)
	}
}
