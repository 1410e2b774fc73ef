package web

import (
	"net/http"
	"strconv"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/trace"
)

// timelineStep is one step as the shared timeline template shows it, on the public page
// and on the trace page alike.
type timelineStep struct {
	Time   string
	Stage  string // the stage's name in the page's language
	Class  string // the stage key, for the marker's style
	Place  string
	Actor  string
	Region string
	// Subject says which code the step is about when it is not the page's own.
	Subject string
	Certs   []certLink
	// Detail holds the trace page's extra lines (event ID, recorder, disposition).
	Detail []detail
}

type certLink struct{ Label, URL string }

type detail struct{ Label, Value string }

// publicSteps turns a view's steps into timeline steps.
func publicSteps(v *public.View, lang string) []timelineStep {
	out := make([]timelineStep, 0, len(v.Steps))
	for _, s := range v.Steps {
		st := timelineStep{Time: day(s.Time), Stage: tr(lang, "stage."+s.Stage), Class: s.Stage, Place: s.Place, Actor: s.Actor, Region: s.Region}
		if s.Subject != "" {
			st.Subject = tr(lang, "kind."+s.SubjectKind) + " " + s.Subject
		}
		for _, c := range s.Certificates {
			st.Certs = append(st.Certs, certLink{Label: tr(lang, "cert."+c.Kind), URL: c.URL})
		}
		out = append(out, st)
	}
	return out
}

// tracePage is the regulators' trace page: the lineage of a code with the events,
// parties and documents behind it, as far as the caller may read them (the route needs
// a signed-in principal).
type tracePage struct {
	page
	Code        string
	Direction   string
	Directions  []option
	Result      *trace.Result
	Steps       []timelineStep
	Identifiers []identifierRow
	Documents   []trace.Document
	Message     string
}

type option struct {
	Value, Label string
	Selected     bool
}

type identifierRow struct {
	Human, Kind, Depth, Holder string
}

// traceLookup serves GET /trace?code=...&direction=backward|forward|both.
func (h *Handler) traceLookup(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := tracePage{page: h.newPage(w, r, "trace.title"), Code: q.Get("code"), Direction: q.Get("direction")}
	if p.Direction == "" {
		p.Direction = "both"
	}
	for _, d := range []string{"backward", "forward", "both"} {
		p.Directions = append(p.Directions, option{Value: d, Label: p.T("dir." + d), Selected: d == p.Direction})
	}
	if p.Code == "" || h.trace == nil {
		h.render(w, r, http.StatusOK, "trace", p)
		return
	}
	req, err := trace.ParseRequest(p.Code, p.Direction, q.Get("depth"), q.Get("at"))
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	if h.scope == nil {
		h.failErr(w, r, zhuisu.Errorf(zhuisu.EForbidden, "this server does not say who may read which records, so it shows no traces"))
		return
	}
	sc, err := h.scope(r)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	res, err := h.trace.TraceFor(r.Context(), sc, req)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	p.Result, p.Documents = res, res.Documents
	for _, e := range res.Events {
		st := timelineStep{Time: day(e.Time), Class: public.Stage(epcis.EventType(e.Type), e.BizStep)}
		st.Stage = p.T("stage." + st.Class)
		if e.BizStep != "" {
			st.Stage += " · " + e.BizStep
		}
		st.Place = humanOf(e.BizLocation)
		st.Detail = append(st.Detail, detail{p.T("trace.event"), e.EventID})
		if e.Disposition != "" {
			st.Detail = append(st.Detail, detail{p.T("trace.disposition"), e.Disposition})
		}
		if e.Subject != "" {
			st.Detail = append(st.Detail, detail{p.T("trace.recordedBy"), e.Subject})
		}
		p.Steps = append(p.Steps, st)
	}
	for _, id := range res.Identifiers {
		p.Identifiers = append(p.Identifiers, identifierRow{Human: humanOf(id.ID), Kind: id.Kind, Depth: strconv.Itoa(id.Depth), Holder: humanOf(id.Holder)})
	}
	h.render(w, r, http.StatusOK, "trace", p)
}

func humanOf(id string) string {
	if id == "" {
		return ""
	}
	if c, err := codes.Parse(id); err == nil {
		return c.Human
	}
	return id
}
