package findings

import (
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
)

// junkRule reports what the build context should never have sent.
var junkRule = &pathRule{
	Rule: &Rule{ID: "build-context-junk", Category: Leftover, Severity: Low,
		Title: "build-context files copied into the image (VCS data, editor settings, build files)",
		Hint: "List them in .dockerignore (`.git`, `.svn`, `.hg`, `.idea`, `.vscode`, `**/.DS_Store`, `Dockerfile*`, " +
			"`docker-compose*.yml`, `coverage`, `.pytest_cache`, `node_modules/.cache`) so that `COPY . …` never sends them.",
		References: refs("dockle DKL-LI-0003")},
	names: []string{".git", ".svn", ".hg", ".DS_Store", "Dockerfile", ".dockerignore", "docker-compose.yml",
		"docker-compose.yaml", "compose.yml", "compose.yaml", ".idea", ".vscode", ".pytest_cache", ".mypy_cache", ".tox"},
	dirNames: []string{"coverage"},
}

// leftoverPathRules are the leftover rules matched by path.
var leftoverPathRules = []*pathRule{
	{Rule: &Rule{ID: "package-archives", Category: Leftover, Severity: Medium,
		Title: "package files (*.deb, *.rpm, *.apk) left outside the package caches",
		Hint: "Install and delete the package file in one RUN (`dpkg -i /tmp/x.deb && rm /tmp/x.deb`), or bind-mount it " +
			"from the build context: `RUN --mount=type=bind,source=x.deb,target=/tmp/x.deb dpkg -i /tmp/x.deb`."},
		exts: []string{".deb", ".rpm", ".apk"}},
	{Rule: &Rule{ID: "downloaded-archives", Category: Leftover, Severity: Low,
		Title: "downloaded archive left next to what was extracted from it",
		Hint: "Download, extract and delete in one RUN (`curl -fsSL URL | tar -xz -C /opt`), or ADD a local archive " +
			"(ADD extracts it and keeps no copy).",
		References: refs("hadolint DL3010")},
		exts:    []string{".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".tar", ".zip"},
		confirm: extractedNextTo},
	junkRule,
}

// archiveExts are the endings stripped to find an archive's stem.
var archiveExts = []string{".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".tar", ".zip"}

// extractedNextTo reports whether the directory holding archive n also holds
// a directory named like the archive ("node-v20.tar.gz" and "node-v20/",
// "go1.22.linux-amd64.tar.gz" and "go/"): what was extracted from it.
func extractedNextTo(r *run, n tree.NodeID) bool {
	t := r.t
	name := t.Name(n)
	stem := name
	for _, e := range archiveExts {
		if s, ok := strings.CutSuffix(name, e); ok {
			stem = s
			break
		}
	}
	if stem == "" || stem == name {
		return false
	}
	for _, c := range t.Children(t.Parent(n)) {
		d := t.Name(c)
		if c == n || len(t.Children(c)) == 0 || len(d) < 2 {
			continue
		}
		if d == stem || (strings.HasPrefix(stem, d) && !isLetter(stem[len(d)])) {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// The toolchain rules.
var (
	toolchainRule = &Rule{ID: "build-toolchain", Category: Leftover, Severity: Medium,
		Title: "build toolchain (compilers, make, -dev packages) left in the final image",
		Hint: "Use a multi-stage build: compile in a `FROM … AS build` stage that installs build-essential (or build-base), " +
			"then start the final stage from a slim or distroless base and `COPY --from=build` only the result."}
	fullBaseRule = &Rule{ID: "full-base-image", Category: Config, Severity: Low,
		Title: "full distribution base image with compilers",
		Hint: "Run on a slim or distroless base (`python:3.12-slim`, `gcr.io/distroless/…`, `debian:bookworm-slim`); " +
			"keep the full image for a build stage only."}
)

// leftoverRules lists the leftover rules for the catalog.
var leftoverRules = []*Rule{leftoverPathRules[0].Rule, leftoverPathRules[1].Rule, junkRule.Rule, toolchainRule}
