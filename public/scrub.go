package public

import "strings"

// The allowlist decides which fields reach the public view; the scrubber is the second
// line of defence for the free text among them (product and enterprise names), which a
// careless producer could fill with a contact's mobile or ID number.

// scrubText masks every run of digits (spaces, hyphens and a plus sign inside the run
// included) that holds seven digits or more: phone numbers, ID numbers and the like.
// Ordinary names carry no such runs.
func scrubText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isDigit(s[i]) && s[i] != '+' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j, digits := i, 0
		for j < len(s) && (isDigit(s[j]) || s[j] == ' ' || s[j] == '-' || s[j] == '+' || ((s[j] == 'X' || s[j] == 'x') && digits >= 14)) {
			if isDigit(s[j]) {
				digits++
			}
			j++
		}
		run := s[i:j]
		trimmed := strings.TrimRight(run, " -")
		if digits >= 7 {
			b.WriteString(strings.Repeat("*", len([]rune(trimmed))))
			b.WriteString(run[len(trimmed):])
		} else {
			b.WriteString(run)
		}
		if j == i {
			j++
		}
		i = j
	}
	return b.String()
}

// personalRun reports whether s holds an unbroken run of digits shaped like a mobile
// number (11 digits starting 1) or a resident ID number (15, or 17 and a check character).
func personalRun(s string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		n := j - i
		if j < len(s) && n == 17 && (s[j] == 'X' || s[j] == 'x') {
			n++
		}
		if (n == 11 && s[i] == '1') || n == 15 || n == 18 {
			return true
		}
		i = j
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// printableASCII reports whether s is printable ASCII only.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
