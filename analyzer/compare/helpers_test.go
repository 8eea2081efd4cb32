package compare_test

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// analyze builds a declared image and analyses it.
func analyze(t testing.TB, im fixtures.Image) *analyzer.Analysis {
	t.Helper()
	img, err := fixtures.Build(im, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// dpkgStatus writes a dpkg status file listing name=version pairs.
func dpkgStatus(pkgs ...string) string {
	s := ""
	for i := 0; i+1 < len(pkgs); i += 2 {
		s += "Package: " + pkgs[i] + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + pkgs[i+1] + "\n\n"
	}
	return s
}

var baseLayer = fixtures.Layer{
	CreatedBy: "/bin/sh -c #(nop) ADD file:4a1c0ee8b6f3d2e1aa in / ",
	Entries: []fixtures.Entry{
		fixtures.Dir("bin/"), fixtures.RandomFile("bin/sh", 50_000, 1).WithMode(0o755),
		fixtures.Dir("etc/"), fixtures.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
		fixtures.Dir("usr/"), fixtures.Dir("usr/bin/"),
		fixtures.Dir("var/"), fixtures.Dir("var/lib/"), fixtures.Dir("var/lib/dpkg/"),
		fixtures.File("var/lib/dpkg/status", dpkgStatus("base-files", "12.4+deb12u5", "libc6", "2.36-9", "openssl", "3.0.11-1")),
	},
}

// oldImage and newImage are two versions of an app: NEW installs one more
// package, upgrades curl, downgrades openssl, removes libc6 from the
// database, drops the apt lists, changes and removes app files, turns a
// file into a directory, adds a layer that creates a user and runs as it.
func oldImage() fixtures.Image {
	return fixtures.Image{
		Layers: []fixtures.Layer{
			baseLayer,
			{CreatedBy: "/bin/sh -c apt-get update && apt-get install -y curl", Entries: []fixtures.Entry{
				fixtures.Dir("var/lib/apt/"), fixtures.Dir("var/lib/apt/lists/"),
				fixtures.RandomFile("var/lib/apt/lists/deb.debian.org_Packages", 300_000, 2),
				fixtures.RandomFile("usr/bin/curl", 200_000, 3).WithMode(0o755),
				fixtures.File("var/lib/dpkg/status", dpkgStatus("base-files", "12.4+deb12u5", "curl", "7.88.1-10", "libc6", "2.36-9", "openssl", "3.0.11-1")),
				fixtures.Dir("var/log/"), fixtures.File("var/log/dpkg.log", "install curl\n"),
			}},
			{CreatedBy: "/bin/sh -c #(nop) COPY dir:0123456789abcdef0123 in /app ", Entries: []fixtures.Entry{
				fixtures.Dir("app/"),
				fixtures.File("app/main.py", "print('hello')\n"),
				fixtures.File("app/config.yml", "level: info\n"),
				fixtures.File("app/old.txt", "obsolete\n"),
				fixtures.File("app/data", "a file\n"),
				fixtures.Symlink("app/current", "main.py"),
			}},
		},
		Config: v1.Config{
			Env:          []string{"PATH=/usr/bin:/bin", "API_TOKEN=abcdefghijklmnop1234"},
			Cmd:          []string{"python", "/app/main.py"},
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		},
	}
}

func newImage() fixtures.Image {
	return fixtures.Image{
		Layers: []fixtures.Layer{
			baseLayer,
			{CreatedBy: "/bin/sh -c apt-get update && apt-get install -y curl jq && rm -rf /var/lib/apt/lists/*", Entries: []fixtures.Entry{
				fixtures.RandomFile("usr/bin/curl", 210_000, 4).WithMode(0o755),
				fixtures.RandomFile("usr/bin/jq", 40_000, 5).WithMode(0o755),
				fixtures.File("var/lib/dpkg/status", dpkgStatus("base-files", "12.4+deb12u5", "curl", "7.88.1-10+deb12u5", "jq", "1.6-2.1", "openssl", "3.0.9-1")),
				fixtures.Dir("var/log/"), fixtures.File("var/log/dpkg.log", "install curl\ninstall jq\n"),
			}},
			{CreatedBy: "/bin/sh -c #(nop) COPY dir:fedcba9876543210fedc in /app ", Entries: []fixtures.Entry{
				fixtures.Dir("app/"),
				fixtures.File("app/main.py", "print('hello')\n").WithMode(0o755),
				fixtures.File("app/config.yml", "level: debug\n"),
				fixtures.Dir("app/data/"),
				fixtures.File("app/data/seed.csv", "1,2,3\n"),
				fixtures.Symlink("app/current", "main2.py"),
				fixtures.Dir("app/__pycache__/"),
				fixtures.File("app/__pycache__/main.cpython-311.pyc", "compiled"),
			}},
			{CreatedBy: "/bin/sh -c useradd -u 1000 app", Entries: []fixtures.Entry{
				fixtures.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
				fixtures.File("etc/passwd-", "root:x:0:0:root:/root:/bin/sh\n"),
				fixtures.Dir("home/"), fixtures.Dir("home/app/").WithOwner(1000, 1000),
			}},
		},
		Config: v1.Config{
			User:         "app",
			Env:          []string{"PATH=/usr/bin:/bin", "API_TOKEN=abcdefghijklmnop5678"},
			Cmd:          []string{"python", "/app/main.py"},
			ExposedPorts: map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}},
			Labels:       map[string]string{"version": "2"},
		},
	}
}
