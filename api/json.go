package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

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
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Message: "the body is not " + what + ": " + err.Error(), Err: err}
	}
	if dec.More() {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Message: "the body holds more than " + what}
	}
	return nil
}
