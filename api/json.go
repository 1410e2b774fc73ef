package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/zhuisu/zhuisu"
)

// maxJSONBody bounds the JSON body of the platform's own resources (registrations,
// recalls, accounts): a few hundred codes or locations at most.
const maxJSONBody = 1 << 20

// readJSON reads a request's JSON body into v strictly: a Content-Type other than JSON,
// an unknown field (a misspelt one would be silently dropped), a second value or a body
// over maxJSONBody is refused, naming what was expected. An empty body leaves v as it is,
// for the service to say which fields it needs.
func readJSON(w http.ResponseWriter, r *http.Request, v any, what string) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "Content-Type",
				Message: "send " + what + " as application/json"}
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return zhuisu.Errorf(zhuisu.ETooLarge, "the body is larger than %d bytes", maxJSONBody)
		}
		return jsonError(err, what)
	}
	if dec.More() {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Message: "the body holds more than " + what}
	}
	return nil
}

// jsonError says in the request's own terms what is wrong with a JSON body: the field
// (its path in the body), what it should be, and where the syntax broke; the decoder's
// own messages name Go types and struct fields instead.
func jsonError(err error, what string) error {
	e := &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Err: err}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &typeErr):
		e.Field = jsonPath(typeErr.Field)
		e.Message = fmt.Sprintf("%s must be %s, not a JSON %s", e.Field, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr):
		e.Message = fmt.Sprintf("the body is not %s: the JSON breaks at byte %d (%s)", what, syntaxErr.Offset, syntaxErr.Error())
	case errors.As(err, &timeErr):
		e.Message = "a time must be an RFC 3339 date-time with a time zone, such as 2026-05-01T00:00:00+08:00; got " + strconv.Quote(timeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		e.Field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e.Message = fmt.Sprintf("%s is not a field of %s", e.Field, what)
	case errors.Is(err, io.ErrUnexpectedEOF):
		e.Message = "the body is not " + what + ": it ends before the JSON does"
	default:
		e.Message = "the body is not " + what + ": " + err.Error()
	}
	return e
}

// jsonKind names a Go type as the JSON a client should send.
func jsonKind(t reflect.Type) string {
	one, _ := jsonKinds(t)
	return one
}

// jsonKinds names a Go type as JSON, in the singular and the plural.
func jsonKinds(t reflect.Type) (string, string) {
	switch t.Kind() {
	case reflect.String:
		return "a string", "strings"
	case reflect.Bool:
		return "true or false", "true or false values"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number", "whole numbers"
	case reflect.Float32, reflect.Float64:
		return "a number", "numbers"
	case reflect.Slice, reflect.Array:
		_, many := jsonKinds(t.Elem())
		return "a list of " + many, "lists"
	case reflect.Pointer:
		return jsonKinds(t.Elem())
	case reflect.Struct:
		if t == reflect.TypeOf(time.Time{}) {
			return "an RFC 3339 date-time string", "RFC 3339 date-time strings"
		}
	}
	return "an object", "objects"
}

// jsonPath is the decoder's path to a field without the Go names of embedded structs
// (a request's fields all have lower-case JSON names).
func jsonPath(p string) string {
	var keep []string
	for _, seg := range strings.Split(p, ".") {
		if seg != "" && !unicode.IsUpper([]rune(seg)[0]) {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}
