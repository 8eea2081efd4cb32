package browse

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/stratascan/strata/ui/common"
)

// PreviewLimit is the largest file the preview reads (64 KiB).
const PreviewLimit = 64 << 10

// previewDoneMsg carries a file read for the preview.
type previewDoneMsg struct {
	req  previewMsg
	data []byte
	err  error
}

// preview is the overlay that shows a text file.
type preview struct {
	open   bool
	title  string
	lines  []string
	scroll common.Scroller
}

// readPreview returns the command that reads the file (only its layer).
func readPreview(ctx context.Context, img v1.Image, req previewMsg) tea.Cmd {
	if img == nil || (req.kind != walk.File && req.kind != walk.HardLink) || req.size > PreviewLimit {
		return func() tea.Msg { return previewDoneMsg{req: req} }
	}
	return func() tea.Msg {
		data, err := analyzer.ReadFile(ctx, img, req.layer, req.path, PreviewLimit)
		return previewDoneMsg{req: req, data: data, err: err}
	}
}

// show fills the overlay from a read.
func (p *preview) show(msg previewDoneMsg, hasImage bool) {
	r := msg.req
	p.open, p.scroll.Offset = true, 0
	p.title = fmt.Sprintf("%s · layer %d · %s", termtext.Escape(r.path), r.layer, termtext.Bytes(r.size))
	note := func(s string) { p.lines = []string{s} }
	switch {
	case r.kind == walk.Dir:
		note("A directory: nothing to preview.")
	case r.kind == walk.Symlink:
		note("A symbolic link to " + termtext.Escape(r.link) + ".")
	case r.kind != walk.File && r.kind != walk.HardLink:
		note(fmt.Sprintf("A %s: nothing to preview.", r.kind))
	case r.size > PreviewLimit:
		note(fmt.Sprintf("Too large to preview (%s; the limit is %s). Extract it with x.", termtext.Bytes(r.size), humanize.IBytes(PreviewLimit)))
	case !hasImage:
		note("The image is not open: nothing can be read.")
	case msg.err != nil:
		note("Cannot read the file: " + termtext.Escape(msg.err.Error()))
	case bytes.IndexByte(msg.data, 0) >= 0 || !utf8.Valid(msg.data):
		note(fmt.Sprintf("A binary file (%s): nothing to preview. Extract it with x.", termtext.Bytes(r.size)))
	case len(msg.data) == 0:
		note("An empty file.")
	default:
		text := strings.ReplaceAll(string(msg.data), "\t", "    ")
		text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
		p.lines = strings.Split(text, "\n")
		for i := range p.lines {
			p.lines[i] = termtext.Escape(p.lines[i])
		}
	}
}

func (p *preview) update(msg tea.KeyPressMsg, k common.KeyMap, height int) {
	switch {
	case key.Matches(msg, k.Close), key.Matches(msg, k.Quit) && msg.String() == "q", key.Matches(msg, k.Preview):
		p.open = false
	default:
		p.scroll.Update(msg, k, len(p.lines), height)
	}
}

func (p preview) view(s *common.Styles, w, h int) string {
	lines := p.scroll.Window(p.lines, h-2)
	title := p.title
	if len(p.lines) > h-2 {
		title += fmt.Sprintf(" · %d–%d of %d", p.scroll.Offset+1, p.scroll.Offset+len(lines), len(p.lines))
	}
	return s.Box(title, lines, w, h, true)
}
