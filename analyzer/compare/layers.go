package compare

import (
	"strings"
	"unicode"

	"github.com/stratascan/strata/analyzer"
)

// PairStatus says how an aligned pair of layers relates.
type PairStatus string

// The pair statuses.
const (
	// Shared: the same layer (equal diffIDs) in both images.
	Shared PairStatus = "shared"
	// Changed: a layer of OLD and the layer of NEW that took its place.
	Changed PairStatus = "changed"
	// OnlyOld: a layer NEW no longer has.
	OnlyOld PairStatus = "only-old"
	// OnlyNew: a layer OLD did not have.
	OnlyNew PairStatus = "only-new"
)

// MatchKind says why two layers were paired.
type MatchKind string

// The ways layers are paired, strongest first.
const (
	ByDiffID   MatchKind = "diffID"
	ByHistory  MatchKind = "history"
	ByPosition MatchKind = "position"
)

// LayerRef is one side of a layer pair.
type LayerRef struct {
	Index     int    `json:"index"`
	Digest    string `json:"digest"`
	DiffID    string `json:"diffID"`
	Command   string `json:"command"`
	SizeBytes int64  `json:"sizeBytes"`
	// CompressedBytes is the stored size (0 when unknown).
	CompressedBytes int64 `json:"compressedBytes,omitempty"`
	Added           int   `json:"added"`
	Modified        int   `json:"modified"`
	Removed         int   `json:"removed"`
}

// LayerPair is one row of the aligned layers.
type LayerPair struct {
	Status PairStatus `json:"status"`
	// Match is how the pair was made (empty for only-old and only-new).
	Match MatchKind `json:"match,omitempty"`
	// Similarity of the two commands, 0..1 (pairs only).
	Similarity float64 `json:"similarity,omitempty"`
	// Old and New are the layers (one is absent for only-old/only-new).
	Old *LayerRef `json:"old,omitempty"`
	New *LayerRef `json:"new,omitempty"`
	// SizeDelta is NEW's size − OLD's size (an absent side counts 0).
	SizeDelta int64 `json:"sizeDelta"`
}

// similarEnough is the least command similarity that pairs two layers by
// their history.
const similarEnough = 0.5

// AlignLayers pairs the layers of two images, keeping both orders: equal
// diffIDs pair first (the common base and any other identical layer), then
// layers whose history commands are similar (the same instruction with
// mostly the same words), then, between two pairs, the layers left over
// in the same position. What remains is only in OLD or only in NEW.
func AlignLayers(old, new []analyzer.Layer) []LayerPair {
	no, nn := len(old), len(new)
	on, nw := normalizedCommands(old), normalizedCommands(new)
	// score of pairing old[i] with new[j]: a shared layer outweighs any
	// number of similar ones; 0 means "cannot pair".
	score := func(i, j int) (float64, MatchKind, float64) {
		if old[i].DiffID != "" && old[i].DiffID == new[j].DiffID {
			return float64(no + nn + 1), ByDiffID, similarity(on[i], nw[j])
		}
		if s := similarity(on[i], nw[j]); s >= similarEnough {
			return s, ByHistory, s
		}
		return 0, "", 0
	}
	// Weighted longest common subsequence.
	best := make([][]float64, no+1)
	for i := range best {
		best[i] = make([]float64, nn+1)
	}
	for i := no - 1; i >= 0; i-- {
		for j := nn - 1; j >= 0; j-- {
			b := max(best[i+1][j], best[i][j+1])
			if s, _, _ := score(i, j); s > 0 {
				b = max(b, s+best[i+1][j+1])
			}
			best[i][j] = b
		}
	}
	var out []LayerPair
	var gapOld, gapNew []int
	flush := func() {
		k := 0
		for ; k < min(len(gapOld), len(gapNew)); k++ {
			i, j := gapOld[k], gapNew[k]
			out = append(out, pair(old, new, i, j, Changed, ByPosition, similarity(on[i], nw[j])))
		}
		for _, i := range gapOld[k:] {
			out = append(out, pair(old, new, i, -1, OnlyOld, "", 0))
		}
		for _, j := range gapNew[k:] {
			out = append(out, pair(old, new, -1, j, OnlyNew, "", 0))
		}
		gapOld, gapNew = gapOld[:0], gapNew[:0]
	}
	i, j := 0, 0
	for i < no && j < nn {
		s, kind, sim := score(i, j)
		switch {
		case s > 0 && best[i][j] == s+best[i+1][j+1]:
			flush()
			status := Changed
			if kind == ByDiffID {
				status = Shared
			}
			out = append(out, pair(old, new, i, j, status, kind, sim))
			i++
			j++
		case best[i][j] == best[i+1][j]:
			gapOld = append(gapOld, i)
			i++
		default:
			gapNew = append(gapNew, j)
			j++
		}
	}
	for ; i < no; i++ {
		gapOld = append(gapOld, i)
	}
	for ; j < nn; j++ {
		gapNew = append(gapNew, j)
	}
	flush()
	return out
}

