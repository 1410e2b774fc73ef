package api

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/query"
	"github.com/zhuisu/zhuisu/store"
)

// extensionsOf reads the GS1-Extensions header: comma-separated prefix=namespace pairs.
func extensionsOf(r *http.Request) map[string]string {
	m := map[string]string{}
	for _, h := range r.Header.Values("GS1-Extensions") {
		for _, part := range strings.Split(h, ",") {
			p, ns, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok {
				m[strings.TrimSpace(p)] = strings.TrimSpace(ns)
			}
		}
	}
	return m
}

// runQuery answers an events resource: params are the client's query parameters plus
// those the path implies.
func (s *Server) runQuery(w http.ResponseWriter, r *http.Request, params url.Values, queryName string) error {
	q, err := query.Parse(params, extensionsOf(r))
	if err != nil {
		return err
	}
	perPage, err := perPageOf(params, s.Query.DefaultPerPage, s.Query.MaxPerPage)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	page, err := s.Query.Run(r.Context(), sc, q, fingerprint(params), perPage, params.Get("nextPageToken"))
	if err != nil {
		return err
	}
	if page.Next != "" {
		setNext(w, r, page.Next)
	}
	return writeEvents(w, r, page.Events, queryName)
}

// fingerprint is the canonical form of the query parameters, paging left out.
func fingerprint(v url.Values) string {
	c := url.Values{}
	for k, vs := range v {
		if k != "perPage" && k != "nextPageToken" {
			c[k] = vs
		}
	}
	return c.Encode()
}

// wantsXML reports whether the client asked for XML rather than JSON-LD.
func wantsXML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if isXML(mt) {
			return true
		}
		if mt == "application/json" || mt == "application/ld+json" || mt == "*/*" {
			return false
		}
	}
	return false
}

// writeEvents writes an EPCISQueryDocument with the events.
func writeEvents(w http.ResponseWriter, r *http.Request, events []*epcis.Event, queryName string) error {
	if queryName == "" {
		queryName = "SimpleEventQuery"
	}
	var buf bytes.Buffer
	if wantsXML(r) {
		if err := epcis.EncodeXMLQuery(&buf, queryName, events); err != nil {
			return zhuisu.Wrap(err, zhuisu.EInternal, "encode events")
		}
		w.Header().Set("Content-Type", "application/xml")
	} else {
		buf.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISQueryDocument","schemaVersion":"2.0","creationDate":`)
		tb, _ := json.Marshal(time.Now().UTC().Format(time.RFC3339Nano))
		buf.Write(tb)
		qn, _ := json.Marshal(queryName)
		buf.WriteString(`,"epcisBody":{"queryResults":{"queryName":`)
		buf.Write(qn)
		buf.WriteString(`,"resultsBody":{"eventList":[`)
		b := buf.Bytes()
		for i, e := range events {
			if i > 0 {
				b = append(b, ',')
			}
			b = epcis.AppendEventJSON(b, e)
		}
		buf = *bytes.NewBuffer(append(b, "]}}}}\n"...))
		w.Header().Set("Content-Type", "application/ld+json")
	}
	w.Header().Set("GS1-EPCIS-Version", "2.0.0")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	return s.runQuery(w, r, r.URL.Query(), "")
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	e, err := s.Query.Event(r.Context(), sc, r.PathValue("eventID"))
	if err != nil {
		return err
	}
	if wantsXML(r) {
		var buf bytes.Buffer
		if err := epcis.EncodeXML(&buf, []*epcis.Event{e}); err != nil {
			return zhuisu.Wrap(err, zhuisu.EInternal, "encode event")
		}
		w.Header().Set("Content-Type", "application/xml")
		_, err := w.Write(buf.Bytes())
		return err
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.Header().Set("GS1-EPCIS-Version", "2.0.0")
	_, err = w.Write(append(epcis.AppendEventJSON(nil, e), '\n'))
	return err
}

func (s *Server) eventTypes(w http.ResponseWriter, r *http.Request) error {
	names := make([]string, len(epcis.EventTypes))
	for i, t := range epcis.EventTypes {
		names[i] = string(t)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"@set": names})
}

func knownType(t string) error {
	if !slices.Contains(epcis.EventTypes, epcis.EventType(t)) {
		return zhuisu.Errorf(zhuisu.ENotFound, "no event type %q", t)
	}
	return nil
}

// subResources is the body of a top-level resource that has only an events collection.
var subResources = map[string]any{"@set": []string{"events"}}

func (s *Server) eventTypeResource(w http.ResponseWriter, r *http.Request) error {
	if err := knownType(r.PathValue("eventType")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, subResources)
}

