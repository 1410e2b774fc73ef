package zhuisu

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckText refuses free text a person typed (a reason, a note, a name, a label) that is
// longer than max bytes, not UTF-8, or holds a control character other than tab and
// newline: such text goes into records that are kept for good (the audit log, histories)
// and into spreadsheets and pages, and a NUL cannot be stored by every database.
func CheckText(field, what, s string, max int) error {
	switch {
	case len(s) > max:
		return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("the %s is %d bytes long; at most %d are allowed", what, len(s), max)}
	case !utf8.ValidString(s):
		return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("the %s is not valid UTF-8", what)}
	}
	for i, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("the %s holds a control character (U+%04X) at byte %d", what, r, i)}
		}
	}
	return nil
}