// pair builds one row; i or j is -1 for a missing side.
func pair(old, new []analyzer.Layer, i, j int, st PairStatus, m MatchKind, sim float64) LayerPair {
	p := LayerPair{Status: st, Match: m}
	if i >= 0 && j >= 0 {
		p.Similarity = float64(int(sim*1000+0.5)) / 1000
	}
	if i >= 0 {
		p.Old = layerRef(old[i])
		p.SizeDelta -= old[i].SizeBytes
	}
	if j >= 0 {
		p.New = layerRef(new[j])
		p.SizeDelta += new[j].SizeBytes
	}
	return p
}

func layerRef(l analyzer.Layer) *LayerRef {
	return &LayerRef{
		Index: l.Index, Digest: l.Digest, DiffID: l.DiffID, Command: l.Command, SizeBytes: l.SizeBytes,
		CompressedBytes: l.CompressedBytes, Added: l.Added, Modified: l.Modified, Removed: l.Removed,
	}
}

// command is a normalized history command: its instruction and its words.
type command struct {
	instruction string
	words       map[string]struct{}
}

func normalizedCommands(ls []analyzer.Layer) []command {
	out := make([]command, len(ls))
	for i, l := range ls {
		if l.CommandKnown || l.Command != analyzer.UnknownCommand {
			out[i] = normalizeCommand(l.Command)
		}
	}
	return out
}

// normalizeCommand splits an instruction into its keyword and the set of
// its words. Words are split at blanks and shell operators; quotes and
// brackets are dropped, and content digests ("file:0a1b...", "sha256:...")
// become one placeholder so that two ADDs of different files still read
// as the same instruction.
func normalizeCommand(s string) command {
	c := command{words: map[string]struct{}{}}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`;|&()[]{}"',\`, r)
	})
	for k, w := range fields {
		if k == 0 {
			c.instruction = strings.ToUpper(w)
			continue
		}
		c.words[normalizeWord(w)] = struct{}{}
	}
	return c
}

// normalizeWord replaces a content digest by a placeholder.
func normalizeWord(w string) string {
	prefix, rest, ok := strings.Cut(w, ":")
	if ok && len(rest) >= 12 && isHex(rest) {
		return prefix + ":<digest>"
	}
	if len(w) >= 32 && isHex(w) {
		return "<digest>"
	}
	return w
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// similarity is the Jaccard index of the two commands' words, 0 when their
// instructions differ or either is unknown. Two instructions without
// arguments (or with the same) are 1.
func similarity(a, b command) float64 {
	if a.instruction == "" || a.instruction != b.instruction {
		return 0
	}
	if len(a.words) == 0 && len(b.words) == 0 {
		return 1
	}
	inter := 0
	for w := range a.words {
		if _, ok := b.words[w]; ok {
			inter++
		}
	}
	union := len(a.words) + len(b.words) - inter
	return float64(inter) / float64(union)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
