package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/web"
)

func TestResolverAnswersByContentNegotiation(t *testing.T) {
	s := newSite(t, 2, generous, nil)
	unit := pathOf(soldUnit(s.stories[0]))
	tests := []struct {
		name      string
		path      string
		header    []string
		status    int
		mediaType string
		location  string // prefix of the Location header, if any
		bodyHolds string
	}{
		{"a browser gets the page", unit, []string{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}, 200, "text/html", "", `lang="zh-CN"`},
		{"a JSON client gets the view", unit, []string{"Accept", "application/json"}, 200, "application/json", "", `"kind":"unit"`},
		{"format=json gets the view", unit + "?format=json", nil, 200, "application/json", "", `"stage":"retail"`},
		{"linkType=all gets the linkset", unit + "?linkType=all", nil, 200, "application/linkset+json", "", `"https://gs1.org/voc/pip"`},
		{"Accept linkset gets the linkset", unit, []string{"Accept", "application/linkset+json"}, 200, "application/linkset+json", "", `"anchor":"https://id.gs1.org` + unit + `"`},
		{"a link type with a target redirects", unit + "?linkType=gs1:traceability", nil, 307, "", unit + "?format=json", ""},
		{"a certificate link redirects to the certificate", unit + "?linkType=gs1:certificationInfo", nil, 307, "", "https://cert.example.gov.cn/", ""},
		{"a link type without a target is not found", unit + "?linkType=gs1:recipeInfo", []string{"Accept", "application/json"}, 404, "application/problem+json", "", "recipeInfo"},
		{"a pallet's path resolves", pathOf(pallet(s.stories[1])), nil, 200, "text/html", "", "(00)"},
		{"a lot with a label's expiry resolves", pathOf(rawLot(s.stories[1])) + "?17=261231", []string{"Accept", "application/json"}, 200, "application/json", "", `"date":"2026-12-31"`},
		{"a wrong check digit gets a helpful page", "/01/06901234567891", nil, 400, "text/html", "", "check digit should be 2"},
		{"a wrong check digit gets a problem for JSON", "/01/06901234567891", []string{"Accept", "application/json"}, 400, "application/problem+json", "", "check digit"},
		{"a sector code path resolves", "/code/cn.drug/81234560012345678901", nil, 200, "text/html", "", "81234560012345678901"},
		{"a malformed sector code gets a helpful page", "/code/cn.drug/8123", nil, 400, "text/html", "", "drug"},
		{"an unknown page is not found", "/nothing-here", nil, 404, "application/problem+json", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, body := s.get(t, tc.path, tc.header...)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, tc.status, body)
			}
			if ct := res.Header.Get("Content-Type"); tc.mediaType != "" && !strings.HasPrefix(ct, tc.mediaType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.mediaType)
			}
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, tc.location) || (tc.location != "" && loc == "") {
				t.Errorf("Location %q, want it to start with %q", loc, tc.location)
			}
			if !strings.Contains(body, tc.bodyHolds) {
				t.Errorf("body does not hold %q: %.600s", tc.bodyHolds, body)
			}
		})
	}
}

func TestBadCodePageSaysWhatWasWrongAndWhatCodesLookLike(t *testing.T) {
	s := newSite(t, 1, generous, nil)
	res, body := s.get(t, "/q?code="+url.QueryEscape("(01)0952123454321"))
	if res.StatusCode != 400 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`class="message"`, "(01)0952123454321", "https://id.gs1.org/01/09521234543213/21/ABC", `action="/q"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
		t.Errorf("page shows internals: %.500s", body)
	}
}

func TestSearchBoxSendsAnyFormToTheCodesAddress(t *testing.T) {
	s := newSite(t, 1, generous, nil)
	tests := []struct{ input, want string }{
		{"(01)09521234543213(21)ABC", "/01/09521234543213/21/ABC"},
		{"  urn:epc:id:sgtin:9521234.054321.ABC ", "/01/09521234543213/21/ABC"},
		{"https://brand.example.com/01/09521234543213/10/L1?17=261231", "/01/09521234543213/10/L1?17=261231"},
		{"]C1010952123454321321ABC", "/01/09521234543213/21/ABC"},
		{"095212345000000018", "/00/095212345000000018"},
		{"81234560012345678901", "/code/cn.drug/81234560012345678901"},
	}
	for _, tc := range tests {
		res, body := s.get(t, "/q?code="+url.QueryEscape(tc.input))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != tc.want {
			t.Errorf("%q: %d Location %q, want 303 to %q (%.200s)", tc.input, res.StatusCode, res.Header.Get("Location"), tc.want, body)
		}
	}
}

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	s := newSite(t, 1, generous, nil)
	for _, p := range []string{"/", pathOf(soldUnit(s.stories[0])), "/q?code=bad", "/static/app.css", "/static/nothing.js", "/trace?code=" + url.QueryEscape(rawLot(s.stories[0]))} {
		res, body := s.get(t, p, "Authorization", "Bearer "+s.token)
		for name, want := range map[string]string{"Content-Security-Policy": web.CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := res.Header.Get(name); got != want {
				t.Errorf("%s: %s %q, want %q", p, name, got, want)
			}
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			inline := regexp.MustCompile(`<script(\s[^>]*)?>[^<]|<script>|<style|\sstyle=|\son[a-z]+=`)
			for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
				if !strings.Contains(m, "src=") {
					t.Errorf("%s: inline script %s", p, m)
				}
			}
			if loc := inline.FindStringIndex(body); loc != nil {
				t.Errorf("%s: inline script or style at %q", p, body[loc[0]:min(loc[1]+40, len(body))])
			}
			if strings.Contains(body, "http://") || strings.Contains(body, "//cdn") {
				for _, m := range regexp.MustCompile(`(?:src|href)="(https?:)?//[^"]+"`).FindAllString(body, -1) {
					if !strings.Contains(m, "cert.example.gov.cn") {
						t.Errorf("%s: the page loads or links %s", p, m)
					}
				}
			}
		}
	}
}

