package policy

import (
	"fmt"
	"strconv"

	"github.com/dustin/go-humanize"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
)

// FindingsOf returns the findings of an analysis, as the rule engine
// reported them.
func FindingsOf(a *analyzer.Analysis) []findings.Finding { return a.Findings }

// formatRatio writes a threshold ratio as given ("0.9").
func formatRatio(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// formatBytes writes a size exactly, with its humanized form.
func formatBytes(n int64) string {
	if n < 0 {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%d (%s)", n, humanize.Bytes(uint64(n)))
}

// formatValue writes a measured value of a check.
func formatValue(check string, v float64) string {
	switch check {
	case KeyLowestEfficiency, KeyHighestUserWastedPercent:
		return fmt.Sprintf("%.4f", v)
	case KeyHighestWastedBytes, KeyMaxImageBytes:
		return formatBytes(int64(v))
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// checkHelp returns a check's title and its help: what it measures and how
// to fix a failure.
func checkHelp(name string) (title, help string) {
	switch name {
	case KeyLowestEfficiency:
		return "Image efficiency is at least the threshold",
			"Efficiency is the share of the image's bytes that a container can see. Bytes are wasted when a later " +
				"layer overwrites or deletes files of an earlier one. Create and remove temporary files in the same RUN " +
				"instruction, clean package caches in the RUN that fills them (or use RUN --mount=type=cache), and use a " +
				"multi-stage build to copy only the results into the final image."
	case KeyHighestWastedBytes:
		return "Wasted bytes are at most the threshold",
			"Wasted bytes are the bytes of files that a later layer overwrites or deletes: they are shipped and stored " +
				"but no container sees them. Remove files in the same RUN instruction that creates them, avoid chmod/chown " +
				"in a separate RUN (use COPY --chmod/--chown), and use multi-stage builds."
	case KeyHighestUserWastedPercent:
		return "Wasted bytes relative to the user layers are at most the threshold",
			"The wasted bytes divided by the bytes the image's own layers (all but the base) add. Fix it as for " +
				"wasted bytes: delete files in the layer that creates them and copy build results from a build stage."
	case KeyMaxImageBytes:
		return "The image size is at most the threshold",
			"The sum of the sizes of all layers' files. Start from a smaller base image, install only what runs " +
				"(--no-install-recommends, no build tools in the final stage) and copy build results from a build stage."
	case KeyMaxLayers:
		return "The number of layers is at most the threshold",
			"Every RUN, COPY and ADD instruction makes a layer. Merge consecutive RUN instructions with &&, and copy " +
				"files together in one COPY."
	case KeyFailOn:
		return "No finding at or above the fail-on severity",
			"Each finding names the layer and instruction that caused it and the Dockerfile change that fixes it " +
				"(its hint). Fix the finding, give its rule another severity or switch it off in the policy's rules, " +
				"ignore its paths with ignore-paths, or accept today's findings with a baseline (--write-baseline)."
	}
	return name, ""
}
