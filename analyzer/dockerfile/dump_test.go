package dockerfile

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestDump(t *testing.T) {
	for _, c := range [][3]string{{"multistage", "classic", ""}, {"multistage", "classic-tools", "tools"}, {"child", "classic", ""}} {
		src, _ := os.ReadFile("testdata/" + c[0] + "/Dockerfile")
		f, err := Parse("Dockerfile", src, Options{Target: c[2]})
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			History []v1.History
			Layers  int
		}
		b, _ := os.ReadFile("testdata/" + c[0] + "/" + c[1] + ".json")
		json.Unmarshal(b, &rec)
		m := f.Map(rec.History, rec.Layers)
		for _, s := range m.Steps {
			l := 0
			if s.Location != nil {
				l = s.Location.Line
			}
			fmt.Printf("%d L%d line %d %s %s | %s\n", s.History, s.Layer, l, s.Confidence, s.Reason, rec.History[s.History].CreatedBy)
		}
		fmt.Println(m.Warnings)
	}
}
