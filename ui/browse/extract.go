package browse

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/tree"
)

// extractDoneMsg reports an extraction.
type extractDoneMsg struct {
	text string
	err  error
}

// extractCmd writes the node (a file, a link or a directory with what it
// holds as of the view's last layer, or as it was before a removal) into
// dir with analyzer.Extract.
func extractCmd(ctx context.Context, img v1.Image, t *tree.Tree, n tree.NodeID, s span, dir string) tea.Cmd {
	return func() tea.Msg {
		text, err := extract(ctx, img, t, n, s, dir)
		return extractDoneMsg{text: text, err: err}
	}
}

func extract(ctx context.Context, img v1.Image, t *tree.Tree, n tree.NodeID, s span, dir string) (string, error) {
	if n == tree.None || n == tree.Root {
		return "", errors.New("nothing selected")
	}
	layer := s.To
	if !analyzer.Present(t, n, layer) {
		layer = s.From - 1 // a removed path: extract what was removed
	}
	x, err := analyzer.Extract(ctx, img, t, n, layer, dir)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("extracted %s to ./%s: %s", termtext.Escape(t.Path(n)), termtext.Escape(x.Name), x.Detail()), nil
}
