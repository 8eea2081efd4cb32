// Package policy is strata's CI gate: it reads a policy (a .strata.yaml, or
// dive's .dive-ci with dive's meaning), evaluates each of its checks on an
// analysis, and says which passed, which failed and why.
//
// The checks are the three thresholds dive knows (lowest efficiency, highest
// wasted bytes, highest user wasted percent), two of strata's own (image
// size and layer count), and a gate on findings of a given severity or
// above. Rules can be switched off or given another severity, paths can be
// ignored with globs, and a baseline records today's findings and values so
// that only what is new since then fails.
//
// The package is pure: it reads the files it is given and nothing else, and
// never prints.
package policy
