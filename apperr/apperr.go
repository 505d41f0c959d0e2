// Package apperr defines the small set of error kinds that Common Ground's
// domain packages return and that the HTTP layer maps to status codes.
//
// A domain error carries a kind, a message that is safe to show to a user
// (lower case, no final punctuation) and, for validation errors, the list of
// fields that are wrong. Errors from the database or the operating system are
// wrapped with a kind by the package that sees them, never passed through with
// their own text.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds of error. The HTTP layer maps each to one status code.
const (
	Internal        Kind = "internal"      // a bug or an unexpected failure; 500
	Invalid         Kind = "invalid"       // the request is malformed: bad syntax, wrong type, unknown field; 400
	NotFound        Kind = "not_found"     // no such object, or the caller may not know of it; 404
	Conflict        Kind = "conflict"      // the object exists or changed under the caller; 409
	Unauthorized    Kind = "unauthorized"  // no valid credentials; 401
	Forbidden       Kind = "forbidden"     // credentials valid, action refused; 403
	Unavailable     Kind = "unavailable"   // a dependency is down or overloaded; 503
	TooLarge        Kind = "too_large"     // the request body or a part of it is too big; 413
	TooManyRequests Kind = "rate_limited"  // slow down; 429
	Unprocessable   Kind = "unprocessable" // well-formed, but values break a rule; 422
)

// FieldError names one bad input field and says what is wrong with it.
// Field is a JSON pointer-like dotted path such as "members.3.name".
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is a domain error: a kind, a user-safe message and optional details.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	// RetryAfter, in seconds, for TooManyRequests and Unavailable; 0 means unset.
	RetryAfter int
	// Err is the underlying cause; it is logged, never shown to a client.
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Kind)
	}
	if len(e.Fields) > 0 {
		msg = fmt.Sprintf("%s (%d bad fields)", msg, len(e.Fields))
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a formatted user-safe message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind whose cause is err. The message is
// what the user sees; err is kept for logs only.
func Wrap(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// Validation returns an Unprocessable error listing every bad field. It returns nil
// when fields is empty, so a validator can end with `return apperr.Validation(errs)`.
func Validation(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: Unprocessable, Message: "the request has invalid fields", Fields: fields}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or Internal when there is none. KindOf(nil) is "".
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err has the given kind.
func Is(err error, kind Kind) bool { return KindOf(err) == kind }

// Fields collects field errors; its zero value is ready to use.
type Fields []FieldError

// Add records that field is wrong for the given reason.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Err returns the collected errors as one Unprocessable error, or nil.
func (f Fields) Err() error { return Validation(f) }
