package browse

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/stratascan/strata/analyzer"
)

// TestLoadingSaysDownloading: the loading screen of a registry image says
// it is downloaded, with the bytes against the manifest's total.
func TestLoadingSaysDownloading(t *testing.T) {
	for _, tc := range []struct {
		downloading bool
		want        string
	}{
		{true, "downloading registry://example.com/app:1"},
		{false, "reading registry://example.com/app:1"},
	} {
		m := New("registry://example.com/app:1")
		m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
		m = send(m, ProgressMsg(analyzer.Progress{Phase: analyzer.PhaseRead, Layer: 0, Layers: 2, Read: 1_000_000, Size: 2_000_000,
			ReadBytes: 1_000_000, TotalBytes: 3_000_000, Downloading: tc.downloading}))
		view := ansi.Strip(m.render())
		if !strings.Contains(view, tc.want) || !strings.Contains(view, "1.0 MB / 3.0 MB") {
			t.Errorf("the loading screen lacks %q and 1.0 MB / 3.0 MB:\n%s", tc.want, view)
		}
	}
}
