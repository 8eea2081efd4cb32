package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// TextOptions tune the text report.
type TextOptions struct {
	// TopWasted is how many wasted paths to list (default 10; negative:
	// all of them).
	TopWasted int
	// Width is the width lines are fitted to: tables cut their commands
	// and paths to it, other lines wrap. 0 keeps lines whole, with commands
	// cut to 60 columns.
	Width int
	// MinSeverity leaves out the findings below it.
	MinSeverity findings.Severity
}

// cmdWidth is the width commands are cut to when lines are kept whole.
const cmdWidth = 60

// fitted returns the width a table cell may take once used columns are
// taken: at least least, and the whole-line default when lines are whole.
func (o TextOptions) fitted(used, least int) int {
	if o.Width <= 0 {
		return cmdWidth
	}
	return max(o.Width-used, least)
}

// WriteText writes the readable summary: the image, its sizes and
// efficiency, the findings by severity with their fixes, the largest wasted
// paths with the layer and command that wasted them, a table of the layers
// and the Dockerfile reconstructed from the history with the findings
// attached to its steps.
func WriteText(w io.Writer, a *analyzer.Analysis, opts TextOptions) error {
	if opts.TopWasted == 0 {
		opts.TopWasted = 10
	}
	var ww *wrapWriter
	if opts.Width > 0 {
		ww = &wrapWriter{w: w, width: opts.Width}
		w = ww
	}
	ew := &errWriter{w: w}
	writeImage(ew, a)
	writeSizes(ew, a.Summary)
	writeFindings(ew, a, opts)
	writeWasted(ew, a, opts)
	writeLayers(ew, a, opts)
	writeDockerfile(ew, a, opts)
	if ww != nil && ew.err == nil {
		ew.err = ww.Close()
	}
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
	type row struct{ bytes, path, in, by, cmd string }
	var rows []row
	wBytes, wPath, wIn, wBy := len("WASTED"), len("PATH"), len("IN LAYER"), 0
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
		r := row{bytes: termtext.Bytes(p.Bytes), path: termtext.Escape(p.Path), in: strings.Join(in, ","), by: strconv.Itoa(big.ShadowedBy)}
		if big.ShadowedBy >= 0 && big.ShadowedBy < len(a.Layers) {
			r.cmd = a.Layers[big.ShadowedBy].Command
		}
		wBytes, wPath, wIn, wBy = max(wBytes, len(r.bytes)), max(wPath, utf8.RuneCountInString(r.path)), max(wIn, len(r.in)), max(wBy, len(r.by))
		rows = append(rows, r)
	}
	if opts.Width > 0 {
		// Paths keep their end and take at most what leaves the command
		// a useful width; the command takes the rest.
		wPath = min(wPath, max(opts.Width-(2+wBytes+2+2+wIn+2+wBy+1+14), len("PATH"), 16))
	}
	cmdW := opts.fitted(2+wBytes+2+wPath+2+wIn+2+wBy+1, 10)
	if opts.Width <= 0 {
		cmdW = cmdWidth / 2
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  WASTED\tPATH\tIN LAYER\tHIDDEN BY\n")
	for _, r := range rows {
		by := r.by
		if r.cmd != "" {
			by += " " + termtext.OneLine(r.cmd, cmdW)
		}
		path := r.path
		if opts.Width > 0 {
			path = cutLeft(path, wPath)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.bytes, path, r.in, by)
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
			l.Added, l.Modified, l.Removed, termtext.OneLine(l.Command, opts.fitted(62, 10)))
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
