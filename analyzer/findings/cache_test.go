package findings_test

import (
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// cachePaths gives, for every cache rule, a file it must report and a
// close file it must not.
var cachePaths = []struct {
	rule, trigger, guard string
}{
	{"apt-lists", "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages", "var/lib/apt/extended_states"},
	{"apt-cache", "var/cache/apt/archives/curl_7.88.1_amd64.deb", "var/cache/debconf/config.dat"},
	{"apk-cache", "var/cache/apk/APKINDEX.5022a8a2.tar.gz", "etc/apk/repositories"},
	{"yum-cache", "var/cache/yum/x86_64/7/base/repomd.xml", "var/lib/yum/history/history.sqlite"},
	{"dnf-cache", "var/cache/dnf/fedora-filenames.solvx", "var/lib/dnf/history.sqlite"},
	{"zypper-cache", "var/cache/zypp/raw/repo/repomd.xml", "etc/zypp/zypp.conf"},
	{"pacman-cache", "var/cache/pacman/pkg/curl-8.5.0-1-x86_64.pkg.tar.zst", "var/lib/pacman/sync/core.db"},
	{"pip-cache", "root/.cache/pip/http-v2/a/3/a3f5c1e9.body", "usr/local/lib/python3.12/site-packages/pip/cache.py"},
	{"uv-cache", "root/.cache/uv/archive-v0/x/y.py", "root/.local/bin/uv"},
	{"poetry-cache", "home/app/.cache/pypoetry/artifacts/ab/requests.whl", "app/poetry.lock"},
	{"npm-cache", "root/.npm/_cacache/content-v2/sha512/ab/cd", "usr/local/lib/node_modules/npm/package.json"},
	{"yarn-cache", "usr/local/share/.cache/yarn/v6/npm-react-18.2.0.tgz", "app/.yarnrc"},
	{"pnpm-store", "root/.local/share/pnpm/store/v3/files/ab/cdef", "app/pnpm-lock.yaml"},
	{"go-build-cache", "root/.cache/go-build/ab/abcdef-d", "usr/local/go/pkg/tool/linux_amd64/compile"},
	{"go-mod-cache", "go/pkg/mod/cache/download/golang.org/x/sync/@v/v0.7.0.zip", "go/bin/app"},
	{"cargo-registry", "usr/local/cargo/registry/cache/index.crates.io/serde-1.0.0.crate", "usr/local/cargo/bin/cargo"},
	{"maven-repo", "root/.m2/repository/org/slf4j/slf4j-api/2.0.9/slf4j-api-2.0.9.jar", "root/.m2/settings.xml"},
	{"gradle-cache", "home/app/.gradle/caches/modules-2/files-2.1/x/y.jar", "home/app/.gradle/gradle.properties"},
	{"composer-cache", "root/.composer/cache/files/monolog/x.zip", "root/.composer/composer.json"},
	{"gem-cache", "usr/local/bundle/cache/rack-3.0.8.gem", "usr/local/bundle/gems/rack-3.0.8/lib/rack.rb"},
	{"nuget-cache", "root/.nuget/packages/newtonsoft.json/13.0.3/newtonsoft.json.13.0.3.nupkg", "root/.nuget/NuGet/NuGet.Config"},
	{"conda-pkgs", "opt/conda/pkgs/numpy-1.26.4-py312.conda", "opt/conda/lib/python3.12/site-packages/numpy/version.py"},
	{"user-cache", "root/.cache/matplotlib/fontlist-v330.json", "root/.config/app/settings.toml"},
	{"tmp-files", "tmp/build/main.o", "tmpdata/keep.txt"},
	{"logs", "var/log/dpkg.log", "app/log/app.log"},
	{"python-bytecode", "usr/lib/python3/dist-packages/yaml/__pycache__/main.cpython-312.pyc", "app/main.py"},
	{"docs", "usr/share/doc/curl/changelog.Debian.gz", "usr/share/doc/curl/copyright"},
	{"locales", "usr/share/locale/de/LC_MESSAGES/curl.mo", "usr/share/locale/locale.alias"},
}

// cacheCases builds a trigger and a guard for every cache rule: the file in
// layer 1 made by a RUN.
func cacheCases() []ruleCase {
	var out []ruleCase
	for _, c := range cachePaths {
		out = append(out,
			ruleCase{rule: c.rule, name: "trigger", image: image(run("make", file(c.trigger, 4321))),
				want: []hit{{Layer: 1, Paths: []string{"/" + c.trigger}, PathCount: 1, Bytes: 4321}}},
			ruleCase{rule: c.rule, name: "guard", image: image(run("make", file(c.guard, 4321)))},
		)
	}
	return append(out,
		// Deleted by a later layer: still reported at the layer holding it.
		ruleCase{rule: "apt-lists", name: "hidden by a later rm", image: image(
			run("apt-get update", file("var/lib/apt/lists/a_Packages", 5000), file("var/lib/apt/lists/b_Packages", 3000), fixtures.File("var/lib/apt/lists/lock", "")),
			run("rm -rf /var/lib/apt/lists/*", fixtures.Whiteout("var/lib/apt/lists/a_Packages"), fixtures.Whiteout("var/lib/apt/lists/b_Packages")),
		), want: []hit{{Layer: 1, Paths: []string{"/var/lib/apt/lists/a_Packages", "/var/lib/apt/lists/b_Packages"}, PathCount: 2, Bytes: 8000}}},
		// A BuildKit cache mount kept the cache out of the layer.
		ruleCase{rule: "pip-cache", name: "cache mount", image: image(fixtures.Layer{
			CreatedBy: "RUN --mount=type=cache,target=/root/.cache/pip /bin/sh -c pip install -r requirements.txt # buildkit",
			Entries:   []fixtures.Entry{file("root/.cache/pip/http-v2/x.body", 2000)},
		})},
		// Inside the base image: reported, at info severity (see TestBaseLayerIsInfo).
		ruleCase{rule: "docs", name: "copyright kept, man page reported", image: image(run("apt-get install -y curl",
			file("usr/share/doc/curl/copyright", 900), file("usr/share/man/man1/curl.1.gz", 700))),
			want: []hit{{Layer: 1, Paths: []string{"/usr/share/man/man1/curl.1.gz"}, PathCount: 1, Bytes: 700}}},
	)
}

func TestCacheRules(t *testing.T) { runCases(t, cacheCases()) }
