package findings

import (
	"strconv"
	"strings"
)

// parseAccounts reads /etc/passwd, /etc/group or /etc/shadow: colon
// separated lines whose first field is the name, second the password and
// third (passwd, group) the numeric ID.
func parseAccounts(p string, b []byte) []Account {
	var out []Account
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		a := Account{Name: f[0], ID: -1, EmptyPassword: f[1] == ""}
		if p != "/etc/shadow" && len(f) > 2 {
			if id, err := strconv.Atoi(f[2]); err == nil {
				a.ID = id
			}
		}
		out = append(out, a)
	}
	return out
}
