package findings

import (
	"strings"
	"testing"
)

// plantedPassword is the password FuzzMaskText plants in credential shapes
// around the fuzzer's text.
const plantedPassword = "Zq9pl4nted"

// FuzzMaskText runs the value-shape masking over arbitrary text with a
// planted credential of each shape beside it: it never panics, and the
// planted password is never left whole whatever surrounds it.
func FuzzMaskText(f *testing.F) {
	for _, s := range []string{
		"", "apt-get update", "curl -u admin:hunter22 https://x", "mysql -psecret db",
		"Authorization: Bearer abc.def.ghi", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
		"https://user:pw@host/path", "--password=x --token y", "sshpass -p pw ssh h",
		"`<img src=x>`", "\x1b[2J\u202e", "a:b@c:d@e",
	} {
		f.Add(s)
	}
	shapes := []func(string) string{
		func(s string) string { return "https://deploy:" + plantedPassword + "@example.com/" + s },
		func(s string) string { return "curl -u deploy:" + plantedPassword + " " + s },
		func(s string) string { return s + " --password=" + plantedPassword },
		func(s string) string { return "Authorization: Bearer " + plantedPassword + " " + s },
	}
	f.Fuzz(func(t *testing.T, s string) {
		MaskText(s)
		if strings.Contains(s, plantedPassword[:4]) {
			return
		}
		for _, shape := range shapes {
			in := shape(s)
			if out := MaskText(in); strings.Contains(out, plantedPassword) {
				t.Fatalf("the planted password survives in %q: %q", in, out)
			}
		}
	})
}
