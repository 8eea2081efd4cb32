package report

import (
	"bytes"
	"container/heap"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// The page's style, script and templates, embedded: the report is one file
// that loads nothing.
//
//go:embed htmlassets
var htmlAssets embed.FS

// HTMLOptions tune the HTML reports.
type HTMLOptions struct {
	// Tool names the program that wrote the report.
	Tool Tool
	// MapBudget is how many rectangles the treemap holds at most (default
	// MapBudget).
	MapBudget int
	// TopFiles is how many rows the table of the largest files has
	// (default 1000).
	TopFiles int
}

func (o *HTMLOptions) defaults() {
	if o.MapBudget <= 0 {
		o.MapBudget = MapBudget
	}
	if o.TopFiles <= 0 {
		o.TopFiles = 1000
	}
}

// htmlLayerColors are the colours of the layers, in turn (the layer index
// modulo their number); wasted bytes are red and hatched, so no layer is red.
var htmlLayerColors = []string{
	"#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1",
	"#9c755f", "#8cd17d", "#a0cbe8", "#ffbe7d", "#d4a6c8", "#86bcb6",
}

// layerColor returns the colour of a layer.
func layerColor(i int) string {
	if i < 0 {
		return "#bab0ac"
	}
	return htmlLayerColors[i%len(htmlLayerColors)]
}

// htmlPage is what every report page is made of.
type htmlPage struct {
	Title  string
	CSP    string
	Style  template.CSS
	Script template.JS
	// Data is the JSON the script reads (the treemap, the layers).
	Data template.JS
	Tool Tool
	// Body is the kind-specific content.
	Analysis *htmlAnalysis
	Diff     *htmlDiff
}

// Stat is a number the page shows: its exact value is kept in an attribute
// so that tools (and the tests) can read it.
type htmlStat struct {
	Label string
	// Key names the field of the JSON report the value comes from.
	Key   string
	Value any
	Text  string
	Hint  string
	Class string
}

var htmlTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"bytes":          termtext.Bytes,
	"percent":        termtext.Percent,
	"oneline":        func(s string, w int) string { return termtext.OneLine(s, w) },
	"escape":         termtext.Escape,
	"color":          layerColor,
	"hint":           hintSegments,
	"join":           strings.Join,
	"add":            func(a, b int) int { return a + b },
	"lower":          strings.ToLower,
	"sev":            func(s fmt.Stringer) string { return strings.ToLower(s.String()) },
	"addf":           func(a, b float64) float64 { return a + b },
	"barY":           func(i, off int) int { return i*24 + off },
	"barsHeight":     func(n int) int { return max(n*24, 24) },
	"checkThreshold": CheckThreshold,
	"checkValue":     CheckValue,
	"lastShadow": func(w analyzer.WastedPath) int {
		return w.Occurrences[len(w.Occurrences)-1].ShadowedBy
	},
	"mapSection": func(title string, modes bool, note string) mapSection {
		return mapSection{Title: title, Modes: modes, Note: note}
	},
	"groupNote": groupNote,
	"location":  locationText,
	"signed":    termtext.SignedBytes,
	"short":     shortID,
	"side": func(label string, i analyzer.ImageInfo) map[string]any {
		return map[string]any{"Label": label, "Image": i}
	},
}).ParseFS(htmlAssets, "htmlassets/*.tmpl"))

var (
	htmlStyle  = mustAsset("htmlassets/report.css")
	htmlScript = mustAsset("htmlassets/report.js")
	// htmlCSP allows the page's own style and script (by their hashes) and
	// data: images (the empty icon), and nothing else: no request leaves
	// the page, whatever the image's names and commands hold.
	htmlCSP = fmt.Sprintf("default-src 'none'; script-src '%s'; style-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
		cspHash(htmlScript), cspHash(htmlStyle))
)

