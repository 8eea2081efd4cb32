// Package shell reads the shell scripts of RUN instructions: it parses them
// with mvdan.cc/sh/v3/syntax and lists the simple commands they run, each
// with its program, its arguments and where it sits in the script, so that
// the rules see real programs and the fixer can edit the right command
// inside && chains, if blocks, continuations and heredocs.
package shell
