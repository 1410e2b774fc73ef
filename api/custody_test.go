package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// goodsDoc is one ObjectEvent about item at location: commissioned (ADD), observed, or
// shipped to dest.
func goodsDoc(action, step, item, location, dest string) []byte {
	extra := ""
	if dest != "" {
		extra = `,"destinationList":[{"type":"owning_party","destination":"` + dest + `"}]`
	}
	return []byte(fmt.Sprintf(`{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-05-01T08:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-05-01T08:00:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["%s"],"action":"%s","bizStep":"%s","bizLocation":{"id":"%s"}%s}]}}`, item, action, step, location, extra))
}

// TestEnterprisesRecordOnlyGoodsTheyHold follows one item from the enterprise that makes
// it to the one it ships it to: each may record it only while it holds it.
func TestEnterprisesRecordOnlyGoodsTheyHold(t *testing.T) {
	f := newMatrixFixture(t)
	asA := &node{srv: f.srv, token: f.tokens[flowUSCC]}
	asB := &node{srv: f.srv, token: f.tokens[otherUSCC]}
	const item = "https://id.gs1.org/01/09521234543213/21/C7"
	steps := []struct {
		name     string
		by       *node
		doc      []byte
		want     int
		mentions string
	}{
		{"A makes the item", asA, goodsDoc("ADD", "commissioning", item, ownGLN, ""), http.StatusAccepted, ""},
		{"B cannot record A's item", asB, goodsDoc("OBSERVE", "inspecting", item, otherGLN, ""), http.StatusForbidden, "not held by subject " + otherUSCC},
		{"A ships it to B", asA, goodsDoc("OBSERVE", "shipping", item, ownGLN, otherGLN), http.StatusAccepted, ""},
		{"A no longer holds it", asA, goodsDoc("OBSERVE", "inspecting", item, ownGLN, ""), http.StatusForbidden, "not held by subject " + flowUSCC},
		{"B receives it", asB, goodsDoc("OBSERVE", "receiving", item, otherGLN, ""), http.StatusAccepted, ""},
		{"B sells it", asB, goodsDoc("OBSERVE", "retail_selling", item, otherGLN, ""), http.StatusAccepted, ""},
		{"goods the platform has never seen are the recorder's", asB, goodsDoc("OBSERVE", "inspecting", item+"X", otherGLN, ""), http.StatusAccepted, ""},
	}
	for _, st := range steps {
		resp, body := st.by.do(t, "POST", "/capture", "application/ld+json", st.doc)
		if resp.StatusCode != st.want || !strings.Contains(string(body), st.mentions) {
			t.Fatalf("%s: %d %s, want %d mentioning %q", st.name, resp.StatusCode, body, st.want, st.mentions)
		}
	}
}
