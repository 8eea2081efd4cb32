package walk_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stratascan/strata/analyzer/walk"
)

// TestUnsupportedFormats feeds layers in formats strata recognises but
// does not read (real files, made by bzip2, xz, lzma, lz4 and zip): each
// says what it is, never "truncated tar stream". Tars whose first name
// starts with one of the magic strings are still read.
func TestUnsupportedFormats(t *testing.T) {
	for file, want := range map[string]string{
		"layer.tar.bz2":  "a bzip2 stream",
		"layer.tar.xz":   "an xz stream",
		"layer.tar.lzma": "an lzma stream",
		"layer.tar.lz4":  "an lz4 stream",
		"layer.zip":      "a zip archive",
		"empty.zip":      "an empty zip archive",
	} {
		t.Run(file, func(t *testing.T) {
			blob, err := os.ReadFile(filepath.Join("testdata", "formats", file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = walk.Layer(context.Background(), bytes.NewReader(blob), walk.Options{})
			var ue *walk.UnsupportedFormatError
			if !errors.As(err, &ue) || ue.Format != want {
				t.Fatalf("error %v, want an UnsupportedFormatError for %s", err, want)
			}
			const tail = "which strata does not read: a layer must be a tar archive, plain or compressed with gzip or zstd"
			if got := err.Error(); got != "the layer is "+want+", "+tail {
				t.Errorf("message %q", got)
			}
		})
	}
	for _, name := range []string{"BZh", "BZhx", "BZh9", "PK", "LZIP", "Rar!"} {
		layer := makeTar(t, hdr{name: name, typ: tar.TypeReg, body: "data"})
		res, err := walk.Layer(context.Background(), bytes.NewReader(layer), walk.Options{})
		if err != nil || len(res.Entries) != 1 || res.Entries[0].Path != "/"+name {
			t.Errorf("a tar whose first name is %q: %v", name, err)
		}
	}
}
