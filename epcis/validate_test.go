package epcis

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
)

const testContext = `"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"example":"https://ns.example.com/epcis/"}]`

// jsonDoc wraps event objects in an EPCISDocument.
func jsonDoc(events ...string) string {
	return `{` + testContext + `,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-03-18T10:00:00Z","epcisBody":{"eventList":[` +
		strings.Join(events, ",") + `]}}`
}

// okEvent is a valid ObjectEvent; the cases below change one thing in it.
const okEvent = `{"type":"ObjectEvent","eventTime":"2024-03-18T09:41:27.314+08:00","eventTimeZoneOffset":"+08:00",` +
	`"epcList":["urn:epc:id:sgtin:0614141.107346.2017"],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",` +
	`"readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"},` +
	`"quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":200,"uom":"KGM"}]}`

// okXMLEvent is the XML twin of okEvent.
const okXMLEvent = `<ObjectEvent><eventTime>2024-03-18T09:41:27.314+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>` +
	`<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList><action>OBSERVE</action>` +
	`<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><disposition>urn:epcglobal:cbv:disp:in_transit</disposition>` +
	`<readPoint><id>urn:epc:id:sgln:0614141.07346.1234</id></readPoint>` +
	`<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>200</quantity><uom>KGM</uom></quantityElement></quantityList>` +
	`</ObjectEvent>`

