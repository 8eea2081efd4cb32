package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// TestWriteOutputModes: a file replaced keeps its mode; a new file gets
// 0666 less the umask, whatever the umask.
func TestWriteOutputModes(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o600, 0o640, 0o755, 0o444} {
		p := filepath.Join(dir, fmt.Sprintf("existing-%o", mode))
		os.WriteFile(p, []byte("old"), 0o600)
		os.Chmod(p, mode)
		if err := writeOutput(p, nil, render("new")); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != mode {
			t.Errorf("replacing a %o file left it %o", mode, st.Mode().Perm())
		}
	}
	for _, umask := range []int{0o022, 0o077, 0o002, 0o027} {
		old := syscall.Umask(umask)
		p := filepath.Join(dir, fmt.Sprintf("new-%o", umask))
		err := writeOutput(p, nil, render("new"))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != os.FileMode(0o666&^umask) {
			t.Errorf("umask %03o: new file %o, want %o", umask, st.Mode().Perm(), 0o666&^umask)
		}
	}
}

// TestWriteOutputThroughLink: a symbolic link to the report stays a link;
// the file it leads to is replaced, from a temporary file beside it.
func TestWriteOutputThroughLink(t *testing.T) {
	real, links := t.TempDir(), t.TempDir()
	target := filepath.Join(real, "report.json")
	os.WriteFile(target, []byte("old"), 0o640)
	link := filepath.Join(links, "report.json")
	os.Symlink(target, link)
	if err := writeFileOutput(output{"--write-baseline", link}, nil, render("new")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target = %q, want new", b)
	}
	if left, _ := filepath.Glob(filepath.Join(links, ".*")); len(left) > 0 {
		t.Errorf("temporary files beside the link: %v", left)
	}
	// Errors name the flag that gave the path.
	err := writeFileOutput(output{"--write-baseline", filepath.Join(real, "missing", "b.json")}, nil, render("x"))
	if err == nil || !strings.HasPrefix(err.Error(), "--write-baseline ") {
		t.Errorf("error %v, want it to name --write-baseline", err)
	}
}

// TestCheckOutputs refuses outputs that would overwrite an input or each
// other, or that name a directory, and accepts distinct files.
func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	img := filepath.Join(dir, "img.tar")
	os.WriteFile(img, []byte("x"), 0o644)
	os.Symlink(img, filepath.Join(dir, "img-link.tar"))
	os.Link(img, filepath.Join(dir, "img-hard.tar"))
	layout := filepath.Join(dir, "layout")
	os.Mkdir(layout, 0o755)
	tests := []struct {
		name   string
		inputs []string
		outs   []output
		want   string // "" for no error
	}{
		{"distinct", inputPaths(img), []output{{"-o", "r.json"}, {"--report sarif", "r.sarif"}}, ""},
		{"the image", inputPaths(img), []output{{"-o", img}}, "is the input"},
		{"the image, relative", inputPaths("img.tar"), []output{{"-o", "./img.tar"}}, "is the input"},
		{"the image with a transport", inputPaths("docker-archive:img.tar:app:1"), []output{{"-o", "img.tar"}}, "is the input"},
		{"the image through a link", inputPaths(img), []output{{"-o", "img-link.tar"}}, "is the input"},
		{"the image through a hard link", inputPaths(img), []output{{"-o", "img-hard.tar"}}, "is the input"},
		{"inside an OCI layout", inputPaths("oci:" + layout), []output{{"-o", "layout/index.json"}}, "is the input"},
		{"the configuration", []string{".strata.yaml"}, []output{{"--report json", ".strata.yaml"}}, "is the input"},
		{"one file twice", nil, []output{{"-o", "r.json"}, {"--report json", "./r.json"}}, "both name one file"},
		{"report and baseline", nil, []output{{"--report junit", "b.json"}, {"--write-baseline", dir + "/b.json"}}, "both name one file"},
		{"two to stdout", nil, []output{{"-o", ""}, {"--report json", "-"}}, "each sends a document to stdout"},
		{"two to stdout by name", nil, []output{{"-o", "-"}, {"--write-baseline", "/dev/stdout"}}, "each sends a document to stdout"},
		{"a directory", nil, []output{{"-o", "out/"}}, "is a directory"},
		{"an existing directory", nil, []output{{"-o", dir}}, "is a directory"},
	}
	for _, tc := range tests {
		err := checkOutputs(tc.inputs, tc.outs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		case err != nil && !strings.Contains(err.Error(), tc.outs[len(tc.outs)-1].flag):
			t.Errorf("%s: error %v does not name the flag", tc.name, err)
		}
		var ee *exitError
		if err != nil && (!errors.As(err, &ee) || ee.code != exitUsage) {
			t.Errorf("%s: not a usage error", tc.name)
		}
	}
}
