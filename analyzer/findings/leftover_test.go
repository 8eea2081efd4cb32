package findings_test

import (
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// dpkgStatus returns a dpkg status file listing the packages installed.
func dpkgStatus(pkgs ...string) fixtures.Entry {
	s := ""
	for _, p := range pkgs {
		s += "Package: " + p + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\nDescription: " + p + "\n multi-line description\n\n"
	}
	return fixtures.File("var/lib/dpkg/status", s)
}

func leftoverCases() []ruleCase {
	return []ruleCase{
		{rule: "package-archives", name: "trigger", image: image(
			run("curl -o /opt/installers/tool_1.0_amd64.deb URL && dpkg -i /opt/installers/tool_1.0_amd64.deb", file("opt/installers/tool_1.0_amd64.deb", 6000)),
		), want: []hit{{Layer: 1, Paths: []string{"/opt/installers/tool_1.0_amd64.deb"}, PathCount: 1, Bytes: 6000}}},
		{rule: "package-archives", name: "guard: inside the apt cache", image: image(
			run("apt-get install -y curl", file("var/cache/apt/archives/curl_1.0_amd64.deb", 6000)),
		)},
		{rule: "downloaded-archives", name: "trigger", image: image(
			run("curl -O node.tar.xz && tar -xJf node-v20.11.0-linux-x64.tar.xz",
				file("opt/node-v20.11.0-linux-x64.tar.xz", 8000), file("opt/node-v20.11.0-linux-x64/bin/node", 3000)),
		), want: []hit{{Layer: 1, Paths: []string{"/opt/node-v20.11.0-linux-x64.tar.xz"}, PathCount: 1, Bytes: 8000}}},
		{rule: "downloaded-archives", name: "guard: an archive kept on purpose", image: image(
			run("curl -o /opt/backup.tar.gz URL", file("opt/backup.tar.gz", 8000), file("opt/other/readme.txt", 100)),
		)},
		{rule: "build-context-junk", name: "trigger", image: image(
			copyTo("/app", file("app/.git/HEAD", 30), file("app/.git/objects/pack/p.pack", 4000), file("app/.DS_Store", 600),
				file("app/Dockerfile", 200), file("app/main.py", 900)),
		), want: []hit{{Layer: 1, Paths: []string{"/app/.git/objects/pack/p.pack", "/app/.DS_Store", "/app/Dockerfile", "/app/.git/HEAD"}, PathCount: 4, Bytes: 4830}}},
		{rule: "build-context-junk", name: "guard: dependencies, system packages, look-alike names", image: image(
			copyTo("/app", file("app/node_modules/left-pad/.git/HEAD", 30), file("app/.gitignore", 40), file("app/docs/Dockerfile.md", 50)),
			run("pip install coverage", file("usr/lib/python3/dist-packages/coverage/__init__.py", 300)),
		)},
		{rule: "build-context-junk", name: "node_modules/.cache", image: image(
			run("npm run build", file("app/node_modules/.cache/babel-loader/x.json", 1200)),
		), want: []hit{{Layer: 1, Paths: []string{"/app/node_modules/.cache/babel-loader/x.json"}, PathCount: 1, Bytes: 1200}}},
		{rule: "build-toolchain", name: "trigger", image: image(
			run("apt-get install -y build-essential", file("usr/bin/gcc-12", 5000), fixtures.Symlink("usr/bin/gcc", "gcc-12"),
				file("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 9000), dpkgStatus("build-essential", "gcc-12", "libgcc-s1")),
		), want: []hit{{Layer: 1, Paths: []string{"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/bin/gcc-12"}, PathCount: 2, Bytes: 14000}}},
		{rule: "build-toolchain", name: "guard: runtime libraries and look-alike tools", image: image(
			run("apt-get install -y ccache", file("usr/bin/ccache", 5000), file("usr/bin/make-it-so", 100),
				dpkgStatus("gcc-12-base", "libgcc-s1", "libstdc++6", "ccache")),
		)},
		{rule: "full-base-image", name: "trigger", image: fixtures.Image{Config: cleanConfig(), Layers: []fixtures.Layer{
			{CreatedBy: baseCmd, Entries: append(baseLayer().Entries, file("usr/bin/gcc", 6000))},
			copyTo("/app", file("app/server", 1000)),
		}}, want: []hit{{Layer: 0, Paths: []string{"/usr/bin/gcc"}, PathCount: 1, Bytes: 6000}}},
		{rule: "full-base-image", name: "guard: compiler installed by the user", image: image(
			run("apt-get install -y gcc", file("usr/bin/gcc", 6000)),
		)},
	}
}

func TestLeftoverRules(t *testing.T) { runCases(t, leftoverCases()) }
