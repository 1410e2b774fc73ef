package epcis

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// codecBenchEventJSON returns the compact JSON of testdata/bench_event.json (an ObjectEvent of
// about 1.2 KB with an extension) wrapped for use as a stored event or a document member.
func codecBenchEventJSON(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile("testdata/bench_event.json")
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// benchDocument builds an EPCISDocument of n copies of the bench event.
func benchDocument(tb testing.TB, n int) []byte {
	ev := codecBenchEventJSON(tb)
	var b bytes.Buffer
	b.WriteString(`{"@context":["` + StandardContext + `",{"example":"https://ns.example.com/epcis/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-03-18T10:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(ev)
	}
	b.WriteString("]}}")
	return b.Bytes()
}

func BenchmarkDecodeJSON(b *testing.B) {
	doc := benchDocument(b, 1000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := DecodeJSON(bytes.NewReader(doc), Limits{})
		if err != nil || len(d.Events) != 1000 {
			b.Fatal(err)
		}
	}
}

func benchStoredEvent(b *testing.B) (*Event, []byte) {
	doc, err := DecodeJSON(bytes.NewReader(benchDocument(b, 1)), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	e := doc.Events[0]
	return e, AppendEventJSON(nil, e)
}

func BenchmarkAppendEventJSON(b *testing.B) {
	e, stored := benchStoredEvent(b)
	b.SetBytes(int64(len(stored)))
	b.ReportAllocs()
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = AppendEventJSON(buf[:0], e)
	}
}

func BenchmarkDecodeEventJSON(b *testing.B) {
	_, stored := benchStoredEvent(b)
	b.SetBytes(int64(len(stored)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEventJSON(stored); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoredRoundTrip is AppendEventJSON followed by DecodeEventJSON.
func BenchmarkStoredRoundTrip(b *testing.B) {
	e, stored := benchStoredEvent(b)
	b.SetBytes(int64(len(stored)))
	b.ReportAllocs()
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = AppendEventJSON(buf[:0], e)
		if _, err := DecodeEventJSON(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeXML(b *testing.B) {
	d, err := DecodeJSON(bytes.NewReader(benchDocument(b, 1000)), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	var x bytes.Buffer
	if err := EncodeXML(&x, d.Events); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(x.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeXML(bytes.NewReader(x.Bytes()), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchEventSize(t *testing.T) {
	if n := len(codecBenchEventJSON(t)); n < 1100 || n > 1400 {
		t.Fatalf("bench event is %d bytes, want about 1.2 KB", n)
	}
}

func codecF64(v float64) *float64 { return &v }
func codecBoolPtr(v bool) *bool   { return &v }

// richEvent exercises every field and every node kind.
func richEvent() *Event {
	cet := time.FixedZone("", 3600)
	ilmd := Extensions{
		{Space: "https://ns.example.com/epcis/", Local: "lot", Prefix: "example", Kind: KindString, Value: "L1"},
	}
	return &Event{
		Type:                ObjectEvent,
		EventID:             "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
		EventTime:           time.Date(2024, 3, 18, 9, 41, 27, 314159265, cet),
		EventTimeZoneOffset: "+01:00",
		RecordTime:          time.Date(2024, 3, 18, 8, 41, 28, 0, time.UTC),
		CertificationInfo:   []string{"https://cert.example.org/1", "https://cert.example.org/2"},
		ErrorDeclaration: &ErrorDeclaration{
			DeclarationTime:    time.Date(2024, 3, 19, 0, 0, 0, 0, time.UTC),
			Reason:             "incorrect_data",
			CorrectiveEventIDs: []string{"urn:uuid:fd338495-0e6d-41dd-afee-a862ecd32518"},
			Extensions:         Extensions{{Space: "https://ns.example.com/epcis/", Local: "by", Prefix: "example", Kind: KindString, Value: "QA"}},
		},
		EPCList:               []string{"urn:epc:id:sgtin:0614141.107346.2017"},
		QuantityList:          []QuantityElement{{EPCClass: "urn:epc:class:lgtin:4012345.012345.998877", Quantity: codecF64(200.5), UOM: "KGM"}, {EPCClass: "urn:epc:class:lgtin:4012345.012345.1"}},
		Action:                ActionAdd,
		BizStep:               "shipping",
		Disposition:           "https://ns.example.com/disp/custom",
		PersistentDisposition: &PersistentDisposition{Set: []string{"completeness_verified"}, Unset: []string{"completeness_inferred"}},
		ReadPoint:             &Location{ID: "urn:epc:id:sgln:0614141.07346.1234", Extensions: Extensions{{Space: "https://ns.example.com/epcis/", Local: "door", Prefix: "example", Kind: KindNumber, Value: "3"}}},
		BizLocation:           &Location{ID: "urn:epc:id:sgln:0614141.07346.0"},
		BizTransactionList:    []BizTransaction{{Type: "po", Value: "http://transaction.acme.com/po/12345678"}, {Value: "urn:epcglobal:cbv:bt:0614141073467:1152"}},
		SourceList:            []SourceDest{{Type: "owning_party", Value: "urn:epc:id:pgln:0614141.00001"}},
		DestinationList:       []SourceDest{{Type: "https://ns.example.com/sdt/carrier", Value: "urn:epc:id:pgln:0614141.00002"}},
		SensorElementList: []SensorElement{{
			Metadata: &SensorMetadata{Time: time.Date(2024, 3, 18, 9, 40, 0, 0, cet), StartTime: time.Date(2024, 3, 18, 9, 0, 0, 0, cet),
				EndTime: time.Date(2024, 3, 18, 9, 40, 0, 0, cet), DeviceID: "urn:epc:id:giai:4000001.111", DeviceMetadata: "https://id.gs1.org/8004/4000001111",
				RawData: "https://example.org/raw/1", DataProcessingMethod: "https://example.org/dpm", BizRules: "https://example.org/rules",
				Extensions: Extensions{{Space: "https://ns.example.com/epcis/", Local: "fw", Prefix: "example", Kind: KindString, Value: "1.2"}}},
			Reports: []SensorReport{
				{Type: GS1VocPrefix + "Temperature", Value: codecF64(-18.25), UOM: "CEL", Time: time.Date(2024, 3, 18, 9, 39, 0, 0, time.UTC),
					MinValue: codecF64(-19), MaxValue: codecF64(-17.5), MeanValue: codecF64(-18.1), SDev: codecF64(0.3), PercRank: codecF64(50), PercValue: codecF64(-18),
					DeviceID: "urn:epc:id:giai:4000001.112", DeviceMetadata: "https://example.org/dm", RawData: "https://example.org/r",
					DataProcessingMethod: "https://example.org/p", BizRules: "https://example.org/b", Microorganism: "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
					ChemicalSubstance: "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N", CoordinateReferenceSystem: "http://www.opengis.net/def/crs/EPSG/0/27700"},
				{Type: "https://ns.example.com/epcis/customSensor", Exception: GS1VocPrefix + "ALARM_CONDITION", Component: "x", StringValue: "a \"quoted\" <value> & more",
					BooleanValue: codecBoolPtr(true), HexBinaryValue: "0AF1", URIValue: "https://example.org/u", Value: codecF64(1e-9)},
				{Type: GS1VocPrefix + "Length", Component: "https://ns.example.com/comp/diag", Value: codecF64(1.5e300)},
			},
			Extensions: Extensions{{Space: "https://ns.example.com/epcis/", Local: "note", Prefix: "example", Kind: KindString, Value: "line1\nline2\ttab"}},
		}},
		ILMD: &ilmd,
		Extensions: Extensions{
			{Space: "https://ns.example.com/epcis/", Local: "str", Prefix: "example", Kind: KindString, Value: "é ☃ \u2028"},
			{Space: "https://ns.example.com/epcis/", Local: "empty", Prefix: "example", Kind: KindString, Value: ""},
			{Space: "https://ns.example.com/epcis/", Local: "int", Prefix: "example", Kind: KindNumber, Value: "-12"},
			{Space: "https://ns.example.com/epcis/", Local: "dec", Prefix: "example", Kind: KindNumber, Value: "12.50"},
			{Space: "https://ns.example.com/epcis/", Local: "dbl", Prefix: "example", Kind: KindNumber, Value: "1.5E+3"},
			{Space: "https://ns.example.com/epcis/", Local: "yes", Prefix: "example", Kind: KindBool, Value: "true"},
			{Space: "https://ns.example.com/epcis/", Local: "nothing", Prefix: "example", Kind: KindNull},
			{Space: "https://ns.example.com/epcis/", Local: "emptyObj", Prefix: "example", Kind: KindObject},
			{Space: "https://ns.example.com/epcis/", Local: "emptyList", Prefix: "example", Kind: KindList},
			{Space: "https://ns.example.com/epcis/", Local: "one", Prefix: "example", Kind: KindList, Children: []Node{
				{Space: "https://ns.example.com/epcis/", Local: "one", Prefix: "example", Kind: KindString, Value: "only"}}},
			{Space: "https://ns.example.com/epcis/", Local: "nested", Prefix: "example", Kind: KindList, Children: []Node{
				{Space: "https://ns.example.com/epcis/", Local: "nested", Prefix: "example", Kind: KindList, Children: []Node{
					{Space: "https://ns.example.com/epcis/", Local: "nested", Prefix: "example", Kind: KindNumber, Value: "1"},
					{Space: "https://ns.example.com/epcis/", Local: "nested", Prefix: "example", Kind: KindNumber, Value: "2"}}},
				{Space: "https://ns.example.com/epcis/", Local: "nested", Prefix: "example", Kind: KindObject, Children: []Node{
					{Space: "http://other.example/ns#", Local: "deep", Prefix: "other", Kind: KindBool, Value: "false"}}}}},
			{Space: "https://ns.example.com/epcis/", Local: "withAttrs", Prefix: "example", Kind: KindString, Value: "3.5",
				Attrs: []Attr{{Local: "unit", Value: "KGM"}, {Space: nsXSI, Local: "type", Value: "xsd:string"}, {Space: "http://other.example/ns#", Local: "src", Value: "scale"}}},
			{Space: "https://ns.example.com/epcis/", Local: "obj", Prefix: "example", Kind: KindObject, Children: []Node{
				{Local: "plain", Kind: KindString, Value: "unqualified child"},
				{Space: "urn:example:x:", Local: "deflt", Kind: KindString, Value: "default namespace"}}},
			{Space: "http://other.example/ns#", Local: "after", Prefix: "other", Kind: KindString, Value: "z"},
		},
	}
}

// TestStoredFormRoundTrip checks that the stored form and both document syntaxes keep every
// field and node kind of a hand-built event.
func TestStoredFormRoundTrip(t *testing.T) {
	e := richEvent()
	if err := e.Validate(); err != nil {
		t.Fatalf("the test event is invalid: %v", err)
	}
	t.Run("unchanged_through_all_codecs", func(t *testing.T) {
		checkRoundTrips(t, []*Event{e})
	})
	t.Run("stored_form_has_context_only_with_extensions", func(t *testing.T) {
		b := AppendEventJSON(nil, e)
		if !bytes.HasPrefix(b, []byte(`{"@context":{`)) {
			t.Fatalf("stored form does not start with its @context: %.80s", b)
		}
		plain := &Event{Type: ObjectEvent, EventTime: e.EventTime, EventTimeZoneOffset: "+01:00", EPCList: e.EPCList, Action: ActionObserve}
		if b := AppendEventJSON(nil, plain); bytes.Contains(b, []byte("@context")) {
			t.Fatalf("stored form of an event without extensions has @context: %s", b)
		}
	})
	t.Run("stored_form_keeps_eventID_and_recordTime", func(t *testing.T) {
		b := string(AppendEventJSON(nil, e))
		for _, want := range []string{`"eventID":"urn:uuid:374d95fc`, `"recordTime":"2024-03-18T08:41:28Z"`, `"eventTime":"2024-03-18T09:41:27.314159265+01:00"`} {
			if !strings.Contains(b, want) {
				t.Errorf("stored form lacks %s", want)
			}
		}
	})
	t.Run("appends_to_dst", func(t *testing.T) {
		b := AppendEventJSON([]byte("prefix"), e)
		if !bytes.HasPrefix(b, []byte("prefix{")) {
			t.Fatalf("AppendEventJSON does not append: %.20s", b)
		}
	})
}

func TestDecodeEventJSONRejects(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not_an_object", `[1]`, "must be a JSON object"},
		{"trailing_data", `{"type":"ObjectEvent"} x`, "unexpected data"},
		{"bad_utf8", "{\"type\":\"\xff\"}", "UTF-8"},
		{"truncated", `{"type":"ObjectEvent","eventTime":"2024-`, "unterminated string"},
		{"wrong_kind", `{"type":"ObjectEvent","epcList":"urn:epc:id:sgtin:1.2.3"}`, "epcList must be an array"},
	} {
		t.Run("rejected/"+tc.name, func(t *testing.T) {
			_, err := DecodeEventJSON([]byte(tc.in))
			requireInvalid(t, err, tc.want)
		})
	}
}

