// Package bug turns a panic, which is always a bug in strata and never the
// fault of its input, into an error that carries the stack where it
// happened. A panic in a goroutine would otherwise kill the process before
// anyone could report it; caught, it travels back to the command, which
// prints it and exits with the code kept for bugs.
package bug

import (
	"fmt"
	"runtime/debug"
)

// Error is a recovered panic.
type Error struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, taken when the
	// panic was recovered.
	Stack []byte
}

func (e *Error) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }

// From returns the Error for a value returned by recover. A panic that
// already carries an Error (one re-raised by the goroutine that waited for
// the one that panicked) keeps its original stack.
func From(r any) *Error {
	if e, ok := r.(*Error); ok {
		return e
	}
	return &Error{Value: r, Stack: debug.Stack()}
}

// Catch, deferred, turns a panic of the goroutine into an *Error stored in
// *err; without a panic it leaves *err alone.
func Catch(err *error) {
	if r := recover(); r != nil {
		*err = From(r)
	}
}
