package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"golang.org/x/term"
)

// progress reports layer reading on stderr: a redrawn bar on a terminal,
// one plain line per finished layer otherwise.
type progress struct {
	w       io.Writer
	tty     bool
	ref     string
	start   time.Time
	drawn   time.Time
	read    []int64
	size    []int64
	done    int
	layers  int
	lastLen int
}

func newProgress(w io.Writer, ref string) *progress {
	p := &progress{w: w, ref: ref, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	if !p.tty {
		fmt.Fprintf(w, "strata: loading %s\n", termtext.Escape(ref))
	}
	return p
}

// update receives one progress report (calls are serialized by the analyzer).
func (p *progress) update(u analyzer.Progress) {
	if p.read == nil {
		p.layers = u.Layers
		p.read, p.size = make([]int64, u.Layers), make([]int64, u.Layers)
	}
	p.read[u.Layer], p.size[u.Layer] = u.Read, u.Size
	if u.Done {
		p.done++
		if !p.tty {
			fmt.Fprintf(p.w, "strata: layer %d/%d read (%s)\n", u.Layer+1, u.Layers, termtext.Bytes(u.Read))
		}
	}
	if p.tty && (u.Done || time.Since(p.drawn) > 100*time.Millisecond) {
		p.draw()
	}
}

func (p *progress) draw() {
	p.drawn = time.Now()
	var read, total int64
	for i := range p.read {
		read += p.read[i]
		total += max(p.size[i], p.read[i])
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = int(float64(width) * float64(read) / float64(total))
	}
	eta := ""
	if el := time.Since(p.start); read > 0 && total > read && el > time.Second {
		left := time.Duration(float64(el) * float64(total-read) / float64(read))
		eta = fmt.Sprintf("  ETA %s", left.Round(time.Second))
	}
	line := fmt.Sprintf("\rReading layers [%s%s] %d/%d  %s / %s%s",
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.done, p.layers,
		termtext.Bytes(read), termtext.Bytes(total), eta)
	pad := max(p.lastLen-len(line), 0)
	p.lastLen = len(line)
	fmt.Fprint(p.w, line+strings.Repeat(" ", pad))
}

// finish clears the bar and prints one closing line.
func (p *progress) finish(a *analyzer.Analysis, err error) {
	if p.tty && p.lastLen > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.lastLen))
	}
	if err != nil || a == nil {
		return
	}
	fmt.Fprintf(p.w, "strata: analysed %d layers, %d entries, %s in %s\n", len(a.Layers),
		a.Tree.EntryCount(), termtext.Bytes(a.Summary.TotalBytes), time.Since(p.start).Round(time.Millisecond))
}
