package epcis

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestVocabularyNormalize(t *testing.T) {
	for _, tc := range []struct {
		v        Vocabulary
		in, held string
	}{
		{VocabBizStep, "shipping", "shipping"},
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:shipping", "shipping"},
		{VocabBizStep, "cbv:BizStep-shipping", "shipping"},
		{VocabBizStep, "https://ref.gs1.org/cbv/BizStep-shipping", "shipping"},
		{VocabBizStep, "http://ref.gs1.org/cbv/BizStep-shipping", "shipping"},
		{VocabBizStep, "https://ns.example.com/bizstep/quarantining", "https://ns.example.com/bizstep/quarantining"},
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:teleporting", "urn:epcglobal:cbv:bizstep:teleporting"},
		{VocabBizStep, "teleporting", "teleporting"}, // Validate rejects it
		{VocabDisposition, "urn:epcglobal:cbv:disp:in_transit", "in_transit"},
		{VocabDisposition, "cbv:Disp-in_transit", "in_transit"},
		{VocabBizTransaction, "urn:epcglobal:cbv:btt:po", "po"},
		{VocabBizTransaction, "https://ref.gs1.org/cbv/BTT-desadv", "desadv"},
		{VocabBizTransaction, "urn:epcglobal:cbv:btt:packevent", "urn:epcglobal:cbv:btt:packevent"},
		{VocabSourceDest, "urn:epcglobal:cbv:sdt:owning_party", "owning_party"},
		{VocabSourceDest, "cbv:SDT-possessing_party", "possessing_party"},
		{VocabSourceDest, "cbv:my_own_party", "https://ref.gs1.org/cbv/my_own_party"},
		{VocabErrorReason, "urn:epcglobal:cbv:er:incorrect_data", "incorrect_data"},
		{VocabComponent, "cbv:Comp-northing", "northing"},
		{VocabComponent, "urn:epcglobal:cbv:comp:x", "x"},
		{VocabComponent, "example:x", "example:x"}, // undeclared prefix: an IRI of scheme "example"
		{VocabMeasurementType, "Temperature", "https://gs1.org/voc/Temperature"},
		{VocabMeasurementType, "gs1:Temperature", "https://gs1.org/voc/Temperature"},
		{VocabMeasurementType, "https://ref.gs1.org/voc/Speed", "https://gs1.org/voc/Speed"},
		{VocabMeasurementType, "http://www.gs1.org/voc/Speed", "https://gs1.org/voc/Speed"},
		{VocabMeasurementType, "Molar_concentration", "https://gs1.org/voc/Molar_concentration"},
		{VocabMeasurementType, "https://ns.example.com/epcis/customSensor", "https://ns.example.com/epcis/customSensor"},
		{VocabSensorAlert, "ALARM_CONDITION", "https://gs1.org/voc/ALARM_CONDITION"},
		{VocabSensorAlert, "gs1:ERROR_CONDITION", "https://gs1.org/voc/ERROR_CONDITION"},
		{VocabSensorAlert, "SMOKE", "SMOKE"}, // Validate rejects it
	} {
		t.Run("normalizes/"+tc.in, func(t *testing.T) {
			if got := tc.v.Normalize(tc.in); got != tc.held {
				t.Fatalf("Normalize(%q) = %q, want %q", tc.in, got, tc.held)
			}
		})
	}
}

