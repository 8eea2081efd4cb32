package dockerfile

import (
	"slices"
	"sort"
)

// env is the ARG and ENV values in force in a stage, for expansion.
type env struct {
	vals map[string]string
	// args are the names declared with ARG (a RUN records their values).
	args []string
	envs map[string]bool
}

func newEnv(parent map[string]string) *env {
	e := &env{vals: map[string]string{}, envs: map[string]bool{}}
	for k, v := range parent {
		e.vals[k] = v
	}
	return e
}

// inherit returns the environment a stage built FROM this one starts
// with: its ENV values (ARGs do not cross stages).
func (e *env) inherit() *env {
	n := newEnv(nil)
	for k := range e.envs {
		n.vals[k], n.envs[k] = e.vals[k], true
	}
	return n
}

func (e *env) setArg(k, v string) {
	if e.envs[k] {
		return // ENV wins over ARG
	}
	e.vals[k] = v
	if !slices.Contains(e.args, k) {
		e.args = append(e.args, k)
	}
}

func (e *env) setEnv(k, v string) { e.vals[k], e.envs[k] = v, true }

// Get implements shell.EnvGetter.
func (e *env) Get(k string) (string, bool) {
	v, ok := e.vals[k]
	return v, ok
}

// Keys implements shell.EnvGetter.
func (e *env) Keys() []string {
	keys := make([]string, 0, len(e.vals))
	for k := range e.vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// buildArgs lists the ARGs in force as NAME=value, sorted as Docker records
// them.
func (e *env) buildArgs() []string {
	var out []string
	for _, k := range e.args {
		if !e.envs[k] {
			out = append(out, k+"="+e.vals[k])
		}
	}
	sort.Strings(out)
	return out
}