func TestEPCISTimeParsing(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want time.Time
		out  string
	}{
		{"2005-04-03T20:33:31.116-06:00", true, time.Date(2005, 4, 4, 2, 33, 31, 116e6, time.UTC), "2005-04-03T20:33:31.116-06:00"},
		{"2022-04-13T12:35:29.017069617Z", true, time.Date(2022, 4, 13, 12, 35, 29, 17069617, time.UTC), "2022-04-13T12:35:29.017069617Z"},
		{"2022-04-13T12:35:29.0170696171234Z", true, time.Date(2022, 4, 13, 12, 35, 29, 17069617, time.UTC), "2022-04-13T12:35:29.017069617Z"},
		{"2024-02-29T00:00:00+14:00", true, time.Date(2024, 2, 28, 10, 0, 0, 0, time.UTC), "2024-02-29T00:00:00+14:00"},
		{"2024-01-01T00:00:00+00:00", true, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "2024-01-01T00:00:00Z"},
		{"2023-02-29T00:00:00Z", false, time.Time{}, ""},
		{"2024-01-01T00:00Z", false, time.Time{}, ""},
		{"2024-01-01T00:00:00", false, time.Time{}, ""},
		{"2024-01-01 00:00:00Z", false, time.Time{}, ""},
		{"2024-01-01T24:00:00Z", false, time.Time{}, ""},
		{"2024-01-01T00:00:00+15:00", false, time.Time{}, ""},
		{"2024-01-01T00:00:00.Z", false, time.Time{}, ""},
		{"22-07-2026", false, time.Time{}, ""},
	} {
		name := "rejects/" + tc.in
		if tc.ok {
			name = "parses/" + tc.in
		}
		t.Run(name, func(t *testing.T) {
			got, ok := parseEPCISTime(tc.in)
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if s := string(appendEPCISTime(nil, got)); s != tc.out {
				t.Fatalf("formats as %s, want %s", s, tc.out)
			}
			again, _ := parseEPCISTime(tc.out)
			if !reflect.DeepEqual(again, got) {
				t.Fatalf("%s reads back as %#v, not %#v", tc.out, again, got)
			}
		})
	}
}

