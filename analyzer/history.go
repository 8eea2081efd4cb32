package analyzer

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/analyzer/findings"
)

// UnknownCommand labels a layer whose history entry could not be found.
const UnknownCommand = "(unknown: no matching history entry)"

// layerCommands maps the config history to layers: every history entry that
// is not an empty layer made one layer, in order. When the counts disagree,
// entries are matched from the top (the newest layers) and the rest are
// labelled unknown; the load never fails on it.
func layerCommands(cfg *v1.ConfigFile, layers int) (cmds []string, raw []string, known bool) {
	var hist []v1.History
	if cfg != nil {
		for _, h := range cfg.History {
			if !h.EmptyLayer {
				hist = append(hist, h)
			}
		}
	}
	cmds, raw = make([]string, layers), make([]string, layers)
	known = len(hist) == layers
	for i := 0; i < layers; i++ {
		j := len(hist) - layers + i
		if j < 0 {
			cmds[i] = UnknownCommand
			continue
		}
		raw[i] = hist[j].CreatedBy
		cmds[i] = findings.Instruction(hist[j].CreatedBy)
	}
	return cmds, raw, known
}