func (s *Server) eventsOfType(w http.ResponseWriter, r *http.Request) error {
	t := r.PathValue("eventType")
	if err := knownType(t); err != nil {
		return err
	}
	v := r.URL.Query()
	v.Set("eventType", t)
	return s.runQuery(w, r, v, "")
}

func (s *Server) epcResource(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, subResources)
}

func (s *Server) eventsOfEPC(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	v.Set("MATCH_anyEPC", r.PathValue("epc"))
	return s.runQuery(w, r, v, "")
}

func vocabList(f store.Field) func(s *Server, w http.ResponseWriter, r *http.Request) error {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		// The values in use span every enterprise's events.
		if err := adminOnly(r); err != nil {
			return err
		}
		perPage, err := perPageOf(r.URL.Query(), 100, 1000)
		if err != nil {
			return err
		}
		vals, err := s.Store.Distinct(r.Context(), f, r.URL.Query().Get("nextPageToken"), perPage+1)
		if err != nil {
			return err
		}
		out := []string{}
		for i, v := range vals {
			if v == "" {
				continue
			}
			if i == perPage {
				setNext(w, r, vals[i-1])
				break
			}
			out = append(out, v)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"@set": out})
	}
}

func vocabResource(s *Server, w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, subResources)
}

func vocabEvents(param string) func(s *Server, w http.ResponseWriter, r *http.Request) error {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		v := r.URL.Query()
		v.Set(param, r.PathValue("value"))
		return s.runQuery(w, r, v, "")
	}
}

// NamedQueryBody is the JSON a client posts to /queries.
type NamedQueryBody struct {
	Name  string         `json:"name"`
	Query map[string]any `json:"query"`
}

// Named queries are shared by every reader (each runs them in its own scope), so only the
// platform administrator defines and deletes them.
func (s *Server) createQuery(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
	var body NamedQueryBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&body); err != nil {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Message: "the body is not a JSON query definition: " + err.Error()}
	}
	if body.Name == "" || strings.ContainsAny(body.Name, "/?#") {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "name", Message: "a query needs a name without / ? or #"}
	}
	params := url.Values{}
	for k, v := range body.Query {
		if k == "@context" {
			continue
		}
		switch x := v.(type) {
		case string:
			params.Set(k, x)
		case float64, bool:
			b, _ := json.Marshal(x)
			params.Set(k, string(b))
		case []any:
			var parts []string
			for _, it := range x {
				if s, ok := it.(string); ok {
					parts = append(parts, s)
				} else {
					b, _ := json.Marshal(it)
					parts = append(parts, string(b))
				}
			}
			params.Set(k, strings.Join(parts, "|"))
		default:
			return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "QueryParameterException", Field: "query." + k, Message: "a query parameter must be a string, number, boolean or list"}
		}
	}
	if _, err := query.Parse(params, extensionsOf(r)); err != nil {
		return err
	}
	nq := &store.NamedQuery{Name: body.Name, Params: params.Encode(), CreatedAt: time.Now().UTC()}
	if err := s.Store.CreateQuery(r.Context(), nq); err != nil {
		if zhuisu.IsCode(err, zhuisu.EConflict) {
			return zhuisu.Errorf(zhuisu.EConflict, "a query named %q exists already", body.Name)
		}
		return err
	}
	w.Header().Set("Location", "/queries/"+url.PathEscape(body.Name))
	return writeJSON(w, http.StatusCreated, queryView(nq))
}

func queryView(q *store.NamedQuery) map[string]any {
	v, _ := url.ParseQuery(q.Params)
	params := map[string]string{}
	for k := range v {
		params[k] = v.Get(k)
	}
	return map[string]any{"name": q.Name, "query": params, "createdAt": q.CreatedAt}
}

func (s *Server) listQueries(w http.ResponseWriter, r *http.Request) error {
	qs, err := s.Store.Queries(r.Context())
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, q := range qs {
		out = append(out, queryView(q))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getQuery(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Store.Query(r.Context(), r.PathValue("queryName"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, queryView(q))
}

func (s *Server) deleteQuery(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
	if err := s.Store.DeleteQuery(r.Context(), r.PathValue("queryName")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) queryEvents(w http.ResponseWriter, r *http.Request) error {
	nq, err := s.Store.Query(r.Context(), r.PathValue("queryName"))
	if err != nil {
		return err
	}
	v, err := url.ParseQuery(nq.Params)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "stored query %s is unreadable", nq.Name)
	}
	for k, vs := range r.URL.Query() {
		if k == "perPage" || k == "nextPageToken" {
			v[k] = vs
		}
	}
	return s.runQuery(w, r, v, nq.Name)
}