func TestVocabularyOutputForms(t *testing.T) {
	for _, tc := range []struct {
		v                  Vocabulary
		held, json, xmlOut string
	}{
		{VocabBizStep, "shipping", "shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabDisposition, "in_transit", "in_transit", "urn:epcglobal:cbv:disp:in_transit"},
		{VocabBizTransaction, "po", "po", "urn:epcglobal:cbv:btt:po"},
		{VocabSourceDest, "location", "location", "urn:epcglobal:cbv:sdt:location"},
		{VocabErrorReason, "did_not_occur", "did_not_occur", "urn:epcglobal:cbv:er:did_not_occur"},
		{VocabComponent, "x", "x", "cbv:Comp-x"},
		{VocabMeasurementType, "https://gs1.org/voc/Temperature", "Temperature", "gs1:Temperature"},
		{VocabSensorAlert, "https://gs1.org/voc/ALARM_CONDITION", "ALARM_CONDITION", "gs1:ALARM_CONDITION"},
		{VocabBizStep, "https://ns.example.com/bs", "https://ns.example.com/bs", "https://ns.example.com/bs"},
		{VocabMeasurementType, "https://ns.example.com/m", "https://ns.example.com/m", "https://ns.example.com/m"},
		{VocabMeasurementType, "https://gs1.org/voc/EffectiveDoseRate", "gs1:EffectiveDoseRate", "gs1:EffectiveDoseRate"},
	} {
		t.Run("writes/"+tc.held, func(t *testing.T) {
			if got := jsonVocab(tc.v, tc.held); got != tc.json {
				t.Errorf("JSON form %q, want %q", got, tc.json)
			}
			if got := xmlVocab(tc.v, tc.held); got != tc.xmlOut {
				t.Errorf("XML form %q, want %q", got, tc.xmlOut)
			}
			if back := tc.v.Normalize(tc.json); back != tc.held {
				t.Errorf("JSON form reads back as %q", back)
			}
			if back := tc.v.Normalize(tc.xmlOut); back != tc.held {
				t.Errorf("XML form reads back as %q", back)
			}
		})
	}
	t.Run("web_uri_and_urn", func(t *testing.T) {
		if got := VocabBizStep.WebURI("shipping"); got != "https://ref.gs1.org/cbv/BizStep-shipping" {
			t.Errorf("WebURI = %q", got)
		}
		if got := VocabDisposition.URN("in_transit"); got != "urn:epcglobal:cbv:disp:in_transit" {
			t.Errorf("URN = %q", got)
		}
	})
}

func TestExpandCURIE(t *testing.T) {
	sc := &nsScope{}
	sc.add("ex", "https://ns.example.com/epcis/")
	sc.add("noslash", "https://ns.example.com/epcis")
	for _, tc := range []struct{ in, want string }{
		{"ex:thing", "https://ns.example.com/epcis/thing"},
		{"noslash:thing", "noslash:thing"}, // JSON-LD 1.1: a prefix IRI must end with a gen-delim
		{"gs1:Temperature", "https://gs1.org/voc/Temperature"},
		{"cbv:BizStep-shipping", "https://ref.gs1.org/cbv/BizStep-shipping"},
		{"https://ex:8080/x", "https://ex:8080/x"},
		{"urn:epc:id:sgtin:1.2.3", "urn:epc:id:sgtin:1.2.3"},
		{"unknown:x", "unknown:x"},
		{"plain", "plain"},
	} {
		t.Run("expands/"+tc.in, func(t *testing.T) {
			if got := expandCURIE(tc.in, sc); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIsAbsURI(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"urn:epc:id:sgtin:0614141.107346.2017", true},
		{"https://id.gs1.org/01/09521234543213/21/ABC", true},
		{"ni:///sha-256;df7bb3c3?ver=CBV2.0", true},
		{"urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB", true},
		{"https://例え.jp/パス", true},
		{"materialType", false},
		{"22-07-2026", false},
		{"1urn:x", false},
		{"urn:", false},
		{":x", false},
		{"urn:with space", false},
		{"urn:bad%zz", false},
		{"http://x/<y>", false},
	} {
		name := "rejects/" + tc.in
		if tc.ok {
			name = "accepts/" + tc.in
		}
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			if got := isAbsURI(tc.in); got != tc.ok {
				t.Fatalf("isAbsURI(%q) = %v", tc.in, got)
			}
		})
	}
}

// TestVocabPrefixes: a vocabulary value written as a compact URI with a declared prefix
// is held expanded, its prefix kept in Event.VocabPrefixes; both syntaxes agree, the codecs
// write it back as written, and the hash uses the compact form.
func TestVocabPrefixes(t *testing.T) {
	const ns = "https://ns.example.com/epcis/"
	xmlSrc := `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="` + ns + `" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
<EPCISBody><EventList><ObjectEvent>
<eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<epcList><epc>https://id.gs1.org/01/09506000134352/21/1</epc></epcList>
<action>OBSERVE</action><bizStep>example:quarantining</bizStep>
<sensorElementList><sensorElement>
<sensorReport type="example:someSensorProperty" stringValue="a"/>
<sensorReport type="gs1:Speed" value="1" component="example:x" uom="MTS"/>
<sensorReport type="rail:Abc" stringValue="b"/>
</sensorElement></sensorElementList>
<example:note>n</example:note>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	jsonSrc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"example":"` + ns + `"}],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[
{"type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00",
"epcList":["https://id.gs1.org/01/09506000134352/21/1"],"action":"OBSERVE","bizStep":"example:quarantining",
"sensorElementList":[{"sensorReport":[{"type":"example:someSensorProperty","stringValue":"a"},
{"type":"Speed","value":1,"component":"example:x","uom":"MTS"},{"type":"rail:Abc","stringValue":"b"}]}],
"example:note":"n"}]}}`
	xd, err := DecodeXML(strings.NewReader(xmlSrc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	jd, err := DecodeJSON(strings.NewReader(jsonSrc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	e := xd.Events[0]
	if want := map[string]string{"example": ns}; !reflect.DeepEqual(e.VocabPrefixes, want) {
		t.Errorf("VocabPrefixes = %v, want %v", e.VocabPrefixes, want)
	}
	r := e.SensorElementList[0].Reports
	if e.BizStep != ns+"quarantining" || r[0].Type != ns+"someSensorProperty" || r[1].Component != ns+"x" ||
		r[1].Type != "https://gs1.org/voc/Speed" || r[2].Type != "rail:Abc" {
		t.Errorf("held values: bizStep %q, types %q %q %q, component %q", e.BizStep, r[0].Type, r[1].Type, r[2].Type, r[1].Component)
	}
	if !reflect.DeepEqual(jd.Events, xd.Events) {
		t.Fatalf("the JSON-LD twin differs: %s", describeDiffs(xd.Events, jd.Events))
	}
	checkRoundTrips(t, xd.Events)

	pre := PreHash(e)
	for _, want := range []string{"bizStep=example:quarantining", "sensorReporttype=example:someSensorPropertystringValue=a",
		"component=example:x", "sensorReporttype=rail:AbcstringValue=b", "type=https://gs1.org/voc/Speed"} {
		if !strings.Contains(pre, want) {
			t.Errorf("pre-hash lacks %q: %s", want, pre)
		}
	}
	if Hash(jd.Events[0]) != Hash(e) {
		t.Errorf("the twins hash differently")
	}
	// Written in full, the same values hash in full.
	full := *e
	full.VocabPrefixes = nil
	if pre := PreHash(&full); !strings.Contains(pre, "bizStep="+ns+"quarantining") || !strings.Contains(pre, "component="+ns+"x") {
		t.Errorf("without VocabPrefixes the pre-hash is %s", pre)
	}

	var xb, jb bytes.Buffer
	if err := EncodeXML(&xb, xd.Events); err != nil {
		t.Fatal(err)
	}
	if err := EncodeJSON(&jb, xd.Events); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<bizStep>example:quarantining</bizStep>`, `type="example:someSensorProperty"`, `component="example:x"`, `type="gs1:Speed"`} {
		if !strings.Contains(xb.String(), want) {
			t.Errorf("EncodeXML output lacks %s:\n%s", want, xb.Bytes())
		}
	}
	for _, want := range []string{`"bizStep":"example:quarantining"`, `"type":"example:someSensorProperty"`, `"component":"example:x"`, `"type":"Speed"`} {
		if !strings.Contains(jb.String(), want) {
			t.Errorf("EncodeJSON output lacks %s:\n%s", want, jb.Bytes())
		}
	}
	if s := string(AppendEventJSON(nil, e)); !strings.Contains(s, `"example":"`+ns+`"`) || !strings.Contains(s, `"component":"example:x"`) {
		t.Errorf("AppendEventJSON: %s", s)
	}

	// Neither the standard prefixes nor values written in full are kept.
	for _, src := range []string{
		strings.NewReplacer("example:quarantining", ns+"quarantining", `"example:someSensorProperty"`, `"`+ns+`someSensorProperty"`, `"example:x"`, `"`+ns+`x"`).Replace(xmlSrc),
		strings.NewReplacer("example:quarantining", "cbv:BizStep-shipping", `"example:someSensorProperty"`, `"gs1:Temperature"`, `"example:x"`, `"cbv:Comp-x"`).Replace(xmlSrc),
	} {
		d, err := DecodeXML(strings.NewReader(src), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if p := d.Events[0].VocabPrefixes; p != nil {
			t.Errorf("VocabPrefixes = %v, want none", p)
		}
	}
}

// TestVocabPrefixConflicts: an event whose vocabulary prefix is bound otherwise by an
// earlier event (or by the encoder itself) still round-trips; a prefix no syntax can carry
// is not used.
func TestVocabPrefixConflicts(t *testing.T) {
	const ns = "https://ns.example.com/epcis/"
	e1 := hashReference3(t)
	e1.Extensions = append(e1.Extensions, Node{Space: "https://other.example/ns/", Local: "note", Prefix: "example", Value: "n"})
	e2 := hashReference3(t)
	e2.BizStep = ns + "quarantining"
	e2.VocabPrefixes = map[string]string{"example": ns}
	e3 := hashReference3(t)
	e3.BizStep = "http://www.w3.org/2001/XMLSchema#quarantining" // as JSON-LD reads "xsd:quarantining"
	e3.VocabPrefixes = map[string]string{"xsd": "http://www.w3.org/2001/XMLSchema#"}
	e4 := hashReference3(t)
	e4.BizStep = "http://purl.org/dc/terms/quarantining" // "dcterms:quarantining": no declaration needed in JSON-LD
	e4.VocabPrefixes = map[string]string{"dcterms": "http://purl.org/dc/terms/"}
	checkRoundTrips(t, []*Event{e1, e2, e4})
	if got := PreHash(e2); !strings.Contains(got, "bizStep=example:quarantining") {
		t.Errorf("pre-hash %s", got)
	}

	// xsd is bound otherwise in XML: the value is written in full, and JSON-LD's
	// "xsd:quarantining" keeps no prefix.
	var xb bytes.Buffer
	if err := EncodeXML(&xb, []*Event{e3}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(xb.String(), "<bizStep>http://www.w3.org/2001/XMLSchema#quarantining</bizStep>") {
		t.Errorf("EncodeXML: %s", xb.Bytes())
	}
	d, err := DecodeXML(bytes.NewReader(xb.Bytes()), Limits{})
	if err != nil || d.Events[0].BizStep != e3.BizStep {
		t.Fatalf("DecodeXML: %v %+v", err, d)
	}
	d, err = DecodeJSON(strings.NewReader(jsonDoc(strings.Replace(okEvent, `"shipping"`, `"xsd:quarantining"`, 1))), Limits{})
	if err != nil || d.Events[0].BizStep != e3.BizStep || d.Events[0].VocabPrefixes != nil {
		t.Fatalf("DecodeJSON: %v %+v", err, d)
	}
	checkRoundTrips(t, d.Events)

	// A prefix that an extension of the same event binds otherwise is not kept: no JSON-LD
	// context could bind it twice.
	clash := `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
<EPCISBody><EventList><ObjectEvent>
<eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<epcList><epc>https://id.gs1.org/01/09506000134352/21/1</epc></epcList>
<action>OBSERVE</action><bizStep xmlns:ex="https://a.example/">ex:quarantining</bizStep>
<ex:note xmlns:ex="https://b.example/">n</ex:note>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	cd, err := DecodeXML(strings.NewReader(clash), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if e := cd.Events[0]; e.BizStep != "https://a.example/quarantining" || e.VocabPrefixes != nil {
		t.Errorf("bizStep %q, VocabPrefixes %v", e.BizStep, e.VocabPrefixes)
	}
	checkRoundTrips(t, cd.Events)

	bad := hashReference3(t)
	bad.BizStep = ns + "quarantining"
	bad.VocabPrefixes = map[string]string{"not a prefix": ns, "xmlfoo": ns, "urn": ns}
	var jb bytes.Buffer
	xb.Reset()
	if err := EncodeXML(&xb, []*Event{bad}); err != nil {
		t.Fatal(err)
	}
	if err := EncodeJSON(&jb, []*Event{bad}); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{xb.String(), jb.String(), PreHash(bad)} {
		if !strings.Contains(out, ns+"quarantining") {
			t.Errorf("the value is not written in full: %s", out)
		}
	}
	if _, err := DecodeXML(bytes.NewReader(xb.Bytes()), Limits{}); err != nil {
		t.Errorf("DecodeXML: %v", err)
	}
	if _, err := DecodeJSON(bytes.NewReader(jb.Bytes()), Limits{}); err != nil {
		t.Errorf("DecodeJSON: %v", err)
	}
}
