package source

import (
	"errors"
	"fmt"
)

// Error is returned by Open when an image cannot be opened. Its message is
// "<input>: <what is wrong>"; the cause is wrapped and reachable with errors.Is
// and errors.As.
type Error struct {
	// Input is the reference as the user gave it.
	Input string
	// Err is the concrete cause.
	Err error
}

// Error returns "<input>: <cause>".
func (e *Error) Error() string {
	if e.Input == "" {
		return e.Err.Error()
	}
	return e.Input + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Sentinel causes, reachable with errors.Is through an *Error.
var (
	// ErrNotFound means the source answered but does not have the image.
	ErrNotFound = errors.New("image not found")
	// ErrUnavailable means the source could not be reached (no daemon, no socket,
	// registry unreachable, tool not installed).
	ErrUnavailable = errors.New("source unavailable")
	// ErrNotImage means the input exists but is not a container image.
	ErrNotImage = errors.New("not a container image")
	// ErrPlatform means the requested or host platform is not available.
	ErrPlatform = errors.New("platform not available")
	// ErrUnauthorized means a registry refused the credentials (or their absence).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUntrusted means a registry's TLS certificate is not trusted.
	ErrUntrusted = errors.New("certificate not trusted")
	// ErrContentMissing means a store (containerd's) has the image record but
	// not every blob it needs, typically a platform that was never pulled.
	ErrContentMissing = errors.New("content missing")
)

// kindError attaches a sentinel to a concrete message so that the message
// stays specific while errors.Is still matches the category.
type kindError struct {
	kind error
	msg  string
	err  error
}

func (e *kindError) Error() string {
	if e.err != nil && e.msg == "" {
		return e.err.Error()
	}
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *kindError) Is(target error) bool { return target == e.kind }

func (e *kindError) Unwrap() error { return e.err }

// notFoundf builds an ErrNotFound error with a concrete message.
func notFoundf(format string, args ...any) error {
	return &kindError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// unavailable builds an ErrUnavailable error with a concrete message and cause.
func unavailable(err error, format string, args ...any) error {
	return &kindError{kind: ErrUnavailable, msg: fmt.Sprintf(format, args...), err: err}
}

// notImagef builds an ErrNotImage error: "not a container image: <detail>".
func notImagef(format string, args ...any) error {
	return &kindError{kind: ErrNotImage, msg: "not a container image: " + fmt.Sprintf(format, args...)}
}

// platformf builds an ErrPlatform error with a concrete message.
func platformf(format string, args ...any) error {
	return &kindError{kind: ErrPlatform, msg: fmt.Sprintf(format, args...)}
}

// wrapInput wraps err as an *Error for input unless it already is one.
func wrapInput(input string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Input: input, Err: err}
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func isUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }
