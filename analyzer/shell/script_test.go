package shell

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCalls(t *testing.T) {
	tests := []struct {
		name, src string
		want      [][]string
		sudo      bool
	}{
		{"chain", "apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*",
			[][]string{{"apt-get", "update"}, {"apt-get", "install", "-y", "curl"}, {"rm", "-rf", "/var/lib/apt/lists/*"}}, false},
		{"pipe and or", "curl -fsSL https://x | sh || true",
			[][]string{{"curl", "-fsSL", "https://x"}, {"sh"}, {"true"}}, false},
		{"if block", "if [ -f /etc/debian_version ]; then apt-get update; fi",
			[][]string{{"[", "-f", "/etc/debian_version", "]"}, {"apt-get", "update"}}, false},
		{"continuations and quotes", "apt-get install -y \\\n    'libssl-dev' \"curl\" \\\n  && echo a\\ b",
			[][]string{{"apt-get", "install", "-y", "libssl-dev", "curl"}, {"echo", "a b"}}, false},
		{"sudo and env", "sudo -u root -E DEBIAN_FRONTEND=noninteractive apt-get update && env A=1 pip install x",
			[][]string{{"apt-get", "update"}, {"pip", "install", "x"}}, true},
		{"assignments", "DEBIAN_FRONTEND=noninteractive apt-get -y install x",
			[][]string{{"apt-get", "-y", "install", "x"}}, false},
		{"heredoc data is not a script", "cat <<EOF > /etc/apt/sources.list\napt-get update\nEOF\necho done",
			[][]string{{"cat"}, {"echo", "done"}}, false},
		{"heredoc run as a script", "<<EOF\napt-get update\napt-get install -y x\nEOF",
			[][]string{{"apt-get", "update"}, {"apt-get", "install", "-y", "x"}}, false},
		{"heredoc fed to bash", "bash -e <<'EOF'\npip install x\nEOF",
			[][]string{{"bash", "-e"}, {"pip", "install", "x"}}, false},
		{"nested sh -c", "sh -c 'apt-get update && apt-get install -y x'",
			[][]string{{"sh", "-c", "apt-get update && apt-get install -y x"}, {"apt-get", "update"}, {"apt-get", "install", "-y", "x"}}, false},
		{"command substitution", "echo $(apt-get update)",
			[][]string{{"apt-get", "update"}, {"echo", "$(apt-get update)"}}, false},
		{"while and case", "while read p; do case $p in a) pip install $p;; esac; done < list",
			[][]string{{"read", "p"}, {"pip", "install", "$p"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, c := range s.Calls {
				got = append(got, c.Args)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if s.Sudo != tc.sudo {
				t.Errorf("sudo = %v, want %v", s.Sudo, tc.sudo)
			}
		})
	}
}

// TestSpans checks that each call's offsets cover its text, also inside if
// blocks and heredocs, so that an edit lands on the right command.
func TestSpans(t *testing.T) {
	src := "set -e; if true; then\n  apt-get update; fi && <<EOF cat >/dev/null\nx\nEOF\nbash <<EOF\npip install -r r.txt\nEOF"
	s, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var depth []int
	for _, c := range s.Calls {
		got = append(got, src[c.Start:c.End])
		depth = append(depth, c.Depth)
	}
	want := []string{"set -e", "true", "apt-get update", "<<EOF cat >/dev/null", "bash <<EOF", "pip install -r r.txt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 1, 1, 0, 0, 1}, depth); diff != "" {
		t.Errorf("depths (-want +got):\n%s", diff)
	}
	pip := s.Calls[5]
	if got := src[pip.ArgSpans[2].Start:pip.ArgSpans[2].End]; got != "-r" {
		t.Errorf("arg span = %q, want -r", got)
	}
}

func TestParseError(t *testing.T) {
	if _, err := Parse("if true; then echo"); err == nil {
		t.Error("unterminated if parsed")
	}
}

func TestShellPrefix(t *testing.T) {
	tests := []struct {
		in, rest string
		shell    []string
	}{
		{"/bin/sh -c apt-get update", "apt-get update", []string{"/bin/sh", "-c"}},
		{"/bin/bash -o pipefail -c apt-get update", "apt-get update", []string{"/bin/bash", "-o", "pipefail", "-c"}},
		{"sh -exc set -x", "set -x", []string{"sh", "-exc"}},
		{"/bin/sh -c #(nop)  CMD [\"x\"]", "#(nop)  CMD [\"x\"]", []string{"/bin/sh", "-c"}},
		{"apt-get update", "apt-get update", nil},
		{"/bin/bash script.sh", "/bin/bash script.sh", nil},
	}
	for _, tc := range tests {
		shell, rest, ok := CutShellPrefix(tc.in)
		if ok != (tc.shell != nil) || rest != tc.rest || !cmp.Equal(shell, tc.shell) {
			t.Errorf("CutShellPrefix(%q) = %q, %q, %v; want %q, %q", tc.in, shell, rest, ok, tc.shell, tc.rest)
		}
	}
	if sh, script, ok := ShellC([]string{"/bin/bash", "-o", "pipefail", "-c", "apt-get update"}); !ok || script != "apt-get update" || len(sh) != 4 {
		t.Errorf("ShellC = %q %q %v", sh, script, ok)
	}
	s := Exec([]string{"sudo", "apt-get", "update"})
	if !s.Sudo || len(s.Calls) != 1 || s.Calls[0].Program() != "apt-get" || s.Calls[0].Subcommand() != "update" {
		t.Errorf("Exec = %+v", s)
	}
}
