package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/public"
)

// homePage is the search page.
type homePage struct {
	page
	Query    string
	Examples []example
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "home", homePage{page: h.newPage(w, r, "site"), Examples: examples})
}

// search takes a code in any form (typed digits, a scanned element string, a URN, a URL)
// and sends the browser to the code's own address, so that what people share is the
// same link a label carries.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	input := r.URL.Query().Get("code")
	if strings.TrimSpace(input) == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	c, err := public.Parse(input)
	if err != nil {
		h.badCode(w, r, input, err)
		return
	}
	to := pathOf(c)
	if lang := r.URL.Query().Get("lang"); lang == "en" || lang == "zh" {
		to += sep(to) + "lang=" + lang
	}
	if wantsJSON(r) {
		to += sep(to) + "format=json"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// pathOf is a code's address on this node: a GS1 code's Digital Link path (the label's
// QR carries it), a sector code's /code/{scheme}/{value}.
func pathOf(c *codes.Code) string {
	if p, ok := strings.CutPrefix(c.Canonical, codes.CanonicalDLStem); ok {
		return p
	}
	value := c.Canonical[strings.LastIndex(c.Canonical, ":")+1:]
	return "/code/" + url.PathEscape(c.Scheme) + "/" + url.PathEscape(value)
}

// badCode shows what was wrong with a code and what codes look like.
func (h *Handler) badCode(w http.ResponseWriter, r *http.Request, input string, err error) {
	if wantsJSON(r) {
		h.fail(w, r, http.StatusBadRequest, maskPersonal(zhuisu.ErrorMessage(err)))
		return
	}
	p := errorPage{page: h.newPage(w, r, "error.title"), Status: http.StatusBadRequest, Message: maskPersonal(zhuisu.ErrorMessage(err)),
		Input: shorten(maskPersonal(input), 200), Examples: examples, Search: true}
	p.Switch = switchHome(p.page)
	p.Query = p.Input
	h.render(w, r, http.StatusBadRequest, "error", p)
}

// switchHome is the language switch of an error page: to the home page, as the address
// that failed may carry what was typed in full.
func switchHome(p page) string {
	if p.Lang == "en" {
		return "/?lang=zh"
	}
	return "/?lang=en"
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// sectorCode serves /code/{scheme}/{value}, the address labels of the Chinese schemes
// carry.
func (h *Handler) sectorCode(w http.ResponseWriter, r *http.Request) {
	input := "urn:zhuisu:code:" + r.PathValue("scheme") + ":" + r.PathValue("value")
	c, err := public.Parse(input)
	if err != nil {
		h.badCode(w, r, r.PathValue("value"), err)
		return
	}
	h.resolve(w, r, c)
}

// digitalLink serves a GS1 Digital Link path (/01/{gtin}/21/{serial}?17=..., /00/{sscc}
// ...) on this host: the path and the query string are read as a Digital Link.
func (h *Handler) digitalLink(w http.ResponseWriter, r *http.Request) {
	uri := strings.TrimSuffix(codes.CanonicalDLStem, "/") + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		uri += "?" + r.URL.RawQuery
	}
	c, err := public.Parse(uri)
	if err != nil {
		in, _ := url.PathUnescape(r.URL.EscapedPath())
		h.badCode(w, r, in, err)
		return
	}
	h.resolve(w, r, c)
}

// Link types this resolver knows, by their GS1 Web Vocabulary URI.
const (
	gs1Voc          = "https://gs1.org/voc/"
	linkPIP         = gs1Voc + "pip"
	linkDefault     = gs1Voc + "defaultLink"
	linkTrace       = gs1Voc + "traceability"
	linkCertificate = gs1Voc + "certificationInfo"
	linkRecall      = gs1Voc + "recallStatus"
)

// link is one target of a linkset (RFC 9264).
type link struct {
	Href     string   `json:"href"`
	Title    string   `json:"title,omitempty"`
	Type     string   `json:"type,omitempty"`
	HrefLang []string `json:"hreflang,omitempty"`
}

// links lists the link types of a code with their targets, in a fixed order.
func (h *Handler) links(c *codes.Code, v *public.View) ([]string, map[string][]link) {
	page := h.cfg.PublicURL + pathOf(c)
	m := map[string][]link{
		linkDefault: {{Href: page, Title: "追溯信息 Trace information", Type: "text/html", HrefLang: []string{"zh-CN", "en"}}},
		linkPIP:     {{Href: page, Title: "产品追溯信息 Product trace information", Type: "text/html", HrefLang: []string{"zh-CN", "en"}}},
		linkTrace:   {{Href: page + sep(page) + "format=json", Title: "追溯数据 Trace data", Type: "application/json"}},
		linkRecall:  {{Href: page + sep(page) + "format=json", Title: "召回状态 Recall status", Type: "application/json"}},
	}
	order := []string{linkDefault, linkPIP, linkTrace, linkRecall}
	if v != nil && len(v.Certificates) > 0 {
		for _, cert := range v.Certificates {
			m[linkCertificate] = append(m[linkCertificate], link{Href: cert.URL, Title: tr("zh", "cert."+cert.Kind) + " " + tr("en", "cert."+cert.Kind)})
		}
		order = append(order, linkCertificate)
	}
	return order, m
}

// linkTypeURI expands a linkType parameter: "gs1:pip", "pip" or the full URI.
func linkTypeURI(lt string) string {
	if rest, ok := strings.CutPrefix(lt, "gs1:"); ok {
		return gs1Voc + rest
	}
	if !strings.Contains(lt, ":") {
		return gs1Voc + lt
	}
	return lt
}

// productPage is the public page of a code.
type productPage struct {
	page
	View      *public.View
	Steps     []timelineStep
	JSONURL   string
	LinksURL  string
	ProofURL  string
	Ended     string
	Normal    bool
	Integrity string // the badge's text
}

// resolve answers a code by content negotiation: a linkset for linkType=all or
// Accept: application/linkset+json, a redirect for a linkType with a target, JSON for
// Accept: application/json (or format=json), the page otherwise.
func (h *Handler) resolve(w http.ResponseWriter, r *http.Request, c *codes.Code) {
	lt := r.URL.Query().Get("linkType")
	wantLinkset := lt == "all" || prefers(r.Header.Get("Accept"), "application/linkset+json")
	var v *public.View
	if !wantLinkset && lt == "" || lt != "" && linkTypeURI(lt) == linkCertificate {
		var err error
		if v, err = h.public.LookupCode(r.Context(), c); err != nil {
			h.failErr(w, r, err)
			return
		}
	}
	if wantLinkset {
		if v == nil {
			var err error
			if v, err = h.public.LookupCode(r.Context(), c); err != nil {
				h.failErr(w, r, err)
				return
			}
		}
		order, m := h.links(c, v)
		set := map[string]any{"anchor": c.Canonical}
		for _, k := range order {
			set[k] = m[k]
		}
		writeJSON(w, http.StatusOK, "application/linkset+json", map[string]any{"linkset": []any{set}})
		return
	}
	if lt != "" {
		_, m := h.links(c, v)
		if targets := m[linkTypeURI(lt)]; len(targets) > 0 {
			w.Header().Set("Cache-Control", "no-cache")
			http.Redirect(w, r, targets[0].Href, http.StatusTemporaryRedirect)
			return
		}
		h.fail(w, r, http.StatusNotFound, "no link of type "+lt+" for this code; ?linkType=all lists the links there are")
		return
	}
	h.public.Record(c, areaOf(clientIP(r, h.cfg.TrustProxy)))
	if wantsJSON(r) {
		b, err := v.JSON()
		if err != nil {
			h.failErr(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b))) // one write, not chunks
		w.Header().Set("Vary", "Accept")
		w.Write(b)
		return
	}
	p := productPage{page: h.newPage(w, r, "site"), View: v, Steps: publicSteps(v, langOf(w, r)),
		JSONURL: pathOf(c) + sep(pathOf(c)) + "format=json", LinksURL: pathOf(c) + sep(pathOf(c)) + "linkType=all"}
	p.Title = v.Code.Human + " · " + p.T("site.short")
	if v.Product != "" {
		p.Title = v.Product + " · " + p.Title
	}
	if v.Integrity.Status == "verified" || v.Integrity.Status == "failed" && v.Integrity.TreeSize > 0 {
		p.ProofURL = "/p/proof?leaf=" + strconv.FormatInt(v.Integrity.LeafIndex, 10)
	}
	if v.State.Ended != "" {
		p.Ended = p.T("ended." + v.State.Ended)
	}
	p.Normal = !v.State.Recalled && !v.State.Expired && v.State.Ended == ""
	p.Integrity = p.T("integrity." + v.Integrity.Status)
	h.render(w, r, http.StatusOK, "product", p)
}

