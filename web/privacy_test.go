package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Natural persons' data seeded into the demo events, in fields the public view leaves
// out and in free text it shows. None of it may reach any public response.
var personal = []string{
	"王秀英", "李建国", "陈美玲",
	"13912345678", "139 1234 5678", "13600001111", "13807551234",
	"35010219800101001X", "350102198001010013", "110105194912310021",
}

func TestPublicResponsesNeverCarryANaturalPersonsNameIDOrPhone(t *testing.T) {
	node := func(local, value string) epcis.Node {
		return epcis.Node{Space: "https://zhuisu.example/ns/", Prefix: "zs", Local: local, Value: value}
	}
	s := newSite(t, 6, generous, func(i int, story []*epcis.Event) {
		for _, e := range story {
			if e.ILMD != nil {
				for k, n := range *e.ILMD {
					switch n.Local {
					case "producer", "processor", "productName":
						// Contact details in fields the page shows: the scrubber masks them.
						(*e.ILMD)[k].Value = n.Value + " 联系电话 13807551234 / 139 1234 5678 身份证 350102198001010013"
					case "lot":
						// A lot "number" that is a phone or an ID number is left out.
						(*e.ILMD)[k].Value = []string{"13807551234", "35010219800101001X", "110105194912310021"}[i%3]
					}
				}
				*e.ILMD = append(*e.ILMD, node("farmerName", "王秀英"), node("farmerPhone", "13912345678"),
					node("farmerID", "35010219800101001X"))
			}
			e.Extensions = append(e.Extensions, epcis.Node{Space: "https://zhuisu.example/ns/", Prefix: "zs", Local: "contact", Kind: epcis.KindObject,
				Children: []epcis.Node{node("name", "李建国"), node("mobile", "13600001111"), node("idNumber", "110105194912310021")}})
			e.CertificationInfo = append(e.CertificationInfo, "https://cert.example.gov.cn/person/13912345678", "https://cert.example.gov.cn/vet/陈美玲")
		}
	})
	s.recallLot(t, s.stories[0], "批次不合格，咨询 13807551234")
	var paths []string
	for _, story := range s.stories {
		for _, code := range []string{soldUnit(story), unsoldUnit(story), rawLot(story), pallet(story)} {
			p := pathOf(code)
			paths = append(paths, p, p+"?lang=en", p+"?format=json", p+"?linkType=all", "/q?code="+url.QueryEscape(code))
		}
	}
	// A code made of a resident ID number, and one shaped like a mobile number, echoed
	// on the error page.
	paths = append(paths, "/q?code=35010219800101001X", "/q?code=13912345678", "/code/cn.id/35010219800101001X")
	checked := 0
	for _, p := range paths {
		res, body := s.get(t, p)
		if res.StatusCode >= 500 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		checked++
		for _, v := range personal {
			if strings.Contains(body, v) {
				t.Errorf("%s: response carries %q", p, v)
			}
		}
		if strings.Contains(p, "format=json") && !strings.Contains(body, `"steps"`) {
			t.Errorf("%s: not a view: %.200s", p, body)
		}
	}
	// The test must see the seeded data somewhere, or it proves nothing: the full
	// record is in the store.
	rows, err := s.st.Events(context.Background(), &store.EventQuery{Limit: 1})
	if err != nil || len(rows) == 0 || !strings.Contains(string(rows[0].Doc), "13912345678") {
		t.Fatalf("the seeded personal data are not in the store (%v)", err)
	}
	if checked < 100 {
		t.Errorf("only %d responses checked", checked)
	}
}
