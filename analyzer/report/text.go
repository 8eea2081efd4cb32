package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// TextOptions tune the text report.
type TextOptions struct {
	// TopWasted is how many wasted paths to list (default 10).
	TopWasted int
	// Width is the width commands are cut to (default 60).
	Width int
}

// WriteText writes the readable summary: the image, its sizes and
// efficiency, the findings by severity with their fixes, the largest wasted
// paths with the layer and command that wasted them, a table of the layers
// and the Dockerfile reconstructed from the history with the findings
// attached to its steps.
func WriteText(w io.Writer, a *analyzer.Analysis, opts TextOptions) error {
	if opts.TopWasted <= 0 {
		opts.TopWasted = 10
	}
	if opts.Width <= 0 {
		opts.Width = 60
	}
	ew := &errWriter{w: w}
	writeImage(ew, a)
	writeSizes(ew, a.Summary)
	writeFindings(ew, a, opts)
	writeWasted(ew, a, opts)
	writeLayers(ew, a, opts)
	writeDockerfile(ew, a, opts)
	return ew.err
}

func writeImage(w *errWriter, a *analyzer.Analysis) {
	img := a.Image
	w.printf("Image:      %s (%s)\n", termtext.Escape(img.Reference), img.Source)
	if img.Name != "" && img.Name != img.Reference {
		w.printf("Name:       %s\n", termtext.Escape(img.Name))
	}
	if img.Digest != "" {
		w.printf("Digest:     %s\n", img.Digest)
	}
	if img.Platform != "" {
		w.printf("Platform:   %s\n", img.Platform)
	}
	w.printf("Layers:     %d    Files: %d\n\n", a.Summary.LayerCount, a.Summary.FileCount)
}

func writeSizes(w *errWriter, s analyzer.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Total size:\t%s\t(%d bytes)\n", termtext.Bytes(s.TotalBytes), s.TotalBytes)
	fmt.Fprintf(tw, "Visible:\t%s\t\n", termtext.Bytes(s.VisibleBytes))
	fmt.Fprintf(tw, "Wasted:\t%s\t(%d bytes)\n", termtext.Bytes(s.WastedBytes), s.WastedBytes)
	fmt.Fprintf(tw, "Efficiency:\t%s\t\n", termtext.Percent(s.Efficiency))
	fmt.Fprintf(tw, "User layers:\t%s\t(layers %d and up)\n", termtext.Bytes(s.UserBytes), s.BaseLayers)
	fmt.Fprintf(tw, "User wasted:\t%s\t(%s of user bytes)\n", termtext.Bytes(s.UserWastedBytes), termtext.Percent(s.UserWastedPercent))
	fmt.Fprintf(tw, "Duplicates:\t%s\t\n", termtext.Bytes(s.DuplicateBytes))
	fmt.Fprintf(tw, "Potential savings:\t%s\t(fixing every finding; estimated optimized size %s)\n",
		termtext.Bytes(s.PotentialSavingsBytes), termtext.Bytes(s.EstimatedOptimizedBytes))
	if err := tw.Flush(); err != nil {
		w.err = err
	}
	w.printf("Dive-compatible:    efficiency %s, wasted %s, user wasted %s\n\n",
		termtext.Percent(s.Dive.Efficiency), termtext.Bytes(s.Dive.WastedBytes), termtext.Percent(s.Dive.UserWastedPercent))
}

func writeWasted(w *errWriter, a *analyzer.Analysis, opts TextOptions) {
	if len(a.Wasted) == 0 {
		w.printf("Wasted paths: none\n\n")
		return
	}
	w.printf("Largest wasted paths (%d in all):\n", len(a.Wasted))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  WASTED\tPATH\tIN LAYER\tHIDDEN BY\n")
	for i, p := range a.Wasted {
		if i == opts.TopWasted {
			break
		}
		var in []string
		big := p.Occurrences[0]
		for _, o := range p.Occurrences {
			in = append(in, strconv.Itoa(o.Layer))
			if o.SizeBytes > big.SizeBytes {
				big = o
			}
		}
		by := strconv.Itoa(big.ShadowedBy)
		if big.ShadowedBy >= 0 && big.ShadowedBy < len(a.Layers) {
			by += " " + termtext.OneLine(a.Layers[big.ShadowedBy].Command, opts.Width/2)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", termtext.Bytes(p.Bytes), termtext.Escape(p.Path), strings.Join(in, ","), by)
	}
	if err := tw.Flush(); err != nil {
		w.err = err
	}
	w.printf("\n")
}

func writeLayers(w *errWriter, a *analyzer.Analysis, opts TextOptions) {
	w.printf("Layers:\n")
	w.printf("  %3s  %9s  %12s  %7s  %8s  %7s  %s\n", "#", "SIZE", "WASTED LATER", "ADDED", "MODIFIED", "REMOVED", "COMMAND")
	for _, l := range a.Layers {
		w.printf("  %3d  %9s  %12s  %7d  %8d  %7d  %s\n", l.Index, termtext.Bytes(l.SizeBytes), termtext.Bytes(l.WastedBytes),
			l.Added, l.Modified, l.Removed, termtext.OneLine(l.Command, opts.Width))
	}
}

// errWriter remembers the first write error so writers can be chained.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