func TestAppendFloatShortest(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 26.2, 200, 1e-9, 1.5e300, 123456789012345678, 0.1 + 0.2, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		s := string(appendFloatShortest(nil, f))
		var back float64
		if err := json.Unmarshal([]byte(s), &back); err != nil || back != f {
			t.Errorf("%v is written as %s, which reads back as %v (%v)", f, s, back, err)
		}
	}
}

// FuzzDecodeEventJSON checks that no input makes the JSON decoder panic, and that every
// event it accepts survives the stored form.
func FuzzDecodeEventJSON(f *testing.F) {
	f.Add([]byte(okEvent))
	f.Add(codecBenchEventJSON(f))
	f.Add(AppendEventJSON(nil, richEvent()))
	f.Add([]byte(`{"type":"ObjectEvent","example:x":{"@value":"1","@a":"b"},"@context":{"example":"urn:x:"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEventJSON(b)
		if err != nil {
			return
		}
		again, err := DecodeEventJSON(AppendEventJSON(nil, e))
		if err != nil {
			t.Fatalf("stored form of an accepted event is rejected: %v\n%s", err, AppendEventJSON(nil, e))
		}
		if d := describeDiff(e, again); d != "" && e.Validate() == nil {
			t.Fatalf("valid event changed through the stored form: %s", d)
		}
	})
}

// FuzzDecodeDocuments checks that no input makes either document decoder panic, and that
// accepted documents survive both encoders.
func FuzzDecodeDocuments(f *testing.F) {
	f.Add(jsonDoc(okEvent), false)
	f.Add(xmlDoc(okXMLEvent), true)
	f.Add(string(benchDocument(f, 2)), false)
	// Vocabulary values written with a prefix (Event.VocabPrefixes).
	f.Add(jsonDoc(strings.Replace(okEvent, `"shipping"`, `"example:quarantining","example:x":"1"`, 1)), false)
	f.Add(xmlDoc(strings.Replace(okXMLEvent, "urn:epcglobal:cbv:bizstep:shipping", "example:quarantining", 1)), true)
	f.Fuzz(func(t *testing.T, s string, isXML bool) {
		var doc *Document
		var err error
		if isXML {
			doc, err = DecodeXML(strings.NewReader(s), Limits{MaxEvents: 50})
		} else {
			doc, err = DecodeJSON(strings.NewReader(s), Limits{MaxEvents: 50})
		}
		if err != nil {
			return
		}
		checkRoundTrips(t, doc.Events)
	})
}
