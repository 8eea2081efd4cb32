package fix

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dustin/go-humanize"
)

// contextLines is how many unchanged lines surround a change in the diff.
const contextLines = 3

// WriteDiff writes the plan as a unified diff of the Dockerfile, named
// a/NAME and b/NAME so that `patch -p1` and `git apply` apply it from the
// directory NAME is relative to. Each hunk header carries what it fixes
// and its predicted saving.
func (p *Plan) WriteDiff(w io.Writer, name string) error {
	if len(p.Hunks) == 0 {
		return nil
	}
	old := splitLines(string(p.Original))
	noEOL := len(p.Original) > 0 && !strings.HasSuffix(string(p.Original), "\n")
	newNoEOL := len(p.Patched) > 0 && !strings.HasSuffix(string(p.Patched), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", name, name)
	// Group the hunks whose contexts touch.
	for i := 0; i < len(p.Hunks); {
		j := i
		for j+1 < len(p.Hunks) && p.Hunks[j+1].Line-1-(p.Hunks[j].Line+len(p.Hunks[j].Old)-1) <= 2*contextLines {
			j++
		}
		group := p.Hunks[i : j+1]
		first := group[0]
		// Lines are 1-based; a hunk with no old lines inserts before Line.
		start := max(first.Line-contextLines, 1)
		last := group[len(group)-1]
		end := min(last.Line+len(last.Old)-1+contextLines, len(old))
		var body strings.Builder
		oldCount, newCount := 0, 0
		var saving int64
		var what []string
		pos := start
		emit := func(prefix, line string, lineNo int, isOld bool) {
			body.WriteString(prefix + line + "\n")
			if isOld && noEOL && lineNo == len(old) || !isOld && prefix == "+" && newNoEOL && lineNo < 0 {
				body.WriteString("\\ No newline at end of file\n")
			}
		}
		for k, h := range group {
			for ; pos < h.Line; pos++ {
				emit(" ", old[pos-1], pos, true)
				oldCount++
				newCount++
			}
			for n, l := range h.Old {
				emit("-", l, h.Line+n, true)
				oldCount++
			}
			for n, l := range h.New {
				lineNo := 0
				if k == len(group)-1 && n == len(h.New)-1 && h.Line+len(h.Old)-1 >= len(old) {
					lineNo = -1
				}
				emit("+", l, lineNo, false)
				newCount++
			}
			pos = h.Line + len(h.Old)
			saving += h.PredictedSavingsBytes
			what = append(what, h.Description...)
		}
		for ; pos <= end; pos++ {
			emit(" ", old[pos-1], pos, true)
			oldCount++
			newCount++
		}
		oldStart, newStart := start, start+first.NewLine-first.Line
		if oldCount == 0 {
			oldStart--
		}
		if newCount == 0 {
			newStart--
		}
		note := strings.Join(what, "; ")
		if saving > 0 {
			note = fmt.Sprintf("saves %s: %s", humanize.Bytes(uint64(saving)), note)
		}
		fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@ %s\n", oldStart, oldCount, newStart, newCount, oneLine(note))
		b.WriteString(body.String())
		i = j + 1
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps a note on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteJSON writes the plan as indented JSON.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}