func xmlDoc(events ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="https://ns.example.com/epcis/" schemaVersion="2.0" creationDate="2024-03-18T10:00:00Z">` + "\n" +
		"<EPCISBody>\n<EventList>\n" + strings.Join(events, "\n") + "\n</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n"
}

func TestValidEventBaseline(t *testing.T) {
	t.Run("json_accepted", func(t *testing.T) {
		doc, err := DecodeJSON(strings.NewReader(jsonDoc(okEvent)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		e := doc.Events[0]
		if e.BizStep != "shipping" || e.Disposition != "in_transit" || *e.QuantityList[0].Quantity != 200 {
			t.Fatalf("unexpected model %+v", e)
		}
	})
	t.Run("xml_accepted_and_equal_to_json", func(t *testing.T) {
		xd, err := DecodeXML(strings.NewReader(xmlDoc(okXMLEvent)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		jd, _ := DecodeJSON(strings.NewReader(jsonDoc(okEvent)), Limits{})
		if d := describeDiff(jd.Events[0], xd.Events[0]); d != "" {
			t.Fatal(d)
		}
	})
}

// edit replaces old by new in okEvent, failing the test when old is absent.
func edit(t *testing.T, src, old, new string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("test setup: %q not in event", old)
	}
	return strings.Replace(src, old, new, 1)
}

func TestJSONRejects(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           []string // in Field or Message
	}{
		{"bad_action", `"action":"OBSERVE"`, `"action":"observe"`, []string{"eventList[0].action", `"observe" is not one of ADD, OBSERVE, DELETE`}},
		{"missing_action", `"action":"OBSERVE",`, ``, []string{"action is required"}},
		{"missing_eventTime", `"eventTime":"2024-03-18T09:41:27.314+08:00",`, ``, []string{"eventList[0].eventTime", "eventTime is required"}},
		{"eventTime_without_zone", `"eventTime":"2024-03-18T09:41:27.314+08:00"`, `"eventTime":"2024-03-18T09:41:27.314"`, []string{"eventTime", "time zone"}},
		{"eventTime_as_number", `"eventTime":"2024-03-18T09:41:27.314+08:00"`, `"eventTime":1710726087`, []string{"eventTime must be a string, not a number"}},
		{"bad_timezone_offset", `"eventTimeZoneOffset":"+08:00"`, `"eventTimeZoneOffset":"+8:00"`, []string{"eventTimeZoneOffset", `"+8:00" is not a UTC offset`}},
		{"timezone_offset_too_far", `"eventTimeZoneOffset":"+08:00"`, `"eventTimeZoneOffset":"+14:30"`, []string{"eventTimeZoneOffset", "+14:30"}},
		{"missing_timezone_offset", `"eventTimeZoneOffset":"+08:00",`, ``, []string{"eventTimeZoneOffset is required"}},
		{"quantity_as_text", `"quantity":200`, `"quantity":"200"`, []string{"quantityList[0].quantity", "quantity must be a number, not a string"}},
		{"uom_lowercase", `"uom":"KGM"`, `"uom":"kg"`, []string{"quantityList[0].uom", "UN/ECE"}},
		{"unknown_event_field", `"action":"OBSERVE"`, `"action":"OBSERVE","colour":"red"`, []string{"eventList[0].colour", `unknown field "colour"`}},
		{"unknown_quantity_field", `"uom":"KGM"`, `"uom":"KGM","weight":3`, []string{"quantityList[0].weight", `unknown field "weight"`}},
		{"unknown_readPoint_field", `"readPoint":{"id":`, `"readPoint":{"door":3,"id":`, []string{"readPoint.door", "no namespace prefix"}},
		{"field_of_other_type", `"action":"OBSERVE"`, `"action":"OBSERVE","childEPCs":["urn:epc:id:sgtin:0614141.107346.1"]`, []string{"childEPCs", "not a field of ObjectEvent"}},
		{"bizStep_not_in_CBV", `"bizStep":"shipping"`, `"bizStep":"teleporting"`, []string{"bizStep", `"teleporting" is not a standard business step`}},
		{"disposition_not_in_CBV", `"disposition":"in_transit"`, `"disposition":"lost_at_sea"`, []string{"disposition", `"lost_at_sea" is not a standard disposition`}},
		{"epc_not_a_uri", `"urn:epc:id:sgtin:0614141.107346.2017"`, `"0614141.107346.2017"`, []string{"epcList[0]", "not an absolute URI"}},
		{"epcList_not_array", `"epcList":["urn:epc:id:sgtin:0614141.107346.2017"]`, `"epcList":"urn:epc:id:sgtin:0614141.107346.2017"`, []string{"epcList must be an array"}},
		{"ilmd_with_observe", `"action":"OBSERVE"`, `"action":"OBSERVE","ilmd":{"example:lot":"A1"}`, []string{"ilmd", "only allowed in an ObjectEvent with action ADD"}},
		{"ilmd_unprefixed", `"action":"OBSERVE"`, `"action":"ADD","ilmd":{"lot":"A1"}`, []string{"ilmd.lot", "no namespace prefix"}},
		{"unknown_event_type", `"type":"ObjectEvent"`, `"type":"QuantityEvent"`, []string{"type", `unknown event type "QuantityEvent"`}},
		{"sensor_value_as_text", `"action":"OBSERVE"`, `"action":"OBSERVE","sensorElementList":[{"sensorReport":[{"type":"Temperature","value":"4.5"}]}]`, []string{"sensorReport[0].value", "must be a number"}},
		{"sensor_element_without_report", `"action":"OBSERVE"`, `"action":"OBSERVE","sensorElementList":[{"sensorMetadata":{}}]`, []string{"sensorElementList[0]", "sensorReport is required"}},
		{"hexBinary_odd", `"action":"OBSERVE"`, `"action":"OBSERVE","sensorElementList":[{"sensorReport":[{"type":"Temperature","hexBinaryValue":"ABC"}]}]`, []string{"hexBinaryValue", "hexadecimal"}},
		{"source_without_type", `"action":"OBSERVE"`, `"action":"OBSERVE","sourceList":[{"source":"urn:epc:id:pgln:0614141.00001"}]`, []string{"sourceList[0]", "type is required"}},
		{"duplicate_context_inside_extension", `"action":"OBSERVE"`, `"action":"OBSERVE","example:x":{"@context":{}}`, []string{"@context is only supported"}},
		{"trailing_comma", `"uom":"KGM"}]`, `"uom":"KGM",}]`, []string{"expected a string key"}},
		{"bad_escape", `"bizStep":"shipping"`, `"bizStep":"ship\qping"`, []string{`invalid escape '\q'`}},
		{"empty_bizStep", `"bizStep":"shipping"`, `"bizStep":""`, []string{"bizStep is empty"}},
	} {
		t.Run("rejected/"+tc.name, func(t *testing.T) {
			ev := edit(t, okEvent, tc.old, tc.new)
			_, err := DecodeJSON(strings.NewReader(jsonDoc(ev)), Limits{})
			requireInvalid(t, err, tc.want...)
		})
	}
	t.Run("rejected/no_what", func(t *testing.T) {
		ev := edit(t, okEvent, `"epcList":["urn:epc:id:sgtin:0614141.107346.2017"],`, ``)
		ev = edit(t, ev, `,"quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":200,"uom":"KGM"}]`, ``)
		_, err := DecodeJSON(strings.NewReader(jsonDoc(ev)), Limits{})
		requireInvalid(t, err, "needs a non-empty epcList or quantityList")
	})
}

func TestJSONDocumentRejects(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"empty", ``, []string{"the document is empty"}},
		{"not_json", `<xml/>`, []string{"must be a JSON object"}},
		{"truncated", jsonDoc(okEvent)[:200], []string{"byte offset"}},
		{"garbage_after", jsonDoc(okEvent) + `{}`, []string{"unexpected data after the document"}},
		{"no_context", strings.Replace(jsonDoc(okEvent), testContext+",", "", 1), []string{"@context is required"}},
		{"no_type", strings.Replace(jsonDoc(okEvent), `"type":"EPCISDocument",`, "", 1), []string{`has no "type"`}},
		{"no_creationDate", strings.Replace(jsonDoc(okEvent), `"creationDate":"2024-03-18T10:00:00Z",`, "", 1), []string{"creationDate is required"}},
		{"bad_schemaVersion", strings.Replace(jsonDoc(okEvent), `"schemaVersion":"2.0"`, `"schemaVersion":"two"`, 1), []string{"schemaVersion", "not a version number"}},
		{"unknown_top_field", strings.Replace(jsonDoc(okEvent), `"type":"EPCISDocument",`, `"type":"EPCISDocument","format":1,`, 1), []string{`unknown field "format"`}},
		{"second_event_bad", jsonDoc(okEvent, strings.Replace(okEvent, `"OBSERVE"`, `"MOVE"`, 1)), []string{"eventList[1].action"}},
		{"invalid_utf8", jsonDoc(strings.Replace(okEvent, "shipping", "ship\xffping", 1)), []string{"UTF-8"}},
	} {
		t.Run("rejected/"+tc.name, func(t *testing.T) {
			_, err := DecodeJSON(strings.NewReader(tc.doc), Limits{})
			requireInvalid(t, err, tc.want...)
		})
	}
}

func requireLimit(t *testing.T, err error, want string) {
	t.Helper()
	var ze *zhuisu.Error
	if !errors.As(err, &ze) {
		t.Fatalf("error %v is not a *zhuisu.Error", err)
	}
	if ze.Code != zhuisu.ETooLarge || ze.Kind != "CaptureLimitExceededException" {
		t.Fatalf("error code %q kind %q, want too_large CaptureLimitExceededException (%v)", ze.Code, ze.Kind, err)
	}
	if !strings.Contains(ze.Message, want) {
		t.Fatalf("message %q does not mention %q", ze.Message, want)
	}
}

func TestLimits(t *testing.T) {
	three := []string{okEvent, okEvent, okEvent}
	threeXML := []string{okXMLEvent, okXMLEvent, okXMLEvent}
	deepJSON := strings.Replace(okEvent, `"action":"OBSERVE"`, `"action":"OBSERVE","example:deep":`+strings.Repeat(`{"example:a":`, 40)+`1`+strings.Repeat(`}`, 40), 1)
	deepXML := strings.Replace(okXMLEvent, `</ObjectEvent>`, strings.Repeat(`<example:a>`, 40)+`1`+strings.Repeat(`</example:a>`, 40)+`</ObjectEvent>`, 1)
	t.Run("too_many_events/json", func(t *testing.T) {
		_, err := DecodeJSON(strings.NewReader(jsonDoc(three...)), Limits{MaxEvents: 2})
		requireLimit(t, err, "more than 2 events")
	})
	t.Run("too_many_events/xml", func(t *testing.T) {
		_, err := DecodeXML(strings.NewReader(xmlDoc(threeXML...)), Limits{MaxEvents: 2})
		requireLimit(t, err, "more than 2 events")
	})
	t.Run("too_deep/json", func(t *testing.T) {
		_, err := DecodeJSON(strings.NewReader(jsonDoc(deepJSON)), Limits{})
		requireLimit(t, err, "deeper than 32 levels")
	})
	t.Run("too_deep/xml", func(t *testing.T) {
		_, err := DecodeXML(strings.NewReader(xmlDoc(deepXML)), Limits{})
		requireLimit(t, err, "deeper than 32 levels")
	})
	t.Run("too_deep_bomb/json", func(t *testing.T) {
		bomb := `{"@context":"x:y","type":"EPCISDocument","x:z":` + strings.Repeat("[", 1<<20)
		_, err := DecodeJSON(strings.NewReader(bomb), Limits{MaxDepth: 64})
		requireLimit(t, err, "deeper than 64 levels")
	})
	t.Run("within_limits_accepted", func(t *testing.T) {
		if _, err := DecodeJSON(strings.NewReader(jsonDoc(three...)), Limits{MaxEvents: 3, MaxDepth: 50}); err != nil {
			t.Fatal(err)
		}
		deepOK := strings.Replace(deepJSON, strings.Repeat(`{"example:a":`, 40), strings.Repeat(`{"example:a":`, 20), 1)
		deepOK = strings.Replace(deepOK, strings.Repeat(`}`, 40), strings.Repeat(`}`, 20), 1)
		if _, err := DecodeJSON(strings.NewReader(jsonDoc(deepOK)), Limits{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestXMLRejects(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"bad_action", `<action>OBSERVE</action>`, `<action>MOVE</action>`, []string{"line 5", "ObjectEvent[1]/action", `"MOVE" is not one of`}},
		{"missing_eventTime", `<eventTime>2024-03-18T09:41:27.314+08:00</eventTime>`, ``, []string{"eventTime is required"}},
		{"bad_timezone_offset", `<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>`, `<eventTimeZoneOffset>UTC+8</eventTimeZoneOffset>`, []string{"eventTimeZoneOffset", `"UTC+8"`}},
		{"quantity_as_text", `<quantity>200</quantity>`, `<quantity>two hundred</quantity>`, []string{"quantityElement/quantity", `"two hundred" is not a decimal`}},
		{"unknown_element", `<action>OBSERVE</action>`, `<action>OBSERVE</action><colour>red</colour>`, []string{"<colour> is not an element of ObjectEvent"}},
		{"out_of_order", `<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList><action>OBSERVE</action>`, `<action>OBSERVE</action><epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList>`, []string{"<epcList> is out of order"}},
		{"duplicate", `<action>OBSERVE</action>`, `<action>OBSERVE</action><action>ADD</action>`, []string{"<action> appears twice"}},
		{"ilmd_unqualified", `</quantityList>`, `</quantityList><ilmd><lot>A1</lot></ilmd>`, []string{"ilmd element <lot> has no namespace"}},
		{"undeclared_prefix", `</quantityList>`, `</quantityList><nope:x>1</nope:x>`, []string{"undeclared namespace prefix"}},
		{"mixed_content", `</quantityList>`, `</quantityList><example:x>text<example:y/></example:x>`, []string{"mixes text and elements"}},
		{"not_well_formed", `</action>`, `</actoin>`, []string{"line 5", "<action> is closed by </actoin>"}},
		{"unknown_entity", `OBSERVE`, `OBSERVE&bogus;`, []string{"line 5", "not well-formed XML"}},
		{"empty_bizStep", `<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>`, `<bizStep/>`, []string{"bizStep is empty"}},
		{"bizStep_bare_word", `urn:epcglobal:cbv:bizstep:shipping`, `teleporting`, []string{"bizStep", `"teleporting" is not a standard business step`}},
		{"sensor_attribute_unknown", `</quantityList>`, `</quantityList><sensorElementList><sensorElement><sensorReport type="gs1:Temperature" colour="red"/></sensorElement></sensorElementList>`, []string{`unknown attribute "colour"`}},
		{"nonempty_location_extension", `<id>urn:epc:id:sgln:0614141.07346.1234</id>`, `<id>urn:epc:id:sgln:0614141.07346.1234</id><extension><door>3</door></extension>`, []string{"reserved for future EPCIS versions"}},
	} {
		t.Run("rejected/"+tc.name, func(t *testing.T) {
			ev := edit(t, okXMLEvent, tc.old, tc.new)
			_, err := DecodeXML(strings.NewReader(xmlDoc(ev)), Limits{})
			requireInvalid(t, err, tc.want...)
		})
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", ``, "no root element"},
		{"wrong_root", `<foo/>`, "is not an EPCIS 2.0 EPCISDocument"},
		{"epcis_1_2_namespace_document", strings.Replace(xmlDoc(okXMLEvent), "urn:epcglobal:epcis:xsd:2", "urn:epcglobal:epcis:xsd:3", 1), "is not an EPCIS 2.0 EPCISDocument"},
		{"no_creationDate", strings.Replace(xmlDoc(okXMLEvent), `creationDate="2024-03-18T10:00:00Z"`, ``, 1), "creationDate attribute is required"},
		{"two_roots", xmlDoc(okXMLEvent) + "<x/>", "second root element"},
		{"unknown_event_type", xmlDoc(strings.ReplaceAll(okXMLEvent, "ObjectEvent", "QuantityEvent")), "<QuantityEvent> is not an EPCIS event type"},
	} {
		t.Run("rejected/"+tc.name, func(t *testing.T) {
			_, err := DecodeXML(strings.NewReader(tc.doc), Limits{})
			requireInvalid(t, err, tc.want)
		})
	}
}

func TestXMLAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		lim            Limits
		check          func(*testing.T, *Event)
	}{
		{"epcis_1_x_extension_wrappers", `<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>200</quantity><uom>KGM</uom></quantityElement></quantityList>`,
			`<extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>200</quantity><uom>KGM</uom></quantityElement></quantityList><example:inside>1</example:inside></extension><example:after>2</example:after>`,
			Limits{}, func(t *testing.T, e *Event) {
				if len(e.QuantityList) != 1 || len(e.Extensions) != 2 || e.Extensions[0].Local != "inside" || e.Extensions[1].Local != "after" {
					t.Fatalf("quantityList %v, extensions %v", e.QuantityList, e.Extensions)
				}
			}},
		{"base_extension_with_eventID", `<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>`,
			`<eventTimeZoneOffset>+08:00</eventTimeZoneOffset><baseExtension><eventID>urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8</eventID></baseExtension>`,
			Limits{}, func(t *testing.T, e *Event) {
				if e.EventID != "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8" {
					t.Fatalf("eventID %q", e.EventID)
				}
			}},
		{"any_order_when_allowed", `<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList><action>OBSERVE</action>`,
			`<action>OBSERVE</action><epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList>`,
			Limits{AnyXMLOrder: true}, func(t *testing.T, e *Event) {
				if e.Action != ActionObserve || len(e.EPCList) != 1 {
					t.Fatalf("event %+v", e)
				}
			}},
		{"epcis_qualified_elements", `<action>OBSERVE</action>`, `<epcis:action>OBSERVE</epcis:action>`, Limits{}, func(t *testing.T, e *Event) {
			if e.Action != ActionObserve {
				t.Fatalf("action %q", e.Action)
			}
		}},
		{"curie_vocabulary_values", `urn:epcglobal:cbv:bizstep:shipping`, `cbv:BizStep-shipping`, Limits{}, func(t *testing.T, e *Event) {
			if e.BizStep != "shipping" {
				t.Fatalf("bizStep %q", e.BizStep)
			}
		}},
		{"prefixed_custom_bizStep", `urn:epcglobal:cbv:bizstep:shipping`, `example:quarantining`, Limits{}, func(t *testing.T, e *Event) {
			if e.BizStep != "https://ns.example.com/epcis/quarantining" {
				t.Fatalf("bizStep %q", e.BizStep)
			}
		}},
	} {
		t.Run("accepted/"+tc.name, func(t *testing.T) {
			ev := edit(t, okXMLEvent, tc.old, tc.new)
			doc, err := DecodeXML(strings.NewReader(xmlDoc(ev)), tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, doc.Events[0])
		})
	}
}

func TestValidateModel(t *testing.T) {
	base := func() *Event {
		return &Event{Type: TransformationEvent, EventTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), EventTimeZoneOffset: "+00:00",
			InputEPCList: []string{"urn:epc:id:sgtin:0614141.107346.1"}, OutputEPCList: []string{"urn:epc:id:sgtin:0614141.107346.2"}}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Event)
		want   string
	}{
		{"action_on_transformation", func(e *Event) { e.Action = ActionAdd }, "action is not a field of TransformationEvent"},
		{"only_inputs_without_transformationID", func(e *Event) { e.OutputEPCList = nil }, "needs a transformationID"},
		{"no_inputs_no_outputs", func(e *Event) { e.InputEPCList, e.OutputEPCList = nil, nil }, "needs inputs"},
		{"nan_quantity", func(e *Event) {
			nan := 0.0
			nan /= nan
			e.InputQuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:4012345.012345.1", Quantity: &nan}}
		}, "inputQuantityList[0].quantity"},
		{"uom_without_quantity", func(e *Event) {
			e.InputQuantityList = []QuantityElement{{EPCClass: "urn:epc:class:lgtin:4012345.012345.1", UOM: "KGM"}}
		}, "given without a quantity"},
		{"bare_sensor_type", func(e *Event) {
			e.SensorElementList = []SensorElement{{Reports: []SensorReport{{Type: "Temperature"}}}}
		}, "must be held as the full URI https://gs1.org/voc/Temperature"},
		{"unnamespaced_extension", func(e *Event) {
			e.Extensions = Extensions{{Local: "x", Kind: KindString, Value: "1"}}
		}, "has no namespace"},
		{"bad_number_node", func(e *Event) {
			e.Extensions = Extensions{{Space: "urn:x:", Prefix: "x", Local: "n", Kind: KindNumber, Value: "1,5"}}
		}, `number "1,5"`},
		{"list_item_renamed", func(e *Event) {
			e.Extensions = Extensions{{Space: "urn:x:", Prefix: "x", Local: "l", Kind: KindList, Children: []Node{{Space: "urn:x:", Prefix: "x", Local: "m"}}}}
		}, "list item 0 is named"},
		{"aggregation_add_without_parent", func(e *Event) {
			*e = Event{Type: AggregationEvent, EventTime: e.EventTime, EventTimeZoneOffset: "+00:00", Action: ActionAdd, ChildEPCs: []string{"urn:epc:id:sgtin:0614141.107346.1"}}
		}, "parentID is required"},
		{"transaction_without_bizTransaction", func(e *Event) {
			*e = Event{Type: TransactionEvent, EventTime: e.EventTime, EventTimeZoneOffset: "+00:00", Action: ActionAdd, EPCList: []string{"urn:epc:id:sgtin:0614141.107346.1"}}
		}, "needs a non-empty bizTransactionList"},
	} {
		t.Run("rejected/"+tc.name, func(t *testing.T) {
			e := base()
			tc.change(e)
			requireInvalid(t, e.Validate(), tc.want)
		})
	}
}

// ExampleEvent_Validate shows the error a capture client sees.
func ExampleEvent_Validate() {
	e := &Event{Type: ObjectEvent, EventTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), EventTimeZoneOffset: "+08:00",
		EPCList: []string{"urn:epc:id:sgtin:0614141.107346.2017"}, Action: "MOVE"}
	err := e.Validate().(*zhuisu.Error)
	fmt.Println(err.Kind, err.Field, err.Message)
	// Output: ValidationException action action "MOVE" is not one of ADD, OBSERVE, DELETE
}
