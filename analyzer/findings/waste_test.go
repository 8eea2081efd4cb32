package findings_test

import (
	"testing"

	"github.com/stratascan/strata/fixtures"
)

// shared is content that two paths hold.
var shared = fixtures.RandomFile("x", 3000, 4242).Bytes()

func wasteCases() []ruleCase {
	return []ruleCase{
		{rule: "deleted-later", name: "trigger", image: image(
			run("dd if=/dev/zero of=/app/big.bin", file("app/big.bin", 5000)),
			run("rm /app/big.bin", fixtures.Whiteout("app/big.bin")),
		), want: []hit{{Layer: 1, Paths: []string{"/app/big.bin"}, PathCount: 1, Bytes: 5000}}},
		{rule: "deleted-later", name: "guard: kept, or explained by a cache rule", image: image(
			run("build", file("app/big.bin", 5000), file("root/.cache/pip/x.body", 700)),
			run("rm -rf /root/.cache", fixtures.Whiteout("root/.cache")),
		)},
		{rule: "overwritten-later", name: "trigger", image: image(
			run("write config", file("app/config.json", 2000)),
			run("write config again", file("app/config.json", 2500)),
		), want: []hit{{Layer: 1, Paths: []string{"/app/config.json"}, PathCount: 1, Bytes: 2000}}},
		{rule: "overwritten-later", name: "guard: package databases are rewritten by design", image: image(
			run("apt-get install -y curl", fixtures.File("var/lib/dpkg/status", "Package: curl\nStatus: install ok installed\nVersion: 1\n")),
			run("apt-get install -y git", fixtures.File("var/lib/dpkg/status", "Package: curl\nStatus: install ok installed\nVersion: 1\n\nPackage: git\nStatus: install ok installed\nVersion: 2\n")),
		)},
		{rule: "metadata-only-readd", name: "trigger", image: image(
			copyTo("/app", file("app/run.sh", 1500), file("app/lib.py", 2500)),
			run("chmod -R 755 /app", file("app/run.sh", 1500).WithMode(0o755), file("app/lib.py", 2500).WithMode(0o755)),
		), want: []hit{{Layer: 2, Paths: []string{"/app/lib.py", "/app/run.sh"}, PathCount: 2, Bytes: 4000}}},
		{rule: "metadata-only-readd", name: "guard: same content at another path", image: image(
			copyTo("/app", file("app/run.sh", 1500)),
			run("cp /app/run.sh /app/run2.sh", fixtures.Entry{Name: "app/run2.sh", Kind: fixtures.KindFile, Content: file("app/run.sh", 1500).Bytes(), Mode: 0o755}),
		)},
		{rule: "duplicate-files", name: "trigger", image: image(
			copyTo("/app", fixtures.Entry{Name: "app/a.bin", Kind: fixtures.KindFile, Content: shared, Mode: 0o644}),
			run("cp /app/a.bin /app/b.bin", fixtures.Entry{Name: "app/b.bin", Kind: fixtures.KindFile, Content: shared, Mode: 0o644}),
		), want: []hit{{Layer: 2, Paths: []string{"/app/b.bin"}, PathCount: 1, Bytes: 3000}}},
		{rule: "duplicate-files", name: "guard: hard links and empty files", image: image(
			copyTo("/app", fixtures.Entry{Name: "app/a.bin", Kind: fixtures.KindFile, Content: shared, Mode: 0o644},
				fixtures.Hardlink("app/b.bin", "app/a.bin"), fixtures.File("app/x/__init__.py", ""), fixtures.File("app/y/__init__.py", "")),
		)},
	}
}

func TestWasteRules(t *testing.T) { runCases(t, wasteCases()) }
