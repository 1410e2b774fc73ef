package lineage

import (
	"strings"
	"time"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
)

// Kind is the kind of a lineage edge.
type Kind uint8

const (
	// Contains is parent → child, time-bounded (aggregation until unpack).
	Contains Kind = iota
	// Transforms is input → output of a transformation.
	Transforms
	// Transfers is source → identifier and identifier → destination.
	Transfers
	// MemberOf is instance → lot.
	MemberOf
)

func (k Kind) String() string {
	switch k {
	case Contains:
		return "contains"
	case Transforms:
		return "transforms"
	case Transfers:
		return "transfers"
	case MemberOf:
		return "memberOf"
	}
	return "unknown"
}

// Edge is one lineage edge between canonical identifiers, added by the event Seq.
// End is zero while the edge is open; only Contains edges are ever closed.
type Edge struct {
	Kind       Kind
	From, To   string
	Seq        int64
	Start, End time.Time
}

// Close is the closing operation of an aggregation DELETE: it ends the open Contains
// edges from Parent to Child (to every child when Child is empty) at At.
type Close struct {
	Parent, Child string
	Seq           int64
	At            time.Time
}

// EdgesOf derives the edges one event adds and the Contains edges it closes. It is a pure
// function of the event and its seq. An event carrying an errorDeclaration adds nothing.
// For a TransformationEvent it gives the input × output edges of this event alone; the
// Index also joins events sharing a transformationID.
func EdgesOf(seq int64, e *epcis.Event) (add []Edge, close []Close) {
	var p parts
	p.extract(e)
	t := e.EventTime
	for _, c := range p.contains {
		add = append(add, Edge{Kind: Contains, From: p.parent, To: c, Seq: seq, Start: t})
	}
	for _, c := range p.deletes {
		close = append(close, Close{Parent: p.parent, Child: c, Seq: seq, At: t})
	}
	if p.deleteAll {
		close = append(close, Close{Parent: p.parent, Seq: seq, At: t})
	}
	for _, in := range p.inputs {
		for _, out := range p.outputs {
			add = append(add, Edge{Kind: Transforms, From: in, To: out, Seq: seq, Start: t})
		}
	}
	for _, x := range p.objects {
		for _, s := range p.sources {
			add = append(add, Edge{Kind: Transfers, From: s.Value, To: x, Seq: seq, Start: t})
		}
		for _, d := range p.dests {
			add = append(add, Edge{Kind: Transfers, From: x, To: d.Value, Seq: seq, Start: t})
		}
	}
	for _, m := range p.members {
		add = append(add, Edge{Kind: MemberOf, From: m[0], To: m[1], Seq: seq, Start: t})
	}
	return add, close
}

// parts is what one event contributes, identifiers deduplicated in order.
type parts struct {
	ignore    bool   // error declaration: adds nothing
	parent    string // aggregation parentID
	contains  []string
	deletes   []string
	deleteAll bool
	inputs    []string
	outputs   []string
	objects   []string // identifiers moved by sources/destinations
	sources   []epcis.SourceDest
	dests     []epcis.SourceDest
	members   [][2]string // instance, lot
}

func appendUniq(l []string, vs ...string) []string {
outer:
	for _, v := range vs {
		if v == "" {
			continue
		}
		for _, w := range l {
			if w == v {
				continue outer
			}
		}
		l = append(l, v)
	}
	return l
}

func appendClasses(l []string, qs []epcis.QuantityElement) []string {
	for _, q := range qs {
		l = appendUniq(l, q.EPCClass)
	}
	return l
}

func uniqParties(l []epcis.SourceDest) []epcis.SourceDest {
	var out []epcis.SourceDest
outer:
	for _, s := range l {
		if s.Value == "" {
			continue
		}
		for _, o := range out {
			if o.Value == s.Value {
				continue outer
			}
		}
		out = append(out, s)
	}
	return out
}

