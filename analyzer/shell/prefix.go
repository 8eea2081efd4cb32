package shell

import (
	"path"
	"strings"
)

// shells are the programs whose -c argument is a script.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true}

// isShell reports whether a program name is a POSIX shell.
func isShell(p string) bool { return shells[path.Base(p)] }

// ShellC recognises a shell run with a script ("/bin/bash -o pipefail -c
// SCRIPT", "sh -ec SCRIPT") in exec-form arguments and returns the shell
// with its options and the script.
func ShellC(args []string) (shell []string, script string, ok bool) {
	if len(args) < 3 || !isShell(args[0]) {
		return nil, "", false
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case takesOption(a):
			i++
		case strings.HasPrefix(a, "-") && strings.HasSuffix(a, "c") && !strings.HasPrefix(a, "--"):
			if i+1 < len(args) {
				return args[:i+1], strings.Join(args[i+1:], " "), true
			}
			return nil, "", false
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
		default:
			return nil, "", false
		}
	}
	return nil, "", false
}

// CutShellPrefix splits a history command that starts with a shell and its
// options up to -c ("/bin/bash -o pipefail -c apt-get update") into the
// shell words and the rest of the text, verbatim. Docker records the shell
// of RUN (the default /bin/sh -c, or the one SHELL set) this way.
func CutShellPrefix(s string) (shell []string, rest string, ok bool) {
	t := s
	for {
		t = strings.TrimLeft(t, " ")
		word, after, found := strings.Cut(t, " ")
		if len(shell) == 0 {
			if !isShell(word) {
				return nil, s, false
			}
		} else if !strings.HasPrefix(word, "-") && !strings.HasPrefix(word, "+") && !takesOption(shell[len(shell)-1]) {
			return nil, s, false
		}
		shell = append(shell, word)
		if len(shell) > 1 && strings.HasPrefix(word, "-") && !strings.HasPrefix(word, "--") && strings.HasSuffix(word, "c") && !takesOption(shell[len(shell)-2]) {
			return shell, after, true
		}
		if !found {
			return nil, s, false
		}
		t = after
	}
}

// takesOption reports whether a shell flag word ends with o, whose value is
// the next word ("-o pipefail", "-eo pipefail", "+o posix").
func takesOption(w string) bool {
	return len(w) >= 2 && (w[0] == '-' || w[0] == '+') && w[1] != '-' && strings.HasSuffix(w, "o")
}
