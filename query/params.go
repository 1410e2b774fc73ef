// Package query is the EPCIS 2.0 query service: it turns query parameters into a
// predicate over events, asks the store for candidates in order, keeps those that match,
// and pages the result with opaque tokens.
//
// The predicate here is the one authority on what matches; stores only narrow the
// candidates. It must not import net/http or database/sql.
package query

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Query is a parsed EPCIS query.
type Query struct {
	Candidates store.EventQuery
	preds      []pred
	// EventCountLimit caps the events returned in total; MaxEventCount makes a query
	// that would return more an error (QueryTooLargeException).
	EventCountLimit int
	MaxEventCount   int
}

type pred func(e *epcis.Event) bool

// Matches reports whether e satisfies every condition of q.
func (q *Query) Matches(e *epcis.Event) bool {
	for _, p := range q.preds {
		if !p(e) {
			return false
		}
	}
	return true
}

func paramErr(name, format string, args ...any) error {
	e := zhuisu.Errorf(zhuisu.EInvalid, format, args...)
	e.Kind, e.Field = "QueryParameterException", name
	return e
}

// Parse reads EPCIS query parameters. List values are pipe-delimited (the REST
// binding's style), and repeated parameters add to the list. extensions maps the prefixes
// of the GS1-Extensions header to namespaces, for extension-field parameters.
func Parse(v url.Values, extensions map[string]string) (*Query, error) {
	q := &Query{}
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	slices.Sort(names) // deterministic errors
	for _, name := range names {
		var vals []string
		for _, raw := range v[name] {
			for _, s := range strings.Split(raw, "|") {
				if s = strings.TrimSpace(s); s != "" {
					vals = append(vals, s)
				}
			}
		}
		if err := q.add(name, vals, extensions); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// Params that the HTTP layer consumes itself.
var paging = map[string]bool{"perPage": true, "nextPageToken": true}

func (q *Query) add(name string, vals []string, ext map[string]string) error {
	if paging[name] {
		return nil
	}
	if len(vals) == 0 {
		if !strings.HasPrefix(name, "EXISTS_") {
			return paramErr(name, "query parameter %s has no value", name)
		}
		vals = []string{""} // EXISTS_ parameters need none
	}
	c := &q.Candidates
	switch name {
	case "eventType":
		var ts []epcis.EventType
		for _, s := range vals {
			t := epcis.EventType(s)
			if !slices.Contains(epcis.EventTypes, t) {
				return paramErr(name, "eventType %q is not one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent", s)
			}
			ts = append(ts, t)
		}
		c.Types = ts
		q.preds = append(q.preds, func(e *epcis.Event) bool { return slices.Contains(ts, e.Type) })
		return nil
	case "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "GE_errorDeclarationTime", "LT_errorDeclarationTime":
		t, err := parseTime(name, vals)
		if err != nil {
			return err
		}
		switch name {
		case "GE_eventTime":
			c.EventTimeGE = t
			q.preds = append(q.preds, func(e *epcis.Event) bool { return !e.EventTime.Before(t) })
		case "LT_eventTime":
			c.EventTimeLT = t
			q.preds = append(q.preds, func(e *epcis.Event) bool { return e.EventTime.Before(t) })
		case "GE_recordTime":
			c.RecordTimeGE = t
			q.preds = append(q.preds, func(e *epcis.Event) bool { return !e.RecordTime.Before(t) })
		case "LT_recordTime":
			c.RecordTimeLT = t
			q.preds = append(q.preds, func(e *epcis.Event) bool { return e.RecordTime.Before(t) })
		case "GE_errorDeclarationTime":
			q.preds = append(q.preds, func(e *epcis.Event) bool {
				return e.ErrorDeclaration != nil && !e.ErrorDeclaration.DeclarationTime.Before(t)
			})
		case "LT_errorDeclarationTime":
			q.preds = append(q.preds, func(e *epcis.Event) bool {
				return e.ErrorDeclaration != nil && e.ErrorDeclaration.DeclarationTime.Before(t)
			})
		}
		return nil
	case "EQ_action":
		for _, a := range vals {
			if a != epcis.ActionAdd && a != epcis.ActionObserve && a != epcis.ActionDelete {
				return paramErr(name, "EQ_action %q is not one of ADD, OBSERVE, DELETE", a)
			}
		}
		c.Actions = vals
		q.preds = append(q.preds, func(e *epcis.Event) bool { return slices.Contains(vals, e.Action) })
		return nil
	case "EQ_bizStep":
		vs := vocab(vals, "bizstep", "BizStep")
		c.BizSteps = vs
		q.preds = append(q.preds, func(e *epcis.Event) bool { return slices.Contains(vs, e.BizStep) })
		return nil
	case "EQ_disposition":
		vs := vocab(vals, "disp", "Disp")
		c.Dispositions = vs
		q.preds = append(q.preds, func(e *epcis.Event) bool { return slices.Contains(vs, e.Disposition) })
		return nil
	case "EQ_persistentDisposition_set", "EQ_persistentDisposition_unset":
		vs := vocab(vals, "disp", "Disp")
		set := name == "EQ_persistentDisposition_set"
		q.preds = append(q.preds, func(e *epcis.Event) bool {
			if e.PersistentDisposition == nil {
				return false
			}
			l := e.PersistentDisposition.Unset
			if set {
				l = e.PersistentDisposition.Set
			}
			return intersects(l, vs)
		})
		return nil
	case "EQ_readPoint", "WD_readPoint", "EQ_bizLocation", "WD_bizLocation":
		// Without location master data there is no hierarchy, so WD_ (with descendants)
		// matches the named locations themselves.
		ids := identifiers(vals)
		if strings.HasSuffix(name, "readPoint") {
			c.ReadPoints = ids
			q.preds = append(q.preds, func(e *epcis.Event) bool { return e.ReadPoint != nil && slices.Contains(ids, e.ReadPoint.ID) })
		} else {
			c.BizLocations = ids
			q.preds = append(q.preds, func(e *epcis.Event) bool { return e.BizLocation != nil && slices.Contains(ids, e.BizLocation.ID) })
		}
		return nil
	case "EQ_transformationID":
		ids := identifiers(vals)
		c.Keys = append(c.Keys, store.KeyMatch{Roles: []store.Role{store.RoleTransformation}, Values: ids})
		q.preds = append(q.preds, func(e *epcis.Event) bool { return slices.Contains(ids, e.TransformationID) })
		return nil
	case "EQ_eventID":
		c.EventIDs = vals
		q.preds = append(q.preds, func(e *epcis.Event) bool { return slices.Contains(vals, e.EventID) })
		return nil
	case "EXISTS_errorDeclaration":
		yes := true
		c.Declared = &yes
		q.preds = append(q.preds, func(e *epcis.Event) bool { return e.ErrorDeclaration != nil })
		return nil
	case "EQ_errorReason":
		vs := vocab(vals, "er", "ER")
		q.preds = append(q.preds, func(e *epcis.Event) bool {
			return e.ErrorDeclaration != nil && slices.Contains(vs, e.ErrorDeclaration.Reason)
		})
		return nil
	case "EQ_correctiveEventID":
		q.preds = append(q.preds, func(e *epcis.Event) bool {
			return e.ErrorDeclaration != nil && intersects(e.ErrorDeclaration.CorrectiveEventIDs, vals)
		})
		return nil
	case "EQ_quantity", "GT_quantity", "GE_quantity", "LT_quantity", "LE_quantity":
		x, err := parseNumber(name, vals)
		if err != nil {
			return err
		}
		cmp := comparator(name[:2], x)
		q.preds = append(q.preds, func(e *epcis.Event) bool {
			for _, l := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
				for _, qe := range l {
					if qe.Quantity != nil && cmp(*qe.Quantity) {
						return true
					}
				}
			}
			return false
		})
		return nil
	case "eventCountLimit", "maxEventCount":
		n, err := strconv.Atoi(vals[0])
		if err != nil || n < 1 || len(vals) > 1 {
			return paramErr(name, "%s must be one positive whole number, got %q", name, strings.Join(vals, "|"))
		}
		if name == "eventCountLimit" {
			q.EventCountLimit = n
		} else {
			q.MaxEventCount = n
		}
		if q.EventCountLimit > 0 && q.MaxEventCount > 0 {
			return paramErr(name, "eventCountLimit and maxEventCount cannot be used together")
		}
		return nil
	case "orderBy":
		switch vals[0] {
		case "eventTime":
			c.OrderBy = store.OrderEventTime
		case "recordTime":
			c.OrderBy = store.OrderRecordTime
		default:
			return paramErr(name, "orderBy %q is not supported; use eventTime or recordTime", vals[0])
		}
		return nil
	case "orderDirection":
		switch vals[0] {
		case "ASC":
			c.Desc = false
		case "DESC":
			c.Desc = true
		default:
			return paramErr(name, "orderDirection must be ASC or DESC, got %q", vals[0])
		}
		return nil
	}
	if m, ok := matchRoles[name]; ok {
		return q.addMatch(name, m, vals)
	}
	for _, p := range []struct {
		prefix string
		role   store.Role
		list   func(e *epcis.Event) []epcis.SourceDest
	}{
		{"EQ_source_", store.RoleSource, func(e *epcis.Event) []epcis.SourceDest { return e.SourceList }},
		{"EQ_destination_", store.RoleDestination, func(e *epcis.Event) []epcis.SourceDest { return e.DestinationList }},
	} {
		if typ, ok := strings.CutPrefix(name, p.prefix); ok {
			t := vocab([]string{typ}, "sdt", "SDT")[0]
			ids := identifiers(vals)
			c.Keys = append(c.Keys, store.KeyMatch{Roles: []store.Role{p.role}, Types: []string{t}, Values: ids})
			list := p.list
			q.preds = append(q.preds, func(e *epcis.Event) bool {
				for _, sd := range list(e) {
					if sd.Type == t && slices.Contains(ids, sd.Value) {
						return true
					}
				}
				return false
			})
			return nil
		}
	}
	if typ, ok := strings.CutPrefix(name, "EQ_bizTransaction_"); ok {
		t := vocab([]string{typ}, "btt", "BTT")[0]
		ids := identifiers(vals)
		c.Keys = append(c.Keys, store.KeyMatch{Roles: []store.Role{store.RoleBizTransaction}, Types: []string{t}, Values: ids})
		q.preds = append(q.preds, func(e *epcis.Event) bool {
			for _, b := range e.BizTransactionList {
				if b.Type == t && slices.Contains(ids, b.Value) {
					return true
				}
			}
			return false
		})
		return nil
	}
	if p, ok := sensorParam(name, vals); ok {
		if p.err != nil {
			return p.err
		}
		q.preds = append(q.preds, p.pred)
		return nil
	}
	if p, ok, err := extensionParam(name, vals, ext); ok || err != nil {
		if err != nil {
			return err
		}
		q.preds = append(q.preds, p)
		return nil
	}
	return paramErr(name, "unknown query parameter %s", name)
}

type match struct {
	roles []store.Role
	class bool
	get   func(e *epcis.Event) []string
}

func epcs(e *epcis.Event, lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func classes(lists ...[]epcis.QuantityElement) []string {
	var out []string
	for _, l := range lists {
		for _, q := range l {
			out = append(out, q.EPCClass)
		}
	}
	return out
}

var matchRoles = map[string]match{
	"MATCH_epc": {[]store.Role{store.RoleEPC, store.RoleChild}, false, func(e *epcis.Event) []string { return epcs(e, e.EPCList, e.ChildEPCs) }},
	"MATCH_parentID": {[]store.Role{store.RoleParent}, false, func(e *epcis.Event) []string {
		if e.ParentID == "" {
			return nil
		}
		return []string{e.ParentID}
	}},
	"MATCH_inputEPC":  {[]store.Role{store.RoleInput}, false, func(e *epcis.Event) []string { return e.InputEPCList }},
	"MATCH_outputEPC": {[]store.Role{store.RoleOutput}, false, func(e *epcis.Event) []string { return e.OutputEPCList }},
	"MATCH_anyEPC": {[]store.Role{store.RoleEPC, store.RoleParent, store.RoleChild, store.RoleInput, store.RoleOutput}, false, func(e *epcis.Event) []string {
		l := epcs(e, e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList)
		if e.ParentID != "" {
			l = append(l, e.ParentID)
		}
		return l
	}},
	"MATCH_epcClass":       {[]store.Role{store.RoleEPCClass, store.RoleChildClass}, true, func(e *epcis.Event) []string { return classes(e.QuantityList, e.ChildQuantityList) }},
	"MATCH_inputEPCClass":  {[]store.Role{store.RoleInputClass}, true, func(e *epcis.Event) []string { return classes(e.InputQuantityList) }},
	"MATCH_outputEPCClass": {[]store.Role{store.RoleOutputClass}, true, func(e *epcis.Event) []string { return classes(e.OutputQuantityList) }},
	"MATCH_anyEPCClass": {[]store.Role{store.RoleEPCClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass}, true, func(e *epcis.Event) []string {
		return classes(e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList)
	}},
}

// addMatch handles MATCH_ parameters. A value may be an identifier in any accepted form
// or an EPC pattern URI (urn:epc:idpat:...) whose wildcard stands for the serial part;
// a pattern matches the instances of its class, and the class itself.
func (q *Query) addMatch(name string, m match, vals []string) error {
	exact := store.KeyMatch{Roles: m.roles}
	classes := store.KeyMatch{}
	for _, r := range m.roles {
		classes.Roles = append(classes.Roles, store.ClassRole(r))
	}
	for _, v := range vals {
		if strings.HasPrefix(v, "urn:epc:idpat:") {
			class, err := patternClass(v)
			if err != nil {
				return paramErr(name, "%s", err.Error())
			}
			classes.Values = append(classes.Values, class)
			exact.Values = append(exact.Values, class)
			continue
		}
		exact.Values = append(exact.Values, canonical(v))
	}
	// One index match per parameter. With patterns it also looks in the class roles;
	// an exact value looked up there finds nothing, which costs one index probe.
	km := exact
	if len(classes.Values) > 0 {
		km.Roles = append(append([]store.Role(nil), exact.Roles...), classes.Roles...)
	}
	q.Candidates.Keys = append(q.Candidates.Keys, km)
	get := m.get
	patterns := classes.Values
	q.preds = append(q.preds, func(e *epcis.Event) bool {
		for _, id := range get(e) {
			if slices.Contains(exact.Values, id) {
				return true
			}
			if len(patterns) > 0 {
				if c, ok := codes.ClassOf(id); ok && slices.Contains(patterns, c) {
					return true
				}
			}
		}
		return false
	})
	return nil
}

// patternClass turns an EPC pattern whose last component is "*" into the class-level
// Digital Link its instances belong to.
func patternClass(p string) (string, error) {
	body, ok := strings.CutSuffix(p, ".*")
	if !ok || strings.Contains(body, "*") {
		return "", zhuisu.Errorf(zhuisu.EInvalid, "pattern %q: only a wildcard in the last (serial) position is supported", p)
	}
	dl := codes.HashForm(p)
	if !strings.HasPrefix(dl, codes.CanonicalDLStem+"/") {
		return "", zhuisu.Errorf(zhuisu.EInvalid, "pattern %q is not a GS1 EPC pattern this server understands", p)
	}
	return dl, nil
}

// identifiers canonicalises identifier values.
func identifiers(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = canonical(v)
	}
	return out
}

// canonical gives the form stored events use for an identifier. A value that is not a
// valid GS1 identifier (a wrong check digit, say) is kept as given: it is still a URI a
// client may ask for, and it simply matches nothing, since capture stores only valid ones.
func canonical(v string) string {
	if c, err := codes.Canonical(v); err == nil {
		return c
	}
	return v
}

// vocab brings CBV vocabulary values to the bare words events hold: the URN form
// urn:epcglobal:cbv:<urnKind>:x and the web form https://ref.gs1.org/cbv/<webKind>-x both
// become x; other values are kept.
func vocab(vals []string, urnKind, webKind string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		if w, ok := strings.CutPrefix(v, "urn:epcglobal:cbv:"+urnKind+":"); ok {
			v = w
		} else if w, ok := strings.CutPrefix(v, "https://ref.gs1.org/cbv/"+webKind+"-"); ok {
			v = w
		} else if w, ok := strings.CutPrefix(v, "cbv:"+webKind+"-"); ok {
			v = w
		}
		out[i] = v
	}
	return out
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func parseTime(name string, vals []string) (time.Time, error) {
	if len(vals) != 1 {
		return time.Time{}, paramErr(name, "%s takes one time", name)
	}
	t, err := time.Parse(time.RFC3339Nano, vals[0])
	if err != nil {
		return time.Time{}, paramErr(name, "%s %q is not a date-time with a time zone (e.g. 2026-05-01T08:00:00+08:00)", name, vals[0])
	}
	return t, nil
}

func parseNumber(name string, vals []string) (float64, error) {
	if len(vals) != 1 {
		return 0, paramErr(name, "%s takes one number", name)
	}
	x, err := strconv.ParseFloat(vals[0], 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, paramErr(name, "%s %q is not a number", name, vals[0])
	}
	return x, nil
}

func comparator(op string, x float64) func(float64) bool {
	switch op {
	case "GT":
		return func(v float64) bool { return v > x }
	case "GE":
		return func(v float64) bool { return v >= x }
	case "LT":
		return func(v float64) bool { return v < x }
	case "LE":
		return func(v float64) bool { return v <= x }
	}
	return func(v float64) bool { return v == x }
}
