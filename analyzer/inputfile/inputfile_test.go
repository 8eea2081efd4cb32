package inputfile_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer/inputfile"
)

// TestReadFile names everything but a small regular file where one is
// expected: each is refused at once, with what it is, and never blocks or
// reads past the bound.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 1025), 0o644)
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("rules: {}\n"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(fifo, link)
	tests := []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{link, "is a named pipe (FIFO), not a regular file"},
		{"/dev/zero", "is a character device, not a regular file"},
		{"/dev/null", "is a character device, not a regular file"},
		{"/dev/stdin", ""}, // whatever the test's stdin is, never a hang
		{dir, "is a directory, not a regular file"},
		{sock, "no such device or address"},
		{big, "is larger than 1024 bytes"},
		{filepath.Join(dir, "missing"), "no such file or directory"},
		{small, ""},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() { _, err := inputfile.ReadFile(tt.path, 1024); done <- err }()
		select {
		case err := <-done:
			if tt.path == "/dev/stdin" {
				continue
			}
			if tt.want == "" && err != nil {
				t.Errorf("%s: %v", tt.path, err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("%s: error %v, want one holding %q", tt.path, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("reading %s did not return", tt.path)
		}
	}
	_, err = inputfile.ReadFile(big, 1024)
	var tl *inputfile.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 1024 {
		t.Errorf("too large: %v", err)
	}
	_, err = inputfile.ReadFile(fifo, 1024)
	var nr *inputfile.NotRegularError
	if !errors.As(err, &nr) {
		t.Errorf("fifo: %v, want a NotRegularError", err)
	}
}
