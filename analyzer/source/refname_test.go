package source

import (
	"context"
	"strings"
	"testing"
)

// TestRegistryRefErrors opens registry references that cannot be used: each
// error says what is wrong in the user's terms and never shows the
// registry library's Go names (name.Insecure, name.ErrBadName, …).
func TestRegistryRefErrors(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"https://localhost:1/app:1", `"https://localhost:1/app:1" is a URL: name the image without https://, as registry://localhost:1/app:1`},
		{"http://h:5000/x", `as registry://h:5000/x; for plain HTTP add --insecure-registry h:5000`},
		{"HTTPS://h/x", `without HTTPS://, as registry://h/x`},
		{"oci://h/x", `without oci://, as registry://h/x`},
		{"Host/UPPER", "the repository has upper-case letters"},
		{"h.io/A:1", "the repository has upper-case letters"},
		{"h/a@sha256:zz", "the digest must be sha256: and 64 hexadecimal digits"},
		{"h/a@md5:00", "the digest must be sha256:HEX"},
		{"h/a:b:c", "it is not of that form"},
		{"h/a b", "it holds white space"},
	}
	for _, tt := range tests {
		_, err := openRegistry(context.Background(), tt.ref, Options{InsecureRegistries: []string{"h:5000"}})
		if err == nil {
			t.Errorf("%s: no error", tt.ref)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %q, want it to hold %q", tt.ref, msg, tt.want)
		}
		if strings.Contains(msg, "name.") || strings.Contains(msg, "could not parse") {
			t.Errorf("%s: %q shows the library's wording", tt.ref, msg)
		}
	}
}