func mustAsset(name string) string {
	b, err := htmlAssets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// writePage renders a page whose data is v.
func writePage(w io.Writer, p htmlPage, data any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// The encoder escapes <, > and & (as \u003c...): no string of the
	// image can close the script element the data sits in.
	enc.SetEscapeHTML(true)
	if err := enc.Encode(data); err != nil {
		return fmt.Errorf("encoding the page data: %w", err)
	}
	p.CSP, p.Style, p.Script = htmlCSP, template.CSS(htmlStyle), template.JS(htmlScript)
	p.Data = template.JS(bytes.TrimSpace(buf.Bytes()))
	return htmlTemplates.ExecuteTemplate(w, "page", p)
}

// hintSegment is a piece of a hint: plain text or `code`.
type hintSegment struct {
	Text string
	Code bool
}

// hintSegments splits a hint at its backquotes, so that the page shows
// the code in it as code while escaping everything.
func hintSegments(s string) []hintSegment {
	parts := strings.Split(s, "`")
	var out []hintSegment
	for i, p := range parts {
		if p == "" {
			continue
		}
		out = append(out, hintSegment{Text: p, Code: i%2 == 1 && i < len(parts)-1})
	}
	return out
}

// mapSection is the treemap's section of a page.
type mapSection struct {
	Title string
	// Modes offers sizing by wasted bytes.
	Modes bool
	Note  string
}

// groupNote states the grouping threshold on the page.
func groupNote(threshold int64, grouped, rects int) string {
	if threshold == 0 {
		return fmt.Sprintf("Every path is drawn (%s rectangles).", humanize.Comma(int64(rects)))
	}
	return fmt.Sprintf("To keep the page small, paths smaller than %s (%s bytes) are grouped per directory into one "+
		"\"N other files\" rectangle: %s files are grouped; the map holds %s rectangles.", termtext.Bytes(threshold),
		humanize.Comma(threshold), humanize.Comma(int64(grouped)), humanize.Comma(int64(rects)))
}

// fileRow is a row of the table of the largest files.
type fileRow struct {
	Path  string
	Size  int64
	Layer int
}

// largestFiles returns the n largest visible regular files, largest first.
func largestFiles(t *tree.Tree, n int) []fileRow {
	if t == nil {
		return nil
	}
	h := &fileHeap{}
	for i := 0; i < t.Len(); i++ {
		id := tree.NodeID(i)
		hist := t.History(id)
		if len(hist) == 0 {
			continue
		}
		e := &hist[len(hist)-1]
		if e.Shadowed() || e.Kind != walk.File {
			continue
		}
		if h.Len() == n && (*h)[0].size >= e.Size {
			continue
		}
		heap.Push(h, fileItem{id: id, size: e.Size, layer: int(e.Layer)})
		if h.Len() > n {
			heap.Pop(h)
		}
	}
	out := make([]fileRow, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		it := heap.Pop(h).(fileItem)
		out[i] = fileRow{Path: t.Path(it.id), Size: it.size, Layer: it.layer}
	}
	return out
}

type fileItem struct {
	id    tree.NodeID
	size  int64
	layer int
}

// fileHeap is a min-heap by size (then by path order, the later first).
type fileHeap []fileItem

func (h fileHeap) Len() int { return len(h) }
func (h fileHeap) Less(i, j int) bool {
	if h[i].size != h[j].size {
		return h[i].size < h[j].size
	}
	return h[i].id > h[j].id
}
func (h fileHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *fileHeap) Push(x any)   { *h = append(*h, x.(fileItem)) }
func (h *fileHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mapLayer is what the treemap's tooltips and legend say of a layer.
type mapLayer struct {
	Index   int    `json:"i"`
	Command string `json:"cmd"`
	Color   string `json:"color"`
	// Step is the index of its Dockerfile step, or -1.
	Step int `json:"step"`
	// Source is the Dockerfile line that made it ("Dockerfile:12").
	Source string `json:"src,omitempty"`
}
