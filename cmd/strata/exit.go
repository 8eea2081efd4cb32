package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer/bug"
)

// Exit codes, as the product specification defines them.
const (
	exitOK      = 0
	exitPolicy  = 1 // a policy failed or a comparison is over budget
	exitUsage   = 2 // bad arguments, bad configuration, or an image that cannot be loaded
	exitBug     = 3 // an internal error: a bug in strata, never the input's fault
	exitAborted = 130
)

// exitError carries an exit code with its error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks an error as bad input (exit code 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// policyError marks a failed gate (exit code 1); its message is already shown.
var errPolicyFailed = &exitError{code: exitPolicy, err: errors.New("policy failed")}

// exitCode maps an error to the process exit code and prints it, the one
// place where errors become exit codes.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "strata: interrupted")
		return exitAborted
	}
	var be *bug.Error
	if errors.As(err, &be) {
		reportBug(be, stderr)
		return exitBug
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.code == exitPolicy {
		return exitPolicy
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "strata: ") {
		msg = "strata: " + msg
	}
	fmt.Fprintln(stderr, msg)
	return exitUsage
}

// reportBug prints an internal error: what panicked, a request to report it
// and the stack where it happened.
func reportBug(be *bug.Error, stderr io.Writer) {
	fmt.Fprintf(stderr, "strata: internal error: %v\n", be.Value)
	fmt.Fprintf(stderr, "This is a bug in strata %s, not a problem with your input: please report it\n", version)
	fmt.Fprintln(stderr, "at https://github.com/stratascan/strata/issues with the command line and the lines below.")
	if len(be.Stack) > 0 {
		fmt.Fprintf(stderr, "\n%s", be.Stack)
	}
}
