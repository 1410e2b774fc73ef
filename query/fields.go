package query

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

type sensorPred struct {
	pred pred
	err  error
}

// gs1Voc strips the forms a GS1 web vocabulary term can take down to the term.
func gs1Voc(s string) string {
	for _, p := range []string{"https://gs1.org/voc/", "http://gs1.org/voc/", "https://ref.gs1.org/voc/", "gs1:"} {
		if t, ok := strings.CutPrefix(s, p); ok {
			return t
		}
	}
	return s
}

// sensorParam handles the sensor-data parameters of EPCIS 2.0: an event matches when one
// of its sensor reports (or its metadata, for the metadata fields) matches.
func sensorParam(name string, vals []string) (sensorPred, bool) {
	reportString := map[string]func(r *epcis.SensorReport) string{
		"EQ_type":                 func(r *epcis.SensorReport) string { return gs1Voc(r.Type) },
		"EQ_deviceID":             func(r *epcis.SensorReport) string { return r.DeviceID },
		"EQ_dataProcessingMethod": func(r *epcis.SensorReport) string { return r.DataProcessingMethod },
		"EQ_microorganism":        func(r *epcis.SensorReport) string { return r.Microorganism },
		"EQ_chemicalSubstance":    func(r *epcis.SensorReport) string { return r.ChemicalSubstance },
		"EQ_stringValue":          func(r *epcis.SensorReport) string { return r.StringValue },
		"EQ_hexBinaryValue":       func(r *epcis.SensorReport) string { return strings.ToUpper(r.HexBinaryValue) },
		"EQ_uriValue":             func(r *epcis.SensorReport) string { return r.URIValue },
		"EQ_booleanValue": func(r *epcis.SensorReport) string {
			if r.BooleanValue == nil {
				return ""
			}
			return strconv.FormatBool(*r.BooleanValue)
		},
	}
	if get, ok := reportString[name]; ok {
		want := vals
		switch name {
		case "EQ_type":
			want = make([]string, len(vals))
			for i, v := range vals {
				want[i] = gs1Voc(v)
			}
		case "EQ_hexBinaryValue":
			want = make([]string, len(vals))
			for i, v := range vals {
				want[i] = strings.ToUpper(v)
			}
		}
		return sensorPred{pred: anyReport(func(_ *epcis.SensorElement, r *epcis.SensorReport) bool {
			v := get(r)
			return v != "" && slices.Contains(want, v)
		})}, true
	}
	if name == "EQ_bizRules" {
		return sensorPred{pred: func(e *epcis.Event) bool {
			for i := range e.SensorElementList {
				if m := e.SensorElementList[i].Metadata; m != nil && slices.Contains(vals, m.BizRules) {
					return true
				}
			}
			return false
		}}, true
	}
	for _, f := range []string{"time", "startTime", "endTime"} {
		for _, op := range []string{"GE_", "LT_"} {
			if name != op+f {
				continue
			}
			t, err := parseTime(name, vals)
			if err != nil {
				return sensorPred{err: err}, true
			}
			field := f
			before := op == "LT_"
			return sensorPred{pred: func(e *epcis.Event) bool {
				for i := range e.SensorElementList {
					se := &e.SensorElementList[i]
					var ts []time.Time
					if se.Metadata != nil {
						switch field {
						case "time":
							ts = append(ts, se.Metadata.Time)
						case "startTime":
							ts = append(ts, se.Metadata.StartTime)
						case "endTime":
							ts = append(ts, se.Metadata.EndTime)
						}
					}
					if field == "time" {
						for j := range se.Reports {
							ts = append(ts, se.Reports[j].Time)
						}
					}
					for _, x := range ts {
						if !x.IsZero() && (before && x.Before(t) || !before && !x.Before(t)) {
							return true
						}
					}
				}
				return false
			}}, true
		}
	}
	numeric := map[string]func(r *epcis.SensorReport) *float64{
		"value": func(r *epcis.SensorReport) *float64 { return r.Value }, "minValue": func(r *epcis.SensorReport) *float64 { return r.MinValue },
		"maxValue": func(r *epcis.SensorReport) *float64 { return r.MaxValue }, "meanValue": func(r *epcis.SensorReport) *float64 { return r.MeanValue },
		"sDev": func(r *epcis.SensorReport) *float64 { return r.SDev }, "percRank": func(r *epcis.SensorReport) *float64 { return r.PercRank },
		"percValue": func(r *epcis.SensorReport) *float64 { return r.PercValue },
	}
	if len(name) > 3 && name[2] == '_' {
		if get, ok := numeric[name[3:]]; ok {
			x, err := parseNumber(name, vals)
			if err != nil {
				return sensorPred{err: err}, true
			}
			cmp := comparator(name[:2], x)
			return sensorPred{pred: anyReport(func(_ *epcis.SensorElement, r *epcis.SensorReport) bool {
				v := get(r)
				return v != nil && cmp(*v)
			})}, true
		}
	}
	return sensorPred{}, false
}

