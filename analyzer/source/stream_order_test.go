package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLegacyLayerPositions streams a docker save archive as Docker Engines
// before 25 write it (<v1ID>/json then <v1ID>/layer.tar, directories in
// lexical order, manifest.json last) and checks that each layer blob is
// placed as it arrives from the inspection's diffIDs, the top layer's
// configuration (which keeps its "os") and a layer whose content repeats a
// lower one's included.
func TestLegacyLayerPositions(t *testing.T) {
	layers := [][]byte{layerTar(t, "a"), layerTar(t, "b"), layerTar(t, "c"), layerTar(t, "b")}
	cfg := configJSON(t, "linux/amd64", layers...)
	var diffIDs []string
	for _, l := range layers {
		diffIDs = append(diffIDs, "sha256:"+sha(l).Hex)
	}
	order := newLayerOrder(diffIDs)

	// The v1 IDs as the engine computes them: the digest of the layer's
	// legacy configuration without its ID, with the chain ID as layer_id
	// and the parent's ID as a digest; "os" is set after, below the top.
	var members []member
	v1IDs := make([]string, len(layers))
	parent := ""
	for i, l := range layers {
		fields := map[string]any{"created": "2026-11-30T00:00:00Z", "container_config": map[string]any{"Cmd": nil}}
		top := i == len(layers)-1
		if top {
			fields["config"] = map[string]any{"Cmd": []string{"sh"}}
			fields["architecture"], fields["os"] = "amd64", "linux"
		}
		id := map[string]any{"layer_id": order.chainIDs[i]}
		for k, v := range fields {
			id[k] = v
		}
		if parent != "" {
			id["parent"] = "sha256:" + parent
		}
		b, _ := json.Marshal(id)
		sum := sha256.Sum256(b)
		v1IDs[i] = hex.EncodeToString(sum[:])
		saved := fields
		saved["id"], saved["os"] = v1IDs[i], "linux"
		if parent != "" {
			saved["parent"] = parent
		}
		js, _ := json.Marshal(saved)
		members = append(members,
			member{name: v1IDs[i] + "/VERSION", body: []byte("1.0")},
			member{name: v1IDs[i] + "/json", body: js},
			member{name: v1IDs[i] + "/layer.tar", body: l})
		parent = v1IDs[i]
	}
	sort.SliceStable(members, func(a, b int) bool { return members[a].name < members[b].name })
	var layerNames []string
	for _, id := range v1IDs {
		layerNames = append(layerNames, id+"/layer.tar")
	}
	members = append(members,
		member{name: "config.json", body: cfg},
		member{name: "manifest.json", body: manifestJSON(t, archiveEntry{Config: "config.json", RepoTags: []string{"app:1"}, Layers: layerNames})})

	got := map[string][]int{}
	img, err := scanStream(context.Background(), bytes.NewReader(tarBytes(t, members)), "test", archivePick{index: -1}, order, Options{},
		func(l StreamLayer, _ io.Reader) error {
			if l.Layers != len(layers) {
				t.Errorf("%s: %d layers, want %d", l.Member, l.Layers, len(layers))
			}
			got[l.Member] = l.Positions
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{}
	for i, m := range img.LayerMembers() {
		want[m] = append(want[m], i)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions as the blobs arrived (-manifest +streamed):\n%s", diff)
	}
}
