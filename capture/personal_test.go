package capture

import (
	"strings"
	"testing"
)

// validID builds a resident ID number with a correct check character (GB 11643 MOD 11-2).
func validID(body17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body17[i]-'0') * w
	}
	return body17 + string("10X98765432"[sum%11])
}

func TestResidentIDsInEventsAreFound(t *testing.T) {
	id := validID("35010219900307123")
	wrongCheck := id[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", id[17])+1)%11])
	tests := []struct {
		name, doc, want string
	}{
		{"in an extension value", `{"ex:buyer":"` + id + `"}`, id},
		{"lower-case x", `{"a":"` + strings.ToLower(id) + `"}`, strings.ToLower(id)},
		{"with text around it", `{"note":"buyer ` + id + ` paid"}`, id},
		{"none", `{"epcList":["https://id.gs1.org/01/09521234543213/21/123456789012345678"]}`, ""},
		{"part of a longer number", `{"a":"9` + id + `"}`, ""},
		{"followed by a letter", `{"a":"` + id + `A"}`, ""},
		{"wrong check character", `{"a":"` + wrongCheck + `"}`, ""},
		{"impossible birth date", `{"a":"` + validID("35010219900230123") + `"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := residentIDIn([]byte(tc.doc)); got != tc.want {
				t.Fatalf("residentIDIn(%s) = %q, want %q", tc.doc, got, tc.want)
			}
		})
	}
}
