package source

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// refSyntax is how a registry image is named, said in every error about one.
const refSyntax = "HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST], the repository in lower case"

// parseRegistryRef parses a registry image reference, with errors that say
// what is wrong in the user's terms: a URL scheme is refused with the
// reference to write instead, and the library's own wording (which names
// its Go options) is never shown.
func parseRegistryRef(s string, opts ...name.Option) (name.Reference, error) {
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		hint := ""
		if strings.EqualFold(scheme, "http") {
			hint = fmt.Sprintf("; for plain HTTP add --insecure-registry %s", strings.SplitN(rest, "/", 2)[0])
		}
		return nil, fmt.Errorf("%q is a URL: name the image without %s://, as registry://%s%s", s, scheme, rest, hint)
	}
	ref, err := name.ParseReference(s, opts...)
	if err == nil {
		return ref, nil
	}
	var reason string
	switch {
	case s == "":
		reason = "it is empty"
	case strings.ContainsAny(s, " \t\n"):
		reason = "it holds white space"
	case strings.Contains(s, "@") && !strings.Contains(s, "@sha256:"):
		reason = "the digest must be sha256:HEX"
	case strings.Contains(s, "@"):
		reason = "the digest must be sha256: and 64 hexadecimal digits"
	case strings.ToLower(s) != s && !hostOnlyUpper(s):
		reason = "the repository has upper-case letters"
	default:
		reason = "it is not of that form"
	}
	return nil, &RefError{Ref: s, Reason: reason, err: err}
}

// hostOnlyUpper reports whether the upper-case letters of a reference are
// all in its host (which may have them).
func hostOnlyUpper(s string) bool {
	host, rest, ok := strings.Cut(s, "/")
	if !ok || (!strings.ContainsAny(host, ".:") && host != "localhost") {
		return false
	}
	return strings.ToLower(rest) == rest
}

// RefError is a registry reference that cannot be parsed.
type RefError struct {
	Ref, Reason string
	err         error
}

func (e *RefError) Error() string {
	return fmt.Sprintf("%q is not a valid image reference (%s): %s", e.Ref, refSyntax, e.Reason)
}

// Is makes a RefError match name.ErrBadName, as the library's errors do.
func (e *RefError) Is(target error) bool {
	var bad *name.ErrBadName
	return errors.As(target, &bad)
}