func anyReport(f func(se *epcis.SensorElement, r *epcis.SensorReport) bool) pred {
	return func(e *epcis.Event) bool {
		for i := range e.SensorElementList {
			se := &e.SensorElementList[i]
			for j := range se.Reports {
				if f(se, &se.Reports[j]) {
					return true
				}
			}
		}
		return false
	}
}

// extensionParam handles parameters on user extension fields:
//
//	EQ_<field>, GT_/GE_/LT_/LE_<field>, EXISTS_<field>       top-level extension fields
//	..._INNER_<field>                                          a field at any depth
//	..._ILMD_<field>, ..._INNER_ILMD_<field>                   the same within ILMD
//
// <field> is a full IRI (namespace followed by the local name, as in
// "https://ns.example.com/epcis/myField" or "...epcis#myField") or prefix:local with the
// prefix declared in the GS1-Extensions header.
func extensionParam(name string, vals []string, ext map[string]string) (pred, bool, error) {
	op, rest, ok := strings.Cut(name, "_")
	if !ok {
		return nil, false, nil
	}
	switch op {
	case "EQ", "GT", "GE", "LT", "LE", "EXISTS":
	default:
		return nil, false, nil
	}
	inner, ilmd := false, false
	if r, ok := strings.CutPrefix(rest, "INNER_"); ok {
		inner, rest = true, r
	}
	if r, ok := strings.CutPrefix(rest, "ILMD_"); ok {
		ilmd, rest = true, r
	}
	iri := rest
	if p, local, ok := strings.Cut(rest, ":"); ok && !strings.Contains(local, "/") && ext[p] != "" {
		iri = ext[p] + local
	} else if !strings.Contains(rest, "/") && !strings.Contains(rest, "#") {
		return nil, false, nil // not an extension field name: let the caller call it unknown
	}
	var test func(n *epcis.Node) bool
	switch op {
	case "EXISTS":
		test = func(*epcis.Node) bool { return true }
	case "EQ":
		test = func(n *epcis.Node) bool { return n.Kind != epcis.KindObject && slices.Contains(vals, n.Value) }
	default:
		x, err := parseNumber(name, vals)
		if err != nil {
			return nil, true, err
		}
		cmp := comparator(op, x)
		test = func(n *epcis.Node) bool {
			v, err := strconv.ParseFloat(n.Value, 64)
			return err == nil && n.Kind != epcis.KindObject && cmp(v)
		}
	}
	return func(e *epcis.Event) bool {
		nodes := e.Extensions
		if ilmd {
			if e.ILMD == nil {
				return false
			}
			nodes = *e.ILMD
		}
		return findNode(nodes, iri, inner, test)
	}, true, nil
}

func findNode(nodes []epcis.Node, iri string, deep bool, test func(*epcis.Node) bool) bool {
	for i := range nodes {
		n := &nodes[i]
		if n.Kind == epcis.KindList {
			if findNode(n.Children, iri, deep, test) {
				return true
			}
			continue
		}
		if n.Space+n.Local == iri && test(n) {
			return true
		}
		if deep && n.Kind == epcis.KindObject && findNode(n.Children, iri, deep, test) {
			return true
		}
	}
	return false
}
