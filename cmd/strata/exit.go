package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes, as the product specification defines them.
const (
	exitOK      = 0
	exitPolicy  = 1 // a policy failed or a comparison is over budget
	exitUsage   = 2 // bad arguments, bad configuration, or an image that cannot be loaded
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
