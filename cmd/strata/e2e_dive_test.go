package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratascan/strata/fixtures"
)

// TestE2EDiveFixtures runs the binary on dive's test images and checks that
// the dive-compatible metrics equal the numbers dive gives
// (../shared/fixtures/dive/EXPECTED.md), through the explicit reference form
// and through a plain path the CLI sniffs.
func TestE2EDiveFixtures(t *testing.T) {
	e2eSkipShort(t)
	dir := filepath.Dir(fixtures.Dive(t, "EXPECTED.md"))
	oci := e2eDive{SizeBytes: 11189, UserSizeBytes: 0, Efficiency: 1, WastedBytes: 0, UserWastedPercent: 0}
	tests := []struct {
		file   string
		scheme string   // the explicit reference form
		extra  []string // more arguments
		want   e2eDive
	}{
		{"test-docker-image.tar", "docker-archive:", nil, e2eDive{
			SizeBytes: 1220598, UserSizeBytes: 66237, Efficiency: 0.9844212134184309,
			WastedBytes: 32025, UserWastedPercent: 0.4834911001404049,
		}},
		{"test-kaniko-image.tar", "docker-archive:", nil, e2eDive{
			SizeBytes: 1326410, UserSizeBytes: 94677, Efficiency: 0.9793688490216431,
			WastedBytes: 46245, UserWastedPercent: 0.4884502043790995,
		}},
		// The OCI images are linux/arm64 only; name the platform so that the
		// test does not depend on the host's.
		{"test-oci-uncompressed-image.tar", "oci-archive:", []string{"--platform", "linux/arm64"}, oci},
		{"test-oci-gzip-image.tar", "oci-archive:", []string{"--platform", "linux/arm64"}, oci},
		{"test-oci-estargz-image.tar", "oci-archive:", []string{"--platform", "linux/arm64"}, oci},
		{"test-oci-zstd-image.tar", "oci-archive:", []string{"--platform", "linux/arm64"}, oci},
	}
	env := e2eEnv(t)
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		for _, ref := range []string{tt.scheme + path, path} {
			t.Run(tt.file+"/"+ref[:len(ref)-len(path)]+"path", func(t *testing.T) {
				rep := e2eDecode(t, e2eAnalyzeJSON(t, env, ref, tt.extra...))
				if diff := cmp.Diff(tt.want, rep.Summary.Dive); diff != "" {
					t.Errorf("summary.dive (-want +got):\n%s", diff)
				}
			})
		}
	}

	// test-gzip-image.tar is a plain rootfs tar, not an image.
	notImage := regexp.MustCompile(`(?i)not (a|an|.* an?) .*image|not .*image`)
	path := filepath.Join(dir, "test-gzip-image.tar")
	for _, ref := range []string{"docker-archive:" + path, path} {
		t.Run("test-gzip-image.tar/"+ref[:len(ref)-len(path)]+"path", func(t *testing.T) {
			e2eExpectLoadError(t, env, ref, nil, []string{path}, notImage)
		})
	}
}
