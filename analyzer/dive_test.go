package analyzer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
)

// TestDiveCompatibleMetrics checks the dive-compatible metrics against the
// numbers dive itself gives for its own test images.
func TestDiveCompatibleMetrics(t *testing.T) {
	fx := diveFixtures(t)
	oci := analyzer.DiveMetrics{Efficiency: 1, SizeBytes: 11189}
	tests := []struct {
		file   string
		layers int
		want   analyzer.DiveMetrics
		ineff  []analyzer.DiveInefficiency
	}{
		{"test-docker-image.tar", 14, analyzer.DiveMetrics{
			Efficiency: 0.9844212134184309, WastedBytes: 32025, UserWastedPercent: 0.4834911001404049,
			SizeBytes: 1220598, UserSizeBytes: 66237,
		}, []analyzer.DiveInefficiency{
			{Path: "/root/example/somefile1.txt", Count: 2, Bytes: 12810},
			{Path: "/root/saved.txt", Count: 2, Bytes: 12810},
			{Path: "/root/example/somefile3.txt", Count: 2, Bytes: 6405},
		}},
		{"test-kaniko-image.tar", 14, analyzer.DiveMetrics{
			Efficiency: 0.9793688490216431, WastedBytes: 46245, UserWastedPercent: 0.4884502043790995,
			SizeBytes: 1326410, UserSizeBytes: 94677,
		}, []analyzer.DiveInefficiency{
			{Path: "/root/example/somefile1.txt", Count: 2, Bytes: 18498},
			{Path: "/root/saved.txt", Count: 2, Bytes: 18498},
			{Path: "/root/example/somefile3.txt", Count: 2, Bytes: 9249},
		}},
		{"test-oci-uncompressed-image.tar", 1, oci, nil},
		{"test-oci-gzip-image.tar", 1, oci, nil},
		{"test-oci-estargz-image.tar", 1, oci, nil},
		{"test-oci-zstd-image.tar", 1, oci, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ctx := context.Background()
			img, err := source.Open(ctx, filepath.Join(fx, tc.file), source.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			a, err := analyzer.Analyze(ctx, img)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(a.Layers); got != tc.layers {
				t.Errorf("layers = %d, want %d", got, tc.layers)
			}
			if diff := cmp.Diff(tc.want, a.Summary.Dive); diff != "" {
				t.Errorf("dive metrics (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.ineff, a.DiveInefficiencies); diff != "" {
				t.Errorf("dive inefficiencies (-want +got):\n%s", diff)
			}
			s := a.Summary
			if s.TotalBytes != s.VisibleBytes+s.WastedBytes {
				t.Errorf("total %d != visible %d + wasted %d", s.TotalBytes, s.VisibleBytes, s.WastedBytes)
			}
		})
	}
}
