package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
)

// CodeView is the JSON form of a code taken apart (codes.Parse): the answer of
// GET /api/codes/{code}, and one element of `zhuisu code check -json`.
type CodeView struct {
	Input      string     `json:"input"`
	Valid      bool       `json:"valid"`
	Scheme     string     `json:"scheme,omitempty"`
	SchemeName string     `json:"schemeName,omitempty"`
	Canonical  string     `json:"canonical,omitempty"`
	Human      string     `json:"human,omitempty"`
	Parts      []PartView `json:"parts,omitempty"`
	// Error is the reason an invalid code is not valid (never set in an API answer, which
	// is a problem document instead).
	Error string `json:"error,omitempty"`
}

// PartView is one named part of a code.
type PartView struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Meaning string `json:"meaning,omitempty"`
}

// NewCodeView builds the view of what codes.Parse returned for input.
func NewCodeView(input string, c *codes.Code, err error) CodeView {
	if err != nil || c == nil {
		return CodeView{Input: input, Error: zhuisu.ErrorMessage(err)}
	}
	v := CodeView{Input: input, Valid: true, Scheme: c.Scheme, SchemeName: c.SchemeName,
		Canonical: c.Canonical, Human: c.Human, Parts: make([]PartView, len(c.Parts))}
	for i, p := range c.Parts {
		v.Parts[i] = PartView{Name: p.Name, Value: p.Value, Meaning: p.Meaning}
	}
	return v
}

// codesPathPrefix is where GET /api/codes/{code...} starts.
const codesPathPrefix = "/api/codes/"

// getCode reads a code of any scheme (codes.Parse) and answers it taken apart, or a 400
// problem document with the reason it is not valid.
//
// The code is the rest of the path, normally URL-escaped (url.PathEscape); it is unescaped
// once. A GS1 Digital Link may also be given as it is, slashes, query string and its own
// percent-escapes included: the router then collapses the "//" after the scheme and
// redirects once to that path, escaped once more; the handler recognises the collapsed
// "http:/" or "https:/" (also after a symbology identifier such as "]Q1"), and restores the
// "//" after unescaping, so that an escape inside the Digital Link ("%2F" in a serial)
// keeps its meaning. For a URI the query string of the request is the Digital Link's own
// query, taken raw from r.URL.RawQuery; for other codes it is ignored.
func (s *Server) getCode(w http.ResponseWriter, r *http.Request) error {
	code, err := codeFromRequest(r)
	if err == nil {
		var c *codes.Code
		if c, err = codes.Parse(code); err == nil {
			return writeJSON(w, http.StatusOK, NewCodeView(code, c, nil))
		}
		err = &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "code",
			Message: zhuisu.ErrorMessage(err), Err: err}
	}
	// The problem names the request by its path with every run of digits that could be a
	// resident ID number masked, as the reason is.
	masked := *r
	u := *r.URL
	u.Path = maskIDRuns(u.Path)
	masked.URL = &u
	writeProblem(w, &masked, ProblemOf(err))
	return nil
}

// codeFromRequest takes the code out of the path (and, for a URI, the query string) of
// GET /api/codes/{code...}.
func codeFromRequest(r *http.Request) (string, error) {
	raw, ok := strings.CutPrefix(r.URL.EscapedPath(), codesPathPrefix)
	if !ok {
		raw = url.PathEscape(r.PathValue("code"))
	}
	code, err := url.PathUnescape(raw)
	if err != nil {
		return "", &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "code",
			Message: "the code in the path is not properly URL-escaped: " + err.Error()}
	}
	off := 0
	if len(code) >= 3 && code[0] == ']' {
		off = 3 // scan data: a symbology identifier, e.g. ]Q1, before the URI
	}
	if n := collapsedScheme(code[off:]); n > 0 {
		n += off
		code = code[:n] + "/" + code[n:]
	}
	if code == "" {
		return "", &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "code",
			Message: "no code given: put it, URL-escaped, after " + codesPathPrefix}
	}
	if r.URL.RawQuery != "" && strings.Contains(code, "://") && !strings.Contains(code, "?") {
		code += "?" + r.URL.RawQuery
	}
	return code, nil
}

// collapsedScheme returns the length of a leading "http:/" or "https:/" (any letter
// case) that is followed by something other than a second slash, or 0.
func collapsedScheme(s string) int {
	for _, scheme := range [...]string{"https:/", "http:/"} {
		n := len(scheme)
		if len(s) > n && strings.EqualFold(s[:n], scheme) && s[n] != '/' {
			return n
		}
	}
	return 0
}

// maskIDRuns masks, as codes.MaskResidentID does, every run of 17 to 19 digits (with an X
// after them) in s.
func maskIDRuns(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < len(s) && (s[j] == 'X' || s[j] == 'x') {
			j++
		}
		if n := j - i; n >= 17 && n <= 19 {
			b.WriteString(codes.MaskResidentID(s[i:j]))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}