func TestRateLimitRefusesAFastClientWithRetryAfter(t *testing.T) {
	s := newSite(t, 1, web.Config{Rate: 1, Burst: 3}, nil)
	unit := pathOf(soldUnit(s.stories[0]))
	var statuses []int
	for range 5 {
		res, _ := s.get(t, unit, "Accept", "application/json")
		statuses = append(statuses, res.StatusCode)
		if res.StatusCode == http.StatusTooManyRequests {
			if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
				t.Errorf("Retry-After %q, want whole seconds", res.Header.Get("Retry-After"))
			}
		}
	}
	if !slices.Equal(statuses[:3], []int{200, 200, 200}) || statuses[3] != 429 || statuses[4] != 429 {
		t.Errorf("statuses %v, want three answers then 429s", statuses)
	}
	// Assets are not limited: a page's stylesheet must load for a throttled client too.
	if res, _ := s.get(t, "/static/app.css"); res.StatusCode != 200 {
		t.Errorf("asset refused: %d", res.StatusCode)
	}
}

func TestRequestsWithABodyOrAnOverlongAddressAreRefused(t *testing.T) {
	s := newSite(t, 1, web.Config{Rate: 100, Burst: 100, MaxURLBytes: 256}, nil)
	res, _ := s.get(t, "/q?code="+strings.Repeat("1", 300))
	if res.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("overlong address: %d, want 414", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", s.URL+"/q?code=1", strings.NewReader("body"))
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("GET with a body: %d, want 413", r2.StatusCode)
	}
}

func TestLanguageSwitchesByParameterAndStaysByCookie(t *testing.T) {
	s := newSite(t, 1, generous, nil)
	unit := pathOf(soldUnit(s.stories[0]))
	_, zh := s.get(t, unit)
	res, en := s.get(t, unit+"?lang=en")
	if !strings.Contains(zh, `lang="zh-CN"`) || !strings.Contains(zh, "追溯链条") {
		t.Errorf("default page is not Chinese")
	}
	if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, "From source to shelf") || strings.Contains(en, "追溯链条") {
		t.Errorf("?lang=en page is not English")
	}
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == "lang" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie != "lang=en" {
		t.Fatalf("no language cookie: %v", res.Cookies())
	}
	if _, again := s.get(t, unit, "Cookie", cookie); !strings.Contains(again, "From source to shelf") {
		t.Errorf("the cookie does not keep English")
	}
}

func TestRecalledLotShowsTheRecallOnItsUnitsPage(t *testing.T) {
	s := newSite(t, 2, generous, nil)
	s.recallLot(t, s.stories[0], "农药残留超标")
	_, body := s.get(t, pathOf(soldUnit(s.stories[0])))
	if !strings.Contains(body, "warn-recall") || !strings.Contains(body, "农药残留超标") {
		t.Errorf("no recall warning on the recalled lot's unit")
	}
	if _, other := s.get(t, pathOf(soldUnit(s.stories[1]))); strings.Contains(other, "warn-recall") {
		t.Errorf("recall warning on another story's unit")
	}
}

