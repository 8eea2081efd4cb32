package compare_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/fixtures"
)

// TestCompareConfigMasked: configuration values are compared raw and shown
// masked; a change that only the secret makes is still reported, as masked.
func TestCompareConfigMasked(t *testing.T) {
	image := func(pw string) fixtures.Image {
		return fixtures.Image{
			Layers: []fixtures.Layer{{CreatedBy: "base", Entries: []fixtures.Entry{fixtures.File("f", "x")}}},
			Config: v1.Config{
				Cmd:    []string{"sshpass", "-p", pw, "ssh", "host"},
				Labels: map[string]string{"db.password": pw, "src": "https://ci:" + pw + "@git.example.com/r"},
			},
		}
	}
	r := mustCompare(t, analyze(t, image("Old5ecret")), analyze(t, image("New5ecret")), compare.Options{})
	var got []string
	for _, c := range r.Config {
		got = append(got, c.Change+" "+c.Name()+": "+c.Values())
	}
	want := []string{
		`changed cmd: ["sshpass","-p","********","ssh","host"] → ["sshpass","-p","********","ssh","host"] (secret value changed; masked)`,
		"changed labels db.password: ******** → ******** (secret value changed; masked)",
		"changed labels src: https://ci:********@git.example.com/r → https://ci:********@git.example.com/r (secret value changed; masked)",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
}
