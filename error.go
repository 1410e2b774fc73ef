// Package zhuisu holds the domain at the centre of the platform: the error type every layer
// speaks, and the contracts (store, clock) the services are written against. It imports
// neither net/http nor database/sql; adapters live in their own packages and cmd/zhuisu
// wires them together.
package zhuisu

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers. Each code maps to one HTTP status in the API
// layer (see api/errors.go); nothing else decides status codes.
type Code string

const (
	ENotFound     Code = "not_found"
	EInvalid      Code = "invalid"
	EConflict     Code = "conflict"
	EUnauthorized Code = "unauthorized"
	EForbidden    Code = "forbidden"
	ETooLarge     Code = "too_large"
	EUnavailable  Code = "unavailable"
	EInternal     Code = "internal"
)

// Error is the one error type of the domain. Message is safe to show to a user; Err is
// the cause, for logs only. Kind refines Code for protocols that need a finer word (the
// EPCIS exception names such as "ValidationException"); Field says where the problem is.
type Error struct {
	Code    Code
	Kind    string
	Field   string
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Field != "" {
		s += " " + e.Field
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and user-safe message to a cause.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain; EInternal for any other
// non-nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err, never the text of an unclassified
// cause (which may carry driver details).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return err != nil && ErrorCode(err) == code }

// httpStatus is the one table from error codes to HTTP status, for the API and the pages.
// The statuses are written as numbers: the domain's packages must not depend on net/http.
var httpStatus = map[Code]int{
	ENotFound:     404,
	EInvalid:      400,
	EConflict:     409,
	EUnauthorized: 401,
	EForbidden:    403,
	ETooLarge:     413,
	EUnavailable:  503,
	EInternal:     500,
}

// HTTPStatus is the HTTP status that answers an error of code c (500 for a code it does
// not know).
func HTTPStatus(c Code) int {
	if s, ok := httpStatus[c]; ok {
		return s
	}
	return 500
}
