package analyzer_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/fixtures"
)

func extractImage() fixtures.Image {
	big := strings.Repeat("0123456789abcdef", 80<<10) // 1.25 MiB: streamed, not buffered
	return fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{
			fixtures.Dir("etc/"),
			fixtures.File("etc/os-release", "ID=demo\n"),
			fixtures.Symlink("etc/link", "os-release"),
		}},
		{CreatedBy: "app", Entries: []fixtures.Entry{
			fixtures.Dir("app/"),
			fixtures.File("app/a.txt", "first\n"),
			fixtures.File("app/a.txt", "second wins\n"),
			fixtures.Hardlink("app/b.txt", "app/a.txt"),
			fixtures.File("app/big.bin", big),
			fixtures.File("app/big.bin", big+"tail"),
		}},
	}}
}

func TestReadFile(t *testing.T) {
	ctx := context.Background()
	for _, c := range fixtures.Compressions() {
		t.Run(string(c), func(t *testing.T) {
			img, err := fixtures.Build(extractImage(), c)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				layer int
				path  string
				limit int64
				want  string
				err   error
			}{
				{0, "/etc/os-release", -1, "ID=demo\n", nil},
				{0, "etc/os-release", 2, "ID", nil},
				{1, "/app/a.txt", -1, "second wins\n", nil},
				{1, "/app/b.txt", -1, "second wins\n", nil},
				{1, "/etc/os-release", -1, "", analyzer.ErrNotInLayer},
				{0, "/etc/link", -1, "", analyzer.ErrNotRegular},
				{0, "/etc", -1, "", analyzer.ErrNotRegular},
			}
			for _, tc := range tests {
				got, err := analyzer.ReadFile(ctx, img, tc.layer, tc.path, tc.limit)
				if !errors.Is(err, tc.err) {
					t.Errorf("ReadFile(%d, %s): err = %v, want %v", tc.layer, tc.path, err, tc.err)
					continue
				}
				if string(got) != tc.want {
					t.Errorf("ReadFile(%d, %s) = %q, want %q", tc.layer, tc.path, got, tc.want)
				}
			}
			var buf bytes.Buffer
			if err := analyzer.CopyFile(ctx, img, 1, "/app/big.bin", &buf); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(buf.String(), "tail") || buf.Len() != 80<<10*16+4 {
				t.Errorf("CopyFile(big.bin): %d bytes, want the last entry", buf.Len())
			}
			head, err := analyzer.ReadFile(ctx, img, 1, "/app/big.bin", 10)
			if err != nil || string(head) != "0123456789" {
				t.Errorf("ReadFile(big.bin, 10) = %q, %v", head, err)
			}
			if _, err := analyzer.ReadFile(ctx, img, 5, "/app/a.txt", -1); err == nil {
				t.Error("ReadFile of a missing layer succeeded")
			}
		})
	}
}

func TestReadFileCancelled(t *testing.T) {
	img, err := fixtures.Build(extractImage(), fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := analyzer.ReadFile(ctx, img, 1, "/app/a.txt", -1); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
