package source

import (
	"fmt"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// platform is an os/arch[/variant] triple.
type platform struct {
	OS, Arch, Variant string
}

// ParsePlatform checks an "os/arch[/variant]" string (as given to --platform)
// and returns it in canonical form (aliases like x86_64 or aarch64 resolved).
func ParsePlatform(s string) (string, error) {
	p, err := parsePlatform(s)
	if err != nil {
		return "", err
	}
	return p.String(), nil
}

func parsePlatform(s string) (platform, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return platform{}, fmt.Errorf("platform %q is not os/arch[/variant], e.g. linux/arm64", s)
	}
	for _, part := range parts {
		if !platformWord(part) {
			return platform{}, fmt.Errorf("platform %q: %q is not a platform word (letters, digits, '_', '-' and '.')", s, part)
		}
	}
	p := platform{OS: strings.ToLower(parts[0]), Arch: strings.ToLower(parts[1])}
	if len(parts) == 3 {
		p.Variant = strings.ToLower(parts[2])
	}
	switch p.Arch {
	case "x86_64", "x86-64":
		p.Arch = "amd64"
	case "aarch64":
		p.Arch = "arm64"
	case "armhf":
		p.Arch, p.Variant = "arm", "v7"
	case "armel":
		p.Arch, p.Variant = "arm", "v6"
	case "i386", "i686":
		p.Arch = "386"
	}
	return p, nil
}

func fromV1(p *v1.Platform) platform {
	if p == nil {
		return platform{}
	}
	return platform{OS: p.OS, Arch: p.Architecture, Variant: p.Variant}
}

func fromConfig(c *v1.ConfigFile) platform {
	if c == nil {
		return platform{}
	}
	return platform{OS: c.OS, Arch: c.Architecture, Variant: c.Variant}
}

// String renders os/arch[/variant].
func (p platform) String() string {
	if p.OS == "" && p.Arch == "" {
		return ""
	}
	s := p.OS + "/" + p.Arch
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func (p platform) known() bool {
	return p.OS != "" && p.Arch != "" && p.OS != "unknown" && p.Arch != "unknown"
}

// normalized fills the default variants the way containerd compares them:
// arm64 is arm64/v8, arm is arm/v7, amd64/v1 is amd64.
func (p platform) normalized() platform {
	p.OS, p.Arch, p.Variant = strings.ToLower(p.OS), strings.ToLower(p.Arch), strings.ToLower(p.Variant)
	switch p.Arch {
	case "arm64":
		if p.Variant == "" {
			p.Variant = "v8"
		}
	case "arm":
		if p.Variant == "" {
			p.Variant = "v7"
		}
	case "amd64":
		if p.Variant == "v1" {
			p.Variant = ""
		}
	}
	return p
}

// matches reports whether have satisfies the wanted platform.
func (p platform) matches(have platform) bool {
	a, b := p.normalized(), have.normalized()
	return a.OS == b.OS && a.Arch == b.Arch && a.Variant == b.Variant
}

// hostPlatform is linux on the host's architecture: images are Linux images
// even when strata runs on macOS or Windows.
func hostPlatform() platform {
	p := platform{OS: "linux", Arch: runtime.GOARCH}
	if p.Arch == "arm" {
		p.Variant = "v7"
	}
	return p
}

// checkPlatform refuses a single image whose platform differs from an
// explicitly requested one.
func checkPlatform(cfg *v1.ConfigFile, want string) error {
	if want == "" || cfg == nil {
		return nil
	}
	w, err := parsePlatform(want)
	if err != nil {
		return err
	}
	have := fromConfig(cfg)
	if !have.known() || w.matches(have) {
		return nil
	}
	return platformf("image is %s, not the requested platform %s", have, w)
}

// platformWord reports whether s may be one part of a platform: letters,
// digits, '_', '-' and '.' (as in x86_64, x86-64 or 10.0.17763), starting
// with a letter or digit.
func platformWord(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '_' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}
