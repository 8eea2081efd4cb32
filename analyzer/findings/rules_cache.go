package findings

import "strings"

// cacheRule builds a cache rule matched by root directories.
func cacheRule(id string, sev Severity, title, hint string, refs []string, roots ...string) *pathRule {
	return &pathRule{Rule: &Rule{ID: id, Category: Cache, Severity: sev, Title: title, Hint: hint, References: refs}, roots: roots}
}

// refs is shorthand for a list of references.
func refs(r ...string) []string { return r }

// cacheRules are the package-manager, build-tool and system caches, and the
// other files a build leaves that the image does not need. Paths, rule ids
// and hints follow the package managers' documentation and the linters that
// check the Dockerfile for the same mistakes.
var cacheRules = []*pathRule{
	withKeep(cacheRule("apt-lists", Medium, "apt package lists left in the image",
		"In the RUN that installs packages, end with `rm -rf /var/lib/apt/lists/*` "+
			"(`apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*`), "+
			"or use `RUN --mount=type=cache,target=/var/lib/apt,sharing=locked`.",
		refs("hadolint DL3009", "dockle DKL-DI-0005"), "/var/lib/apt/lists"),
		func(rel string) bool { return rel == "lock" }),
	withKeep(cacheRule("apt-cache", Medium, "apt package archives and binary caches left in the image",
		"Run `apt-get clean` in the same RUN as `apt-get install` (and keep /etc/apt/apt.conf.d/docker-clean of the "+
			"official Debian and Ubuntu images), or use `RUN --mount=type=cache,target=/var/cache/apt,sharing=locked`.",
		refs("hadolint DL3009"), "/var/cache/apt"),
		func(rel string) bool { return rel == "archives/lock" }),
	cacheRule("apk-cache", Medium, "apk package cache left in the image",
		"Use `apk add --no-cache …`, or `RUN --mount=type=cache,target=/var/cache/apk`.",
		refs("hadolint DL3019", "dockle DKL-DI-0004", "Trivy DS-0025"), "/var/cache/apk", "/etc/apk/cache"),
	cacheRule("yum-cache", Medium, "yum cache left in the image",
		"End the RUN with `yum clean all && rm -rf /var/cache/yum`, or use `RUN --mount=type=cache,target=/var/cache/yum`.",
		refs("hadolint DL3032", "Trivy DS-0015"), "/var/cache/yum"),
	cacheRule("dnf-cache", Medium, "dnf cache left in the image",
		"End the RUN with `dnf clean all` (`microdnf clean all`), or use `RUN --mount=type=cache,target=/var/cache/dnf`.",
		refs("hadolint DL3040", "Trivy DS-0019", "Trivy DS-0027"), "/var/cache/dnf", "/var/cache/libdnf5"),
	cacheRule("zypper-cache", Medium, "zypper cache left in the image",
		"End the RUN with `zypper clean -a`, or use `RUN --mount=type=cache,target=/var/cache/zypp`.",
		refs("hadolint DL3036", "Trivy DS-0020"), "/var/cache/zypp"),
	cacheRule("pacman-cache", Medium, "pacman package cache left in the image",
		"End the RUN with `pacman -Scc --noconfirm`, or use `RUN --mount=type=cache,target=/var/cache/pacman/pkg`.",
		nil, "/var/cache/pacman/pkg"),
	cacheRule("pip-cache", Medium, "pip cache left in the image",
		"Use `pip install --no-cache-dir …` (or `ENV PIP_NO_CACHE_DIR=1`), or `RUN --mount=type=cache,target=/root/.cache/pip pip install …`.",
		refs("hadolint DL3042"), "~/.cache/pip"),
	cacheRule("uv-cache", Medium, "uv cache left in the image",
		"Use `uv … --no-cache` (or `ENV UV_NO_CACHE=1`), or `RUN --mount=type=cache,target=/root/.cache/uv`.",
		nil, "~/.cache/uv"),
	cacheRule("poetry-cache", Medium, "Poetry or Pipenv cache left in the image",
		"Delete the cache in the same RUN (`poetry install … && rm -rf ~/.cache/pypoetry`, `pipenv install … && rm -rf ~/.cache/pipenv`), "+
			"or use `RUN --mount=type=cache,target=/root/.cache/pypoetry`.",
		nil, "~/.cache/pypoetry", "~/.cache/pipenv"),
	cacheRule("npm-cache", Medium, "npm cache left in the image",
		"Run `npm ci … && npm cache clean --force` in one RUN, or use `RUN --mount=type=cache,target=/root/.npm npm ci`.",
		refs("dockle DKL-LI-0003"), "~/.npm"),
	cacheRule("yarn-cache", Medium, "Yarn cache left in the image",
		"Run `yarn install --frozen-lockfile && yarn cache clean` in one RUN, or use `RUN --mount=type=cache,target=/usr/local/share/.cache/yarn`.",
		refs("hadolint DL3060"), "/usr/local/share/.cache/yarn", "~/.cache/yarn", "~/.yarn/berry/cache"),
	cacheRule("pnpm-store", Medium, "pnpm store left in the image",
		"Run `pnpm install … && pnpm store prune` in one RUN, or use `RUN --mount=type=cache,target=/root/.local/share/pnpm/store`.",
		nil, "~/.pnpm-store", "~/.local/share/pnpm/store", "~/.cache/pnpm"),
	cacheRule("go-build-cache", Medium, "Go build cache left in the image",
		"Build in a separate stage and COPY only the binary (`COPY --from=build /out/app /app`), "+
			"or use `RUN --mount=type=cache,target=/root/.cache/go-build go build …`.",
		nil, "~/.cache/go-build"),
	cacheRule("go-mod-cache", Medium, "Go module cache left in the image",
		"Build in a separate stage and COPY only the binary, or use `RUN --mount=type=cache,target=/go/pkg/mod go build …`.",
		nil, "/go/pkg/mod", "~/go/pkg/mod"),
	cacheRule("cargo-registry", Medium, "Cargo registry and git caches left in the image",
		"Build in a separate stage and COPY only the binary, or use "+
			"`RUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/usr/local/cargo/git cargo build …`.",
		nil, "~/.cargo/registry", "~/.cargo/git", "/usr/local/cargo/registry", "/usr/local/cargo/git"),
	cacheRule("maven-repo", Medium, "Maven local repository left in the image",
		"Build in a separate stage and COPY only the artifact, or use `RUN --mount=type=cache,target=/root/.m2 mvn …`.",
		nil, "~/.m2/repository"),
	cacheRule("gradle-cache", Medium, "Gradle caches left in the image",
		"Build in a separate stage and COPY only the artifact (run Gradle with `--no-daemon`), "+
			"or use `RUN --mount=type=cache,target=/root/.gradle gradle build --no-daemon`.",
		nil, "~/.gradle/caches", "~/.gradle/wrapper/dists", "~/.gradle/daemon"),
	cacheRule("composer-cache", Medium, "Composer cache left in the image",
		"Use `composer install --no-cache …` or `composer clear-cache` in the same RUN, or `RUN --mount=type=cache,target=/root/.cache/composer`.",
		nil, "~/.cache/composer", "~/.composer/cache"),
	cacheRule("gem-cache", Medium, "RubyGems and Bundler caches left in the image",
		"Run `bundle install … && rm -rf /usr/local/bundle/cache/*.gem` (or `gem install --no-document`) in one RUN, "+
			"or use `RUN --mount=type=cache,target=/root/.gem`.",
		nil, "~/.gem", "/usr/local/bundle/cache", "~/.bundle/cache"),
	cacheRule("nuget-cache", Medium, "NuGet package cache left in the image",
		"Build in a separate stage, or run `dotnet nuget locals all --clear` in the same RUN, or use `RUN --mount=type=cache,target=/root/.nuget/packages`.",
		nil, "~/.nuget/packages"),
	cacheRule("conda-pkgs", Medium, "conda package cache left in the image",
		"End the RUN with `conda clean --all -y` (`mamba clean --all -y`).",
		nil, "/opt/conda/pkgs", "/opt/miniconda3/pkgs", "~/miniconda3/pkgs", "~/anaconda3/pkgs", "~/.conda/pkgs"),
	cacheRule("user-cache", Low, "files under ~/.cache left in the image",
		"Delete `~/.cache` in the RUN that fills it, or mount it: `RUN --mount=type=cache,target=/root/.cache …`.",
		refs("dockle DKL-LI-0003"), "~/.cache"),
	cacheRule("tmp-files", Low, "files left in /tmp or /var/tmp",
		"Delete them in the RUN that creates them (`… && rm -rf /tmp/* /var/tmp/*`), or use `RUN --mount=type=tmpfs,target=/tmp`.",
		nil, "/tmp", "/var/tmp"),
	cacheRule("logs", Low, "build logs left under /var/log",
		"Remove the logs in the RUN that writes them (`rm -f /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/*`); "+
			"with `useradd`, pass `-l` so lastlog and faillog stay small.",
		refs("hadolint DL3046"), "/var/log"),
	{Rule: &Rule{ID: "python-bytecode", Category: Cache, Severity: Info, Title: "Python bytecode (*.pyc, __pycache__) in the image",
		Hint: "Set `ENV PYTHONDONTWRITEBYTECODE=1` before installing, or accept it: bytecode makes start-up faster."},
		dirNames: []string{"__pycache__"}, exts: []string{".pyc", ".pyo"}, anywhere: true},
	withKeep(cacheRule("docs", Info, "documentation and man pages in the image",
		"Exclude them before installing with dpkg `path-exclude` rules in /etc/dpkg/dpkg.cfg.d/ (keep "+
			"`path-include=/usr/share/doc/*/copyright`), or use a -slim base image. Never delete the copyright files.",
		nil, "/usr/share/doc", "/usr/share/man", "/usr/share/info", "/usr/share/groff", "/usr/share/lintian", "/usr/share/linda"),
		func(rel string) bool { return rel == "copyright" || strings.HasSuffix(rel, "/copyright") }),
	withKeep(cacheRule("locales", Info, "translations and locales in the image",
		"Exclude `/usr/share/locale/*` with a dpkg `path-exclude` rule before installing (keep locale.alias), or use a -slim base image.",
		nil, "/usr/share/locale"),
		func(rel string) bool {
			return rel == "locale.alias" || rel == "all_languages" || rel == "languages" ||
				strings.HasPrefix(rel, "currency/") || strings.HasPrefix(rel, "l10n/")
		}),
}

// withKeep sets the exemption of a path rule.
func withKeep(r *pathRule, keep func(rel string) bool) *pathRule {
	r.keep = keep
	return r
}

// cacheCatalog lists the cache rules for the catalog.
func cacheCatalog() []*Rule {
	out := make([]*Rule, len(cacheRules))
	for i, r := range cacheRules {
		out[i] = r.Rule
	}
	return out
}
