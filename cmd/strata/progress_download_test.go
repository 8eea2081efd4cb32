package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
)

// TestProgressSaysDownloading: a registry image's reading is called a
// download, on a terminal and in the phase lines, with the bytes against
// the manifest's total and an estimate of the time left.
func TestProgressSaysDownloading(t *testing.T) {
	read := analyzer.Progress{Phase: analyzer.PhaseRead, Layer: -1, Layers: 6, TotalBytes: 6_300_000, Downloading: true}
	if got, want := phaseLine(read), "downloading 6.3 MB in 6 layers"; got != want {
		t.Errorf("phase line %q, want %q", got, want)
	}
	var buf bytes.Buffer
	p := &progress{w: &buf, tty: true, ref: "registry://example.com/app:1", start: time.Now()}
	read.ReadBytes, read.LayersDone, read.Elapsed = 2_100_000, 2, 2*time.Second
	p.update(read)
	got := buf.String()
	for _, want := range []string{"\rDownloading [", " 33%", "2.1 MB / 6.3 MB", "2/6 layers", "ETA 4s"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
	read.Downloading = false
	if got := phaseLine(read); !strings.HasPrefix(got, "reading ") {
		t.Errorf("phase line %q of a local image, want reading", got)
	}
}
