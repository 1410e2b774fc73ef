package trace

import (
	"strconv"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/lineage"
)

// ParseRequest reads a trace request from its text parameters, as the API and the
// command line give them: direction backward|forward|both (default both), depth a whole
// number (0 or empty: no limit), at an RFC 3339 time (empty: any time).
func ParseRequest(code, direction, depth, at string) (Request, error) {
	req := Request{Code: code, Direction: lineage.Both}
	bad := func(field, format string, args ...any) error {
		e := zhuisu.Errorf(zhuisu.EInvalid, format, args...)
		e.Kind, e.Field = "QueryParameterException", field
		return e
	}
	if code == "" {
		return req, bad("code", "a trace needs a code")
	}
	switch direction {
	case "", "both":
	case "backward":
		req.Direction = lineage.Backward
	case "forward":
		req.Direction = lineage.Forward
	default:
		return req, bad("direction", "direction must be backward, forward or both, got %q", direction)
	}
	if depth != "" {
		n, err := strconv.Atoi(depth)
		if err != nil || n < 0 {
			return req, bad("depth", "depth must be a whole number of steps, got %q", depth)
		}
		req.Depth = n
	}
	if at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return req, bad("at", "at must be a date-time with a time zone, got %q", at)
		}
		req.At = t
	}
	return req, nil
}