func TestTracePageSharesTheTimelineAndListsWhatWasReached(t *testing.T) {
	s := newSite(t, 1, generous, nil)
	path := "/trace?direction=forward&code=" + url.QueryEscape(rawLot(s.stories[0]))
	if res, _ := s.get(t, path); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("trace page without a principal: %d, want 401", res.StatusCode)
	}
	res, body := s.get(t, path, "Authorization", "Bearer "+s.token)
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`class="timeline"`, "stage-processing", "stage-shipping", "(00)", `<option value="forward" selected>`, "urn:epcglobal:cbv:bt:"} {
		if !strings.Contains(body, want) {
			t.Errorf("trace page lacks %q", want)
		}
	}
	if res, _ := s.get(t, "/trace?direction=sideways&code=1", "Authorization", "Bearer "+s.token); res.StatusCode != 400 {
		t.Errorf("bad direction: %d, want 400", res.StatusCode)
	}
}

func TestPublicProofChecksOutAndLeavesTheRecordOut(t *testing.T) {
	s := newSite(t, 1, generous, nil)
	_, js := s.get(t, pathOf(soldUnit(s.stories[0])), "Accept", "application/json")
	var v struct {
		Integrity struct {
			Status    string
			LeafIndex int64
			TreeSize  int64
		}
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatal(err)
	}
	if v.Integrity.Status != "verified" || v.Integrity.TreeSize == 0 {
		t.Fatalf("integrity %+v", v.Integrity)
	}
	res, body := s.get(t, "/p/proof?leaf="+strconv.FormatInt(v.Integrity.LeafIndex, 10))
	var p struct {
		LeafIndex int64
		TreeSize  int64
		Inclusion []string
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != 200 || p.LeafIndex != v.Integrity.LeafIndex || p.TreeSize != v.Integrity.TreeSize || len(p.Inclusion) == 0 {
		t.Errorf("proof %d %+v: %.400s", res.StatusCode, p, body)
	}
	if strings.Contains(body, `"record"`) || strings.Contains(body, "retail_sold") {
		t.Errorf("the public proof carries the record: %.400s", body)
	}
	for _, bad := range []string{"/p/proof?leaf=-1", "/p/proof?leaf=x", "/p/proof?leaf=999999"} {
		if res, _ := s.get(t, bad); res.StatusCode != 400 && res.StatusCode != 404 {
			t.Errorf("%s: %d, want 400 or 404", bad, res.StatusCode)
		}
	}
}

func TestEveryPageRouteIsInTheAPIRouteTable(t *testing.T) {
	var table []string
	for _, rt := range api.Routes() {
		table = append(table, rt.Pattern)
	}
	for _, p := range web.Patterns() {
		if !slices.Contains(table, p) {
			t.Errorf("page route %q is not in api.Routes()", p)
		}
	}
}

// markup is text that would run or change the page if it were not escaped.
const (
	scriptName = `<script>alert("x")</script>鱼丸`
	imgName    = `<img src=x onerror=alert(1)>农场`
	svgSerial  = `"><svg/onload=x>`
)

func TestMarkupInCodesAndEventFieldsAppearsAsText(t *testing.T) {
	var unit string
	s := newSite(t, 1, generous, func(i int, story []*epcis.Event) {
		for _, e := range story {
			if e.ILMD == nil {
				continue
			}
			for k, n := range *e.ILMD {
				switch n.Local {
				case "productName":
					(*e.ILMD)[k].Value = scriptName
				case "producer", "processor":
					(*e.ILMD)[k].Value = imgName
				}
			}
		}
		// A serial of GS1's own character set may hold quotes and angle brackets.
		old := soldUnit(story)
		unit = old[:strings.LastIndex(old, "/")+1] + url.PathEscape(svgSerial)
		for _, e := range story {
			for _, l := range [][]string{e.EPCList, e.ChildEPCs, e.OutputEPCList} {
				if k := slices.Index(l, old); k >= 0 {
					l[k] = unit
				}
			}
		}
	})
	for _, p := range []string{pathOf(unit), pathOf(unit) + "?lang=en", "/q?code=" + url.QueryEscape(`<b>"x"</b>`),
		"/trace?code=" + url.QueryEscape(unit), "/code/cn.drug/" + url.PathEscape("<i>1</i>")} {
		_, body := s.get(t, p, "Authorization", "Bearer "+s.token)
		for _, raw := range []string{"<script>alert", "<img src=x", "<svg/onload", "<b>", "<i>1"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: markup %q reached the page unescaped", p, raw)
			}
		}
	}
	_, body := s.get(t, pathOf(unit))
	for _, escaped := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;鱼丸", "&lt;img src=x onerror=alert(1)&gt;农场", "&#34;&gt;&lt;svg/onload=x&gt;"} {
		if !strings.Contains(body, escaped) {
			t.Errorf("page does not show %q as text: %s", escaped, body)
		}
	}
}
