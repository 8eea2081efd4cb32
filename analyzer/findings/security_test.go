package findings_test

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stratascan/strata/fixtures"
)

// withConfig returns im with its configuration changed by f.
func withConfig(im fixtures.Image, f func(c *v1.Config)) fixtures.Image {
	f(&im.Config)
	return im
}

// layers returns n RUN layers after the base.
func layers(n int) fixtures.Image {
	var ls []fixtures.Layer
	for i := 0; i < n; i++ {
		ls = append(ls, run("step", file("app/step", int64(10+i))))
	}
	return image(ls...)
}

func securityCases() []ruleCase {
	return []ruleCase{
		{rule: "root-user", name: "trigger", image: withConfig(image(), func(c *v1.Config) { c.User = "" }), want: []hit{{Layer: -1}}},
		{rule: "root-user", name: "trigger: USER 0:0", image: withConfig(image(), func(c *v1.Config) { c.User = "0:0" }), want: []hit{{Layer: -1}}},
		{rule: "root-user", name: "guard", image: withConfig(image(), func(c *v1.Config) { c.User = "app:app" })},
		{rule: "setuid-files", name: "trigger", image: image(run("apt-get install -y passwd", file("usr/bin/passwd", 2000).WithMode(0o4755))),
			want: []hit{{Layer: 1, Paths: []string{"/usr/bin/passwd"}, PathCount: 1}}},
		{rule: "setuid-files", name: "guard", image: image(run("apt-get install -y passwd", file("usr/bin/passwd", 2000).WithMode(0o755)))},
		{rule: "world-writable", name: "trigger", image: image(copyTo("/app", fixtures.Dir("app/data/").WithMode(0o777), file("app/upload.txt", 100).WithMode(0o666))),
			want: []hit{{Layer: 1, Paths: []string{"/app/upload.txt", "/app/data"}, PathCount: 2}}},
		{rule: "world-writable", name: "guard: /tmp, sticky directories, symlinks", image: image(run("setup",
			file("tmp/x", 100).WithMode(0o666), fixtures.Dir("var/tmp/").WithMode(0o1777), fixtures.Dir("srv/shared/").WithMode(0o1777),
			fixtures.Symlink("app/link", "/etc/hostname")))},
		{rule: "empty-password", name: "trigger", image: image(run("useradd guest",
			fixtures.File("etc/shadow", "root:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n"))),
			want: []hit{{Layer: 1, Paths: []string{"/etc/shadow"}, PathCount: 1}}},
		{rule: "empty-password", name: "guard: locked accounts", image: image(run("useradd guest",
			fixtures.File("etc/shadow", "root:*:19000:0:99999:7:::\nguest:!:19000:0:99999:7:::\nsvc:!!:19000::::::\n")))},
		{rule: "duplicate-ids", name: "trigger", image: image(run("useradd -o -u 0 toor",
			fixtures.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n"))),
			want: []hit{{Layer: 1, Paths: []string{"/etc/passwd"}, PathCount: 1}}},
		{rule: "duplicate-ids", name: "guard", image: image(run("useradd app2",
			fixtures.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\napp2:x:10002:10001::/app:/bin/sh\n")))},
		{rule: "sudo", name: "trigger", image: image(run("sudo apt-get install -y curl", file("usr/bin/curl", 100))), want: []hit{{Layer: 1}}},
		{rule: "sudo", name: "guard: the word in arguments", image: image(run("find / -name '*sudo*' -delete && echo sudo", file("app/x", 1)))},
	}
}

func configCases() []ruleCase {
	return []ruleCase{
		{rule: "no-healthcheck", name: "trigger", image: withConfig(image(), func(c *v1.Config) { c.Healthcheck = nil }), want: []hit{{Layer: -1}}},
		{rule: "no-healthcheck", name: "trigger: NONE", image: withConfig(image(), func(c *v1.Config) { c.Healthcheck = &v1.HealthConfig{Test: []string{"NONE"}} }), want: []hit{{Layer: -1}}},
		{rule: "no-healthcheck", name: "guard", image: image()},
		{rule: "shell-form-cmd", name: "trigger", image: withConfig(image(meta(`CMD ["/bin/sh" "-c" "python app.py"]`)),
			func(c *v1.Config) { c.Cmd = []string{"/bin/sh", "-c", "python app.py"} }), want: []hit{{Layer: -1}}},
		{rule: "shell-form-cmd", name: "guard: exec inside, exec-form entrypoint", image: withConfig(image(),
			func(c *v1.Config) {
				c.Cmd = []string{"/bin/sh", "-c", "exec python app.py"}
			})},
		{rule: "shell-form-cmd", name: "guard: exec-form ENTRYPOINT with arguments", image: withConfig(image(),
			func(c *v1.Config) {
				c.Entrypoint = []string{"/app/server"}
				c.Cmd = []string{"/bin/sh", "-c", "ignored as arguments"}
			})},
		{rule: "add-instead-of-copy", name: "trigger", image: image(fixtures.Layer{CreatedBy: "/bin/sh -c #(nop) ADD file:abc123 in /app/config.json ",
			Entries: []fixtures.Entry{file("app/config.json", 100)}}), want: []hit{{Layer: 1}}},
		{rule: "add-instead-of-copy", name: "guard: base rootfs, local archive", image: image(fixtures.Layer{CreatedBy: "ADD app.tar.gz /opt/ # buildkit",
			Entries: []fixtures.Entry{file("opt/app/bin", 100)}})},
		{rule: "update-alone", name: "trigger", image: image(run("apt-get update", file("var/lib/apt/lists/x_Packages", 100))), want: []hit{{Layer: 1}}},
		{rule: "update-alone", name: "guard", image: image(
			run("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl && rm -rf /var/lib/apt/lists/*", file("usr/bin/curl", 100)),
			copyTo("/app", file("app/notes.txt", 10)),
			run("echo apt-get update > /app/notes.txt", file("app/notes.txt", 20)))},
		// The shapes of RUN scripts are read as shell, in both builders' formats.
		{rule: "update-alone", name: "trigger: classic builder with a SHELL", image: image(fixtures.Layer{CreatedBy: "/bin/bash -o pipefail -c apt-get update",
			Entries: []fixtures.Entry{file("var/lib/apt/lists/x_Packages", 100)}}), want: []hit{{Layer: 1}}},
		{rule: "update-alone", name: "trigger: BuildKit with a SHELL and build args", image: image(fixtures.Layer{CreatedBy: "RUN |1 V=1 /bin/bash -o pipefail -c apt-get update # buildkit",
			Entries: []fixtures.Entry{file("var/lib/apt/lists/x_Packages", 100)}}), want: []hit{{Layer: 1}}},
		{rule: "update-alone", name: "trigger: inside an if block", image: image(run("if [ -f /etc/debian_version ]; then apt-get update; fi",
			file("var/lib/apt/lists/x_Packages", 100))), want: []hit{{Layer: 1}}},
		{rule: "update-alone", name: "trigger: heredoc script", image: image(fixtures.Layer{CreatedBy: "RUN /bin/sh -c <<EOF\nset -e\napt-get update\nEOF # buildkit",
			Entries: []fixtures.Entry{file("var/lib/apt/lists/x_Packages", 100)}}), want: []hit{{Layer: 1}}},
		{rule: "update-alone", name: "guard: if block installs", image: image(run("if true; then\n  apt-get update && apt-get install -y curl\nfi",
			file("usr/bin/curl", 100)))},
		{rule: "update-alone", name: "guard: heredoc data, not commands", image: image(run("cat <<EOF > /app/notes.txt\napt-get update\nEOF",
			file("app/notes.txt", 100)))},
		{rule: "update-alone", name: "guard: then is not a program", image: image(run("if true; then apt-get install -y curl; fi",
			file("usr/bin/curl", 100)))},
		{rule: "sudo", name: "trigger: inside an if block", image: image(run("if true; then sudo apt-get install -y curl; fi", file("usr/bin/curl", 100))), want: []hit{{Layer: 1}}},
		{rule: "sudo", name: "guard: the word sudo in data", image: image(run("echo sudo > /app/notes.txt", file("app/notes.txt", 100)))},
		{rule: "consecutive-runs", name: "trigger", image: image(run("a", file("app/a", 10)), run("b", file("app/b", 11))), want: []hit{{Layer: 1}}},
		{rule: "consecutive-runs", name: "guard", image: image(run("a", file("app/a", 10)), copyTo("/app", file("app/c", 12)), run("b", file("app/b", 11)))},
		{rule: "too-many-layers", name: "trigger", image: layers(50), want: []hit{{Layer: -1}}},
		{rule: "too-many-layers", name: "guard", image: layers(49)},
		{rule: "latest-tag", name: "trigger: latest", image: image(), ref: "docker://example.com/app:latest", want: []hit{{Layer: -1}}},
		{rule: "latest-tag", name: "trigger: untagged", image: image(), ref: "localhost:5000/app", want: []hit{{Layer: -1}}},
		{rule: "latest-tag", name: "guard", image: image(), ref: "localhost:5000/app:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
	}
}

func TestSecurityRules(t *testing.T) { runCases(t, securityCases()) }

func TestConfigRules(t *testing.T) { runCases(t, configCases()) }