func (p *parts) extract(e *epcis.Event) {
	*p = parts{}
	if e == nil || e.ErrorDeclaration != nil {
		p.ignore = true
		return
	}
	if e.Type == epcis.AggregationEvent && e.ParentID != "" {
		p.parent = e.ParentID
		children := appendClasses(appendUniq(nil, e.ChildEPCs...), e.ChildQuantityList)
		switch e.Action {
		case epcis.ActionAdd, epcis.ActionObserve:
			p.contains = children
		case epcis.ActionDelete:
			p.deletes = children
			p.deleteAll = len(children) == 0
		}
	}
	if e.Type == epcis.TransformationEvent {
		p.inputs = appendClasses(appendUniq(nil, e.InputEPCList...), e.InputQuantityList)
		p.outputs = appendClasses(appendUniq(nil, e.OutputEPCList...), e.OutputQuantityList)
	}
	p.sources, p.dests = uniqParties(e.SourceList), uniqParties(e.DestinationList)
	if len(p.sources)+len(p.dests) > 0 {
		o := appendUniq(nil, e.ParentID)
		o = appendUniq(o, e.EPCList...)
		o = appendUniq(o, e.ChildEPCs...)
		o = appendUniq(o, e.InputEPCList...)
		o = appendUniq(o, e.OutputEPCList...)
		o = appendClasses(o, e.QuantityList)
		o = appendClasses(o, e.ChildQuantityList)
		o = appendClasses(o, e.InputQuantityList)
		o = appendClasses(o, e.OutputQuantityList)
		p.objects = o
	}
	var items []string
	var qs []epcis.QuantityElement
	switch {
	case e.Type == epcis.ObjectEvent && e.Action != epcis.ActionDelete:
		items, qs = e.EPCList, e.QuantityList
	case e.Type == epcis.TransformationEvent:
		items, qs = e.OutputEPCList, e.OutputQuantityList
	}
	if len(items) > 0 {
		lot, hasLot := ilmdLot(e.ILMD)
		seen := map[string]bool{}
		for _, it := range items {
			gtin, ok := serialGTIN(it)
			if !ok || seen[it] {
				continue
			}
			seen[it] = true
			var l string
			if hasLot {
				l = codes.CanonicalDLStem + "/01/" + gtin + "/10/" + codes.EscapeDLPathElement(lot)
			} else if l, ok = onlyLotOf(gtin, qs); !ok {
				continue
			}
			p.members = append(p.members, [2]string{it, l})
		}
	}
}

// ilmdLot finds the lot number in ILMD: a top-level scalar field named lot or lotNumber.
func ilmdLot(x *epcis.Extensions) (string, bool) {
	if x == nil {
		return "", false
	}
	for _, n := range *x {
		if (n.Local == "lot" || n.Local == "lotNumber") && (n.Kind == epcis.KindString || n.Kind == epcis.KindNumber) && n.Value != "" {
			return n.Value, true
		}
	}
	return "", false
}

// serialGTIN returns the GTIN of a canonical serialised trade item (01/gtin/21/serial).
func serialGTIN(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, codes.CanonicalDLStem+"/01/")
	if !ok || len(rest) < 14+4 || rest[14:18] != "/21/" {
		return "", false
	}
	return rest[:14], true
}

// lotGTIN returns the GTIN of a canonical lot (01/gtin/10/lot).
func lotGTIN(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, codes.CanonicalDLStem+"/01/")
	if !ok || len(rest) < 14+4 || rest[14:18] != "/10/" || strings.Contains(rest[18:], "/") {
		return "", false
	}
	return rest[:14], true
}

// onlyLotOf returns the single lot of gtin among the quantity classes, if exactly one.
func onlyLotOf(gtin string, qs []epcis.QuantityElement) (string, bool) {
	found := ""
	for _, q := range qs {
		if g, ok := lotGTIN(q.EPCClass); ok && g == gtin && q.EPCClass != found {
			if found != "" {
				return "", false
			}
			found = q.EPCClass
		}
	}
	return found, found != ""
}

// Node kinds.
const (
	kNone uint8 = iota
	kInstance
	kContainer
	kLocation
	kParty
	kLot
	kClass
	kHub // hidden transformation node
)

var kindNames = [...]string{"", "instance", "container", "location", "party", "lot", "class", ""}

// syntaxKind classifies a canonical identifier by its form; kNone when the form says
// nothing.
func syntaxKind(s string) uint8 {
	rest, ok := strings.CutPrefix(s, codes.CanonicalDLStem+"/")
	if !ok {
		return kNone
	}
	ai, val, _ := strings.Cut(rest, "/")
	switch ai {
	case "00":
		return kContainer
	case "414":
		return kLocation
	case "417":
		return kParty
	case "01", "8006":
		n := 14
		if ai == "8006" {
			n = 18
		}
		if len(rest) == len(ai)+1+n {
			return kClass
		}
		if len(rest) > len(ai)+1+n+4 {
			switch rest[len(ai)+1+n:][:4] {
			case "/21/":
				return kInstance
			case "/10/":
				return kLot
			}
		}
	case "8003":
		if len(val) > 14 {
			return kContainer
		}
		return kClass
	}
	return kNone
}

// partyKind is the role kind of a source or destination of the given type.
func partyKind(typ string) uint8 {
	if typ == "location" || strings.HasSuffix(typ, ":location") || strings.HasSuffix(typ, "/location") {
		return kLocation
	}
	return kParty
}

// rolePriority orders role kinds; the strongest role an identifier has had wins.
func rolePriority(k uint8) int {
	switch k {
	case kParty:
		return 4
	case kLocation:
		return 3
	case kContainer:
		return 2
	case kInstance:
		return 1
	}
	return 0
}