// proof serves the public inclusion proof of a log leaf (/p/proof?leaf=N), the leaf
// index a page's badge names.
func (h *Handler) proof(w http.ResponseWriter, r *http.Request) {
	leaf, err := strconv.ParseInt(r.URL.Query().Get("leaf"), 10, 64)
	if err != nil || leaf < 0 {
		r.Header.Set("Accept", "application/json")
		h.fail(w, r, http.StatusBadRequest, "name the log leaf: /p/proof?leaf=N, N a whole number")
		return
	}
	p, err := h.public.Proof(r.Context(), leaf)
	if err != nil {
		r.Header.Set("Accept", "application/json")
		h.failErr(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, "application/json", p)
}

// maskPersonal masks, in text echoed back to a person (what they typed, and the reason
// it is not a code), every run of digits shaped like a mobile number (11 digits, 13x to
// 19x) or a resident ID number (15 or 18 characters with a real date of birth where the
// number has it); trade codes of the same lengths (an SSCC) have no such date.
func maskPersonal(s string) string {
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
		if j < len(s) && j-i == 17 && (s[j] == 'X' || s[j] == 'x') {
			j++
		}
		run := s[i:j]
		switch {
		case len(run) == 11 && run[0] == '1' && run[1] >= '3':
			b.WriteString(run[:3] + "****" + run[7:])
		case len(run) == 18 && birthDate(run[6:14]) || len(run) == 15 && birthDate("19"+run[6:12]):
			b.WriteString(codes.MaskResidentID(run))
		default:
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// birthDate reports whether yyyymmdd is a date from 1900 on.
func birthDate(yyyymmdd string) bool {
	t, err := time.Parse("20060102", yyyymmdd)
	return err == nil && t.Year() >= 1900
}
