package epcis

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/codes"
)

const hashExNS = "https://ns.example.com/epcis/"

func hashF64(v float64) *float64 { return &v }
func hashBoolPtr(v bool) *bool   { return &v }

func hashMustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// hashFirstDiff returns the first byte position where a and b differ, or -1.
func hashFirstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return n
	}
	return -1
}

// hashDiffReport shows where got departs from want, with some context on both sides.
func hashDiffReport(got, want string) string {
	i := hashFirstDiff(got, want)
	if i < 0 {
		return "identical"
	}
	lo := max(0, i-60)
	cut := func(s string) string {
		hi := min(len(s), i+80)
		if lo > len(s) {
			return ""
		}
		return s[lo:hi]
	}
	return fmt.Sprintf("first difference at byte %d\n  got:  …%s…\n  want: …%s…", i, cut(got), cut(want))
}

// hashReference3 is the event of the reference implementation's ReferenceEventHashAlgorithm3
// example, identifiers already in Digital Link form so that it does not need package codes.
func hashReference3(t testing.TB) *Event {
	return &Event{
		Type:                ObjectEvent,
		EventTime:           hashMustTime(t, "2020-03-04T11:00:30+01:00"),
		EventTimeZoneOffset: "+01:00",
		EPCList:             []string{"https://id.gs1.org/01/00614141111114/21/987"},
		Action:              ActionObserve,
		BizStep:             "departing",
		Disposition:         "in_transit",
		ReadPoint: &Location{ID: "https://id.gs1.org/414/4012345000115",
			Extensions: Extensions{{Space: hashExNS, Local: "myField1", Value: "AB-12"}}},
		BizTransactionList: []BizTransaction{{Type: "po", Value: "https://id.gs1.org/253/4012345111118123"}},
		SourceList:         []SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/4012345000009"}},
		DestinationList:    []SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/0614141000005"}},
		Extensions:         Extensions{{Space: hashExNS, Local: "userExt", Value: "CD-34"}},
	}
}

func TestHashReferenceExample3(t *testing.T) {
	const wantPre = "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00" +
		"epcListepc=https://id.gs1.org/01/00614141111114/21/987action=OBSERVE" +
		"bizStep=https://ref.gs1.org/cbv/BizStep-departingdisposition=https://ref.gs1.org/cbv/Disp-in_transit" +
		"readPointid=https://id.gs1.org/414/4012345000115{https://ns.example.com/epcis/}myField1=AB-12" +
		"bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=https://id.gs1.org/253/4012345111118123" +
		"destinationListtype=https://ref.gs1.org/cbv/SDT-owning_partydestination=https://id.gs1.org/417/0614141000005" +
		"sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009" +
		"{https://ns.example.com/epcis/}userExt=CD-34"
	const wantHash = "ni:///sha-256;a13cbe6c8bb6df3710b3edaeff760a1365ec8fd69ca1f4d7e0c10eb5189a883a?ver=CBV2.0"
	e := hashReference3(t)
	if got := PreHash(e); got != wantPre {
		t.Fatalf("pre-hash: %s", hashDiffReport(got, wantPre))
	}
	if got := Hash(e); got != wantHash {
		t.Fatalf("Hash = %s, want %s", got, wantHash)
	}
}

// TestHashSensorExample builds the TimeStampRoundOff vector's third event by hand: sensor
// data, certificationInfo, an exception, and a timestamp with four fraction digits.
func TestHashSensorExample(t *testing.T) {
	e := &Event{
		Type:                ObjectEvent,
		EventTime:           hashMustTime(t, "2023-02-12T12:04:03.1415+01:00"),
		EventTimeZoneOffset: "+01:00",
		CertificationInfo:   []string{"https://accreditation-council.example.org/certificate/ABC12345"},
		EPCList:             []string{"https://id.gs1.org/01/04012345999990/21/XYZ-1234"},
		Action:              ActionObserve,
		BizStep:             "receiving",
		Disposition:         "in_progress",
		ReadPoint:           &Location{ID: "https://id.gs1.org/414/4012345000115"},
		SensorElementList: []SensorElement{{
			Metadata: &SensorMetadata{Time: hashMustTime(t, "2023-02-12T11:04:03.1007Z"),
				BizRules: "https://id.gs1.org/253/4012345000054987"},
			Reports: []SensorReport{{Type: "https://gs1.org/voc/Dimensionless", Exception: "ALARM_CONDITION",
				CoordinateReferenceSystem: "http://www.opengis.net/def/crs/EPSG/0/27700"}},
		}},
	}
	const want = "ni:///sha-256;589e6268daac257cff0a64ae0f525abcc3ff90bc7832171270fd9260e9c481c8?ver=CBV2.0"
	if got := Hash(e); got != want {
		t.Fatalf("Hash = %s, want %s\npre-hash %s", got, want, PreHash(e))
	}
}

// TestHashInvariance: representations of one event that must hash alike.
func TestHashInvariance(t *testing.T) {
	base := func() *Event {
		return &Event{
			Type:                ObjectEvent,
			EventTime:           hashMustTime(t, "2023-01-18T11:04:03.142Z"),
			EventTimeZoneOffset: "+08:00",
			EPCList:             []string{"https://id.gs1.org/01/09506000134352/21/1", "https://id.gs1.org/01/09506000134352/21/2", "https://id.gs1.org/01/09506000134352/21/10"},
			QuantityList: []QuantityElement{
				{EPCClass: "https://id.gs1.org/01/09506000134352/10/A", Quantity: hashF64(1), UOM: "KGM"},
				{EPCClass: "https://id.gs1.org/01/09506000134352/10/B", Quantity: hashF64(2.5)},
			},
			Action:                ActionObserve,
			BizStep:               "shipping",
			Disposition:           "in_transit",
			PersistentDisposition: &PersistentDisposition{Set: []string{"recalled", "damaged"}},
			ReadPoint:             &Location{ID: "https://id.gs1.org/414/9506000134352"},
			BizTransactionList: []BizTransaction{
				{Type: "po", Value: "urn:epcglobal:cbv:bt:9506000134352:PO1"},
				{Type: "inv", Value: "urn:epcglobal:cbv:bt:9506000134352:INV1"},
			},
			SourceList: []SourceDest{
				{Type: "owning_party", Value: "https://id.gs1.org/417/9506000134352"},
				{Type: "location", Value: "https://id.gs1.org/414/9506000134352"},
			},
			DestinationList: []SourceDest{{Type: "possessing_party", Value: "https://id.gs1.org/417/9506000000005"}},
			SensorElementList: []SensorElement{{
				Reports: []SensorReport{
					{Type: "https://gs1.org/voc/Temperature", Value: hashF64(26), UOM: "CEL"},
					{Type: "https://gs1.org/voc/RelativeHumidity", Value: hashF64(12.1), UOM: "A93"},
				},
			}},
			Extensions: Extensions{
				{Space: hashExNS, Local: "b", Value: "2.50"},
				{Space: hashExNS, Local: "a", Kind: KindObject, Children: []Node{
					{Space: hashExNS, Local: "y", Value: "Y"},
					{Space: hashExNS, Local: "x", Value: "X"},
				}},
			},
		}
	}
	want := PreHash(base())

	cases := []struct {
		name string
		edit func(e *Event)
	}{
		{"epc order", func(e *Event) { slices.Reverse(e.EPCList) }},
		{"quantity order", func(e *Event) { e.QuantityList[0], e.QuantityList[1] = e.QuantityList[1], e.QuantityList[0] }},
		{"quantity 1.0 is 1", func(e *Event) { e.QuantityList[0].Quantity = hashF64(1.0) }},
		{"bizTransaction order", func(e *Event) {
			e.BizTransactionList[0], e.BizTransactionList[1] = e.BizTransactionList[1], e.BizTransactionList[0]
		}},
		{"source order", func(e *Event) { e.SourceList[0], e.SourceList[1] = e.SourceList[1], e.SourceList[0] }},
		{"persistentDisposition order", func(e *Event) { slices.Reverse(e.PersistentDisposition.Set) }},
		{"sensor report order", func(e *Event) {
			r := e.SensorElementList[0].Reports
			r[0], r[1] = r[1], r[0]
		}},
		{"extension order", func(e *Event) {
			x := e.Extensions
			x[0], x[1] = x[1], x[0]
			c := x[0].Children
			c[0], c[1] = c[1], c[0]
		}},
		{"extension number trailing zeros", func(e *Event) { e.Extensions[0].Value = "2.5000" }},
		{"extension number as JSON number", func(e *Event) { e.Extensions[0].Kind = KindNumber; e.Extensions[0].Value = "2.5" }},
		{"extension prefix", func(e *Event) { e.Extensions[0].Prefix = "other" }},
		{"time zone", func(e *Event) { e.EventTime = e.EventTime.In(time.FixedZone("", 8*3600)) }},
		{"time zone west", func(e *Event) { e.EventTime = e.EventTime.In(time.FixedZone("", -5*3600-1800)) }},
		{"sub-millisecond rounding up", func(e *Event) { e.EventTime = hashMustTime(t, "2023-01-18T19:04:03.1415+08:00") }},
		{"sub-millisecond rounding down", func(e *Event) { e.EventTime = hashMustTime(t, "2023-01-18T11:04:03.142499999Z") }},
		{"bizStep URN", func(e *Event) { e.BizStep = "urn:epcglobal:cbv:bizstep:shipping" }},
		{"bizStep web URI", func(e *Event) { e.BizStep = "https://ref.gs1.org/cbv/BizStep-shipping" }},
		{"bizStep CURIE", func(e *Event) { e.BizStep = "cbv:BizStep-shipping" }},
		{"disposition URN", func(e *Event) { e.Disposition = "urn:epcglobal:cbv:disp:in_transit" }},
		{"persistentDisposition URN", func(e *Event) { e.PersistentDisposition.Set[0] = "urn:epcglobal:cbv:disp:recalled" }},
		{"bizTransaction type URN", func(e *Event) { e.BizTransactionList[0].Type = "urn:epcglobal:cbv:btt:po" }},
		{"source type URN", func(e *Event) { e.SourceList[0].Type = "urn:epcglobal:cbv:sdt:owning_party" }},
		{"sensor type CURIE", func(e *Event) { e.SensorElementList[0].Reports[0].Type = "gs1:Temperature" }},
		{"sensor type bare word", func(e *Event) { e.SensorElementList[0].Reports[0].Type = "Temperature" }},
		{"surrounding white space", func(e *Event) { e.Action = "  OBSERVE\n"; e.EPCList[0] = "\t" + e.EPCList[0] + " " }},
		{"eventID excluded", func(e *Event) { e.EventID = "ni:///sha-256;00?ver=CBV2.0" }},
		{"recordTime excluded", func(e *Event) { e.RecordTime = time.Now() }},
		{"errorDeclaration excluded", func(e *Event) {
			e.ErrorDeclaration = &ErrorDeclaration{DeclarationTime: time.Now(), Reason: "incorrect_data",
				CorrectiveEventIDs: []string{"urn:uuid:1"}, Extensions: Extensions{{Space: hashExNS, Local: "why", Value: "typo"}}}
		}},
		{"rdfs:comment excluded", func(e *Event) {
			e.Extensions = append(e.Extensions, Node{Space: "http://www.w3.org/2000/01/rdf-schema#", Local: "comment", Value: "hello"})
		}},
		{"empty lists absent", func(e *Event) { e.ChildEPCs = []string{}; e.InputQuantityList = []QuantityElement{} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := base()
			c.edit(e)
			if got := PreHash(e); got != want {
				t.Errorf("%s", hashDiffReport(got, want))
			}
			if Hash(e) != Hash(base()) {
				t.Errorf("hash differs")
			}
		})
	}
}

// TestHashSensitivity: changes that must change the hash.
func TestHashSensitivity(t *testing.T) {
	e := hashReference3(t)
	want := Hash(e)
	edits := map[string]func(e *Event){
		"one millisecond":      func(e *Event) { e.EventTime = e.EventTime.Add(time.Millisecond) },
		"time zone offset":     func(e *Event) { e.EventTimeZoneOffset = "+02:00" },
		"extra epc":            func(e *Event) { e.EPCList = append(e.EPCList, "https://id.gs1.org/01/00614141111114/21/988") },
		"action":               func(e *Event) { e.Action = ActionAdd },
		"bizStep":              func(e *Event) { e.BizStep = "shipping" },
		"bizTransaction type":  func(e *Event) { e.BizTransactionList[0].Type = "inv" },
		"extension value":      func(e *Event) { e.Extensions[0].Value = "CD-35" },
		"extension namespace":  func(e *Event) { e.Extensions[0].Space = "https://ns.example.org/" },
		"readPoint extension":  func(e *Event) { e.ReadPoint.Extensions = nil },
		"source becomes dest.": func(e *Event) { e.SourceList, e.DestinationList = e.DestinationList, e.SourceList },
		"ilmd present, empty":  func(e *Event) { e.ILMD = &Extensions{} },
	}
	for name, edit := range edits {
		e := hashReference3(t)
		edit(e)
		if Hash(e) == want {
			t.Errorf("%s: hash unchanged", name)
		}
	}
}

func TestPreHashValues(t *testing.T) {
	cases := []struct {
		name string
		e    *Event
		want string
	}{
		{"timestamp rounding half up",
			&Event{Type: ObjectEvent, EventTime: hashMustTime(t, "2023-01-18T11:04:03.1415Z")},
			"eventType=ObjectEventeventTime=2023-01-18T11:04:03.142Z"},
		{"timestamp rounding down",
			&Event{Type: ObjectEvent, EventTime: hashMustTime(t, "2023-01-18T11:04:03.1414999Z")},
			"eventType=ObjectEventeventTime=2023-01-18T11:04:03.141Z"},
		{"timestamp carry into the next day",
			&Event{Type: ObjectEvent, EventTime: hashMustTime(t, "2023-12-31T23:59:59.9995Z")},
			"eventType=ObjectEventeventTime=2024-01-01T00:00:00.000Z"},
		{"timestamp zero fill and UTC",
			&Event{Type: ObjectEvent, EventTime: hashMustTime(t, "2019-10-21T14:58:56+02:00")},
			"eventType=ObjectEventeventTime=2019-10-21T12:58:56.000Z"},
		{"numbers",
			&Event{Type: ObjectEvent, QuantityList: []QuantityElement{{EPCClass: "x:1", Quantity: hashF64(150.0)}},
				SensorElementList: []SensorElement{{Reports: []SensorReport{{Value: hashF64(0.18), MinValue: hashF64(-0.0000125), MaxValue: hashF64(1e21)}}}}},
			"eventType=ObjectEventquantityListquantityElementepcClass=x:1quantity=150" +
				"sensorElementListsensorElementsensorReportvalue=0.18minValue=-1.25e-05maxValue=1000000000000000000000"},
		{"certificationInfo sorted, no list name",
			&Event{Type: ObjectEvent, CertificationInfo: []string{"https://b.example/", "https://a.example/"}},
			"eventType=ObjectEventcertificationInfo=https://a.example/certificationInfo=https://b.example/"},
		{"CBV URNs outside the four vocabularies stay",
			&Event{Type: ObjectEvent, BizTransactionList: []BizTransaction{{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:epcglobal:cbv:bt:0614141073467:1152"}}},
			"eventType=ObjectEventbizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:epcglobal:cbv:bt:0614141073467:1152"},
		{"component and boolean",
			&Event{Type: ObjectEvent, SensorElementList: []SensorElement{{Reports: []SensorReport{
				{Type: "https://gs1.org/voc/Angle", Component: "latitude"},
				{Type: "https://gs1.org/voc/AT-Alarm_condition", BooleanValue: hashBoolPtr(true)}}}}},
			"eventType=ObjectEventsensorElementListsensorElement" +
				"sensorReporttype=https://gs1.org/voc/AT-Alarm_conditionbooleanValue=true" +
				"sensorReporttype=https://gs1.org/voc/Anglecomponent=https://ref.gs1.org/cbv/Comp-latitude"},
		{"ilmd before extensions, empty ilmd written",
			&Event{Type: ObjectEvent, ILMD: &Extensions{}, Extensions: Extensions{{Space: hashExNS, Local: "z", Value: "1"}}},
			"eventType=ObjectEventilmd{https://ns.example.com/epcis/}z=1"},
		{"trailer sorted: ilmd between destinationList and sourceList",
			&Event{Type: ObjectEvent,
				ILMD:            &Extensions{{Space: "urn:epcglobal:cbv:mda", Local: "lotNumber", Value: "L1"}},
				SourceList:      []SourceDest{{Type: "location", Value: "https://id.gs1.org/414/9506000134352"}},
				DestinationList: []SourceDest{{Type: "location", Value: "https://id.gs1.org/414/9506000000005"}}},
			"eventType=ObjectEvent" +
				"destinationListtype=https://ref.gs1.org/cbv/SDT-locationdestination=https://id.gs1.org/414/9506000000005" +
				"ilmd{urn:epcglobal:cbv:mda}lotNumber=L1" +
				"sourceListtype=https://ref.gs1.org/cbv/SDT-locationsource=https://id.gs1.org/414/9506000134352"},
		{"JSON array extension and nested object",
			&Event{Type: ObjectEvent, Extensions: Extensions{
				{Space: hashExNS, Local: "l", Kind: KindList, Children: []Node{
					{Space: hashExNS, Local: "l", Value: "3", Kind: KindNumber},
					{Space: hashExNS, Local: "l", Value: "1", Kind: KindNumber}}},
				{Space: hashExNS, Local: "o", Kind: KindObject, Children: []Node{
					{Space: hashExNS, Local: "q", Value: "urn:epcglobal:cbv:disp:in_transit"},
					{Local: "p", Value: "gs1:Temperature"}}},
				{Space: hashExNS, Local: "n", Kind: KindNull},
			}},
			"eventType=ObjectEvent{https://ns.example.com/epcis/}l=1{https://ns.example.com/epcis/}l=3" +
				"{https://ns.example.com/epcis/}n" +
				"{https://ns.example.com/epcis/}op=https://gs1.org/voc/Temperature{https://ns.example.com/epcis/}q=https://ref.gs1.org/cbv/Disp-in_transit"},
		{"vocabulary values written with a prefix are hashed as written",
			&Event{Type: ObjectEvent, BizStep: "https://ns.example.com/epcis/quarantining",
				SensorElementList: []SensorElement{{Reports: []SensorReport{
					{Type: "https://ns.example.com/epcis/someSensorProperty", StringValue: "a"},
					{Type: "https://gs1.org/voc/Speed", Component: "https://ns.example.com/epcis/x"},
					{Type: "https://ns.example.org/other/full", Exception: "https://gs1.org/voc/ALARM_CONDITION"}}}},
				VocabPrefixes: map[string]string{"example": "https://ns.example.com/epcis/", "ex": "https://ns.example.com/"}},
			"eventType=ObjectEventbizStep=example:quarantining" +
				"sensorElementListsensorElement" +
				"sensorReporttype=example:someSensorPropertystringValue=a" +
				"sensorReporttype=https://gs1.org/voc/Speedcomponent=example:x" +
				"sensorReporttype=https://ns.example.org/other/fullexception=https://gs1.org/voc/ALARM_CONDITION"},
		{"XML attributes of an extension element, xsi skipped",
			&Event{Type: ObjectEvent, Extensions: Extensions{{Space: "https://ns.example2.com/epcis", Local: "furtherData",
				Attrs: []Attr{{Space: "https://ns.example2.com/epcis", Local: "workingShift", Value: "1"},
					{Space: "http://www.w3.org/2001/XMLSchema-instance", Local: "type", Value: "xsd:string"},
					{Space: "https://ns.example2.com/epcis", Local: "assemblyLine", Value: "2"}}}}},
			"eventType=ObjectEvent{https://ns.example2.com/epcis}furtherData" +
				"{https://ns.example2.com/epcis}assemblyLine=2{https://ns.example2.com/epcis}workingShift=1"},
		{"extensions inline in readPoint and sensor elements",
			&Event{Type: ObjectEvent,
				ReadPoint: &Location{ID: "https://id.gs1.org/414/9506000134352", Extensions: Extensions{{Space: hashExNS, Local: "gs1ES", Value: "(414)9506000134352"}}},
				SensorElementList: []SensorElement{{
					Metadata:   &SensorMetadata{StartTime: hashMustTime(t, "2019-04-01T15:00:00+01:00"), Extensions: Extensions{{Space: hashExNS, Local: "m", Value: "x"}}},
					Reports:    []SensorReport{{Type: "https://gs1.org/voc/Temperature", Extensions: Extensions{{Space: hashExNS, Local: "cv", Value: "123"}}}},
					Extensions: Extensions{{Space: hashExNS, Local: "s", Value: "abc"}},
				}}},
			"eventType=ObjectEventreadPointid=https://id.gs1.org/414/9506000134352{https://ns.example.com/epcis/}gs1ES=(414)9506000134352" +
				"sensorElementListsensorElementsensorMetadatastartTime=2019-04-01T14:00:00.000Z{https://ns.example.com/epcis/}m=x" +
				"sensorReporttype=https://gs1.org/voc/Temperature{https://ns.example.com/epcis/}cv=123{https://ns.example.com/epcis/}s=abc"},
		{"leftover extensions go to the trailer under their path",
			&Event{Type: ObjectEvent,
				ReadPoint: &Location{ID: "https://id.gs1.org/414/9506000134352", Extensions: Extensions{{Space: "https://ns.example.com/noslash", Local: "x", Value: "1"}}},
				SensorElementList: []SensorElement{{Reports: []SensorReport{{Type: "https://gs1.org/voc/Temperature", UOM: "CEL",
					BizRules: "https://example.org/253/4012345000054987"}}}},
				Extensions: Extensions{{Space: hashExNS, Local: "z", Value: "1"}}},
			"eventType=ObjectEventreadPointid=https://id.gs1.org/414/9506000134352" +
				"sensorElementListsensorElementsensorReporttype=https://gs1.org/voc/Temperatureuom=CEL" +
				"readPoint{https://ns.example.com/noslash}x=1" +
				"sensorElementListsensorElementsensorReportbizRules=https://id.gs1.org/253/4012345000054987" +
				"{https://ns.example.com/epcis/}z=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PreHash(c.e); got != c.want {
				t.Errorf("%s", hashDiffReport(got, c.want))
			}
		})
	}
}

func TestAppendNumber(t *testing.T) {
	cases := map[string]string{
		"0": "0", "1": "1", "1.0": "1", "26.000": "26", "0.18": "0.18", "1.50": "1.5", "0012": "12",
		"+5": "5", "-0": "0", "-0.0": "0", "-12.10": "-12.1", ".5": "0.5", "5.": "5", "1_000": "1000",
		"0.0001": "0.0001", "0.00001": "1e-05", "1.5E-7": "1.5e-07", "1200e-2": "12", "1e3": "1000",
		"1e23": "99999999999999991611392", "1e-400": "0", "123.5": "123.5", "0.987": "0.987",
		// Follow the vectors: float() rounds long digit strings (SensorDataExamples.xml).
		"111100001111000011110000": "111100001111000003641344",
	}
	for in, want := range cases {
		got, ok := appendHashNumber(nil, in)
		if !ok || string(got) != want {
			t.Errorf("appendHashNumber(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "+", "-", ".", "e5", "1e", "1e+", "1_", "_1", "1__0", "1._5", "1.2.3",
		"0x10", "nan", "inf", "Infinity", "12a", "+01:00", "2019-10-21", "1 2", "1e400", "٣"} {
		if got, ok := appendHashNumber(nil, in); ok {
			t.Errorf("appendHashNumber(%q) = %q, want not a number", in, got)
		}
	}
	floats := map[float64]string{26: "26", 0.18: "0.18", -0.0000125: "-1.25e-05", 1e21: "1000000000000000000000",
		0.0001: "0.0001", 12.1: "12.1", 4.5e15 + 0.5: "4500000000000000.5"}
	for in, want := range floats {
		if got := string(appendPyFloat(nil, in)); got != want {
			t.Errorf("appendPyFloat(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestHashConcurrent(t *testing.T) {
	a, b := hashBenchEvent(t), hashReference3(t)
	wa, wb := Hash(a), Hash(b)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if Hash(a) != wa || Hash(b) != wb {
					t.Error("hash changed under concurrent use")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestHashAllocs(t *testing.T) {
	if hashPoolDrops() {
		t.Skip("sync.Pool drops items in this mode (race detector)")
	}
	e := hashBenchEvent(t)
	Hash(e)
	if n := testing.AllocsPerRun(100, func() { Hash(e) }); n > 1 {
		t.Errorf("Hash allocates %v times per event, want ≤ 1", n)
	}
}

// hashPoolDrops reports whether sync.Pool randomly drops what is put in it, as it does under
// the race detector; allocation counts mean nothing then.
func hashPoolDrops() bool {
	var p sync.Pool
	for i := 0; i < 64; i++ {
		x := new(int)
		p.Put(x)
		if p.Get() != x {
			return true
		}
	}
	return false
}

// hashBenchEvent is a typical event: 1265 bytes as JSON (AppendEventJSON), 1267 bytes of pre-hash.
func hashBenchEvent(t testing.TB) *Event {
	return &Event{
		Type:                ObjectEvent,
		EventID:             "urn:uuid:5b8b0b5e-6f1a-4d9c-9a47-6d1f8b3a2c11",
		EventTime:           hashMustTime(t, "2024-03-01T08:15:30.250+08:00"),
		EventTimeZoneOffset: "+08:00",
		EPCList: []string{
			"https://id.gs1.org/01/09506000134352/21/A1001", "https://id.gs1.org/01/09506000134352/21/A1003",
			"https://id.gs1.org/01/09506000134352/21/A1002", "https://id.gs1.org/01/09506000134352/21/A1004",
		},
		Action:      ActionObserve,
		BizStep:     "shipping",
		Disposition: "in_transit",
		ReadPoint:   &Location{ID: "https://id.gs1.org/414/9506000134352/254/7"},
		BizLocation: &Location{ID: "https://id.gs1.org/414/9506000134352"},
		BizTransactionList: []BizTransaction{
			{Type: "po", Value: "urn:epcglobal:cbv:bt:9506000134352:PO-2024-0117"},
			{Type: "desadv", Value: "urn:epcglobal:cbv:bt:9506000134352:ASN-88121"},
		},
		SourceList:      []SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/9506000134352"}},
		DestinationList: []SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/9506000000005"}},
		SensorElementList: []SensorElement{{
			Metadata: &SensorMetadata{Time: hashMustTime(t, "2024-03-01T08:15:00+08:00"), DeviceID: "https://id.gs1.org/8004/9506000134352T1"},
			Reports: []SensorReport{
				{Type: "https://gs1.org/voc/Temperature", Value: hashF64(4.5), UOM: "CEL"},
				{Type: "https://gs1.org/voc/RelativeHumidity", Value: hashF64(61), UOM: "A93"},
			},
		}},
		Extensions: Extensions{
			{Space: "https://zhuisu.example/ns/", Local: "batchNote", Value: "冷链 2-8°C"},
			{Space: "https://zhuisu.example/ns/", Local: "operator", Value: "W-0042"},
		},
	}
}

func BenchmarkHash(b *testing.B) {
	e := hashBenchEvent(b)

	b.SetBytes(int64(len(PreHash(e))))
	b.ReportAllocs()
	for b.Loop() {
		Hash(e)
	}
}

// ---- conformance vectors (need $ZHUISU_CONFORMANCE) ----

// hashVectorDecoders maps a test document's file extension to the codec that reads it.
var hashVectorDecoders = map[string]func(io.Reader, Limits) (*Document, error){
	".jsonld": DecodeJSON,
	".json":   DecodeJSON,
	".xml":    DecodeXML,
}

type hashVectorFile struct {
	File      string   `json:"file"`
	Events    int      `json:"events"`
	Hashes    []string `json:"hashes"`
	Prehashes []string `json:"prehashes"`
	AllEqual  *bool    `json:"all_equal"`
}

// knownHashMismatches are vectors ("file#event") that fail for a reason outside hash.go,
// with that reason. They are logged, not failed; a vector that starts to match is reported.
var knownHashMismatches = map[string]string{}

// hashCodesStub reports whether codes.HashForm is still the placeholder that returns its input.
func hashCodesStub() bool {
	const urn = "urn:epc:id:sgtin:0614141.107346.2017"
	return codes.HashForm(urn) == urn
}

// TestHashVectors runs the reference implementation's vectors through the decoders:
// per event the pre-hash string and the hash must match; in tests/expected_equal/* every
// event of a file must hash alike.
func TestHashVectors(t *testing.T) {
	root := os.Getenv("ZHUISU_CONFORMANCE")
	if root == "" {
		t.Skip("ZHUISU_CONFORMANCE not set")
	}
	if len(hashVectorDecoders) == 0 {
		t.Skip("no decoders wired yet")
	}
	dir := filepath.Join(root, "event-hash")
	raw, err := os.ReadFile(filepath.Join(dir, "derived", "hash_vectors_refimpl.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vf struct {
		Files []hashVectorFile `json:"files"`
	}
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	stub := hashCodesStub()
	var total, match, identDep, ignoreDep, reorderDep, knownCount, withIdent int
	var failures []string
	for _, f := range vf.Files {
		path := filepath.Join(dir, f.File)
		dec := hashVectorDecoders[strings.ToLower(filepath.Ext(path))]
		if dec == nil {
			t.Errorf("%s: no decoder", f.File)
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := dec(bytes.NewReader(src), DefaultLimits)
		reordered := false
		for tries := 0; err != nil && tries < 64; tries++ {
			// The reference's documents put some XML elements out of the XSD's order on
			// purpose (the hash must not care); DecodeXML rejects that. Move the element
			// the decoder names and retry, so that the hash itself is still exercised.
			fixed, ok := moveOutOfOrderXML(src, err)
			if !ok {
				break
			}
			src, reordered = fixed, true
			doc, err = dec(bytes.NewReader(src), DefaultLimits)
		}
		total += len(f.Hashes)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: decode: %v", f.File, err))
			continue
		}
		if len(doc.Events) != len(f.Hashes) {
			failures = append(failures, fmt.Sprintf("%s: %d events decoded, %d expected", f.File, len(doc.Events), len(f.Hashes)))
			continue
		}
		ignore := refImplIgnoreFields(t, path, src, doc)
		var hashes []string
		for i, e := range doc.Events {
			tag := ""
			if reordered {
				tag = " [elements reordered for DecodeXML]"
				reorderDep++
			}
			if len(ignore) > 0 {
				e = withoutHashExts(e, ignore)
				tag = " [ignoreFields emulated by the test]"
				ignoreDep++
			}
			pre, h := PreHash(e), Hash(e)
			hashes = append(hashes, h)
			id := needsHashForm(e, f.Prehashes[i])
			if id != "" {
				withIdent++
			}
			known := knownHashMismatches[fmt.Sprintf("%s#%d", filepath.Base(f.File), i+1)]
			if pre == f.Prehashes[i] && h == f.Hashes[i] {
				match++
				if known != "" {
					t.Logf("%s event %d now matches: drop it from knownHashMismatches", f.File, i+1)
				}
				continue
			}
			if known != "" {
				knownCount++
				t.Logf("known mismatch, %s: %s event %d: %s", known, f.File, i+1, hashDiffReport(pre, f.Prehashes[i]))
				continue
			}
			if id != "" && stub {
				identDep++
				tag += " [needs codes.HashForm: " + id + "]"
			}
			failures = append(failures, fmt.Sprintf("%s event %d%s: %s", f.File, i+1, tag, hashDiffReport(pre, f.Prehashes[i])))
		}
		if f.AllEqual != nil && *f.AllEqual {
			for i := range hashes {
				if hashes[i] != hashes[0] {
					failures = append(failures, fmt.Sprintf("%s: event %d hashes unlike event 1 (expected_equal)", f.File, i+1))
				}
			}
		}
	}
	t.Logf("event hash: %d/%d vectors match (%d known mismatches outside package epcis' hash; codes.HashForm stub: %v; %d with ignoreFields emulated by the test, %d from documents reordered for DecodeXML)",
		match, total, knownCount, stub, ignoreDep, reorderDep)
	t.Logf("%d of the vectors hold identifiers (EPC URNs, non-canonical Digital Links) that only codes.HashForm rewrites", withIdent)
	if identDep > 0 {
		t.Logf("%d mismatching vectors hold identifiers that codes.HashForm must rewrite", identDep)
	}
	for _, s := range failures {
		t.Error(s)
	}
}

// needsHashForm returns an identifier of e (EPC URN or Digital Link) that the expected
// pre-hash does not contain verbatim, i.e. one that codes.HashForm has to rewrite.
func needsHashForm(e *Event, want string) string {
	found := ""
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if found != "" {
			return
		}
		switch v.Kind() {
		case reflect.String:
			s := strings.TrimSpace(v.String())
			if (strings.HasPrefix(s, "urn:epc:") || strings.HasPrefix(s, "http")) && !strings.Contains(want, s) {
				found = s
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		}
	}
	c := *e
	c.EventID, c.ErrorDeclaration = "", nil
	walk(reflect.ValueOf(&c))
	return found
}

type hashXName struct{ space, local string }

// ignoreFields reads the reference implementation's document-level ignoreFields list
// (namespace https://repository-x.example.com/), a feature of that implementation only,
// not of CBV 2.0. The model has no place for it, so the test applies it itself.
func refImplIgnoreFields(t *testing.T, path string, src []byte, doc *Document) []hashXName {
	var out []hashXName
	if strings.HasSuffix(path, ".xml") {
		d := xml.NewDecoder(bytes.NewReader(src))
		depth, in := 0, -1
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				depth++
				if tok.Name.Local == "ignoreFields" {
					in = depth
				} else if in > 0 && depth == in+1 {
					out = append(out, hashXName{tok.Name.Space, tok.Name.Local})
				}
			case xml.EndElement:
				if depth == in {
					in = -1
				}
				depth--
			}
		}
		return out
	}
	var v any
	if err := json.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	var curies []string
	var find func(v any)
	find = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if strings.HasSuffix(k, ":ignoreFields") {
					if l, ok := x.([]any); ok {
						for _, c := range l {
							if s, ok := c.(string); ok {
								curies = append(curies, s)
							}
						}
					}
					continue
				}
				find(x)
			}
		case []any:
			for _, x := range v {
				find(x)
			}
		}
	}
	find(v)
	for _, c := range curies {
		p, local, ok := strings.Cut(c, ":")
		if !ok {
			continue
		}
		if ns, ok := doc.Namespaces[p]; ok {
			out = append(out, hashXName{ns, local})
		} else {
			t.Logf("%s: ignoreFields prefix %q not in Document.Namespaces", path, p)
		}
	}
	return out
}

func withoutHashExts(e *Event, drop []hashXName) *Event {
	c := *e
	c.Extensions = nil
	for _, x := range e.Extensions {
		keep := true
		for _, d := range drop {
			if x.Space == d.space && x.Local == d.local {
				keep = false
			}
		}
		if keep {
			c.Extensions = append(c.Extensions, x)
		}
	}
	return &c
}

var hashOutOfOrderRE = regexp.MustCompile(`line (\d+): \S*/\w+\[(\d+)\]/(\w+): <\w+> is out of order: the EPCIS 2\.0 schema requires it before <(\w+)>`)

// moveOutOfOrderXML reads a DecodeXML "is out of order" error and moves the element it names in
// front of the sibling it names. It reports false when err is not such an error.
func moveOutOfOrderXML(src []byte, err error) ([]byte, bool) {
	m := hashOutOfOrderRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil, false
	}
	line, _ := strconv.Atoi(m[1])
	evIndex, _ := strconv.Atoi(m[2])
	x, y := m[3], m[4]
	type child struct {
		local  string
		lo, hi int64
	}
	d := xml.NewDecoder(bytes.NewReader(src))
	var stack []string
	events := 0
	evDepth := -1
	var kids []child
	var cur *child
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			switch {
			case evDepth < 0 && slices.Contains(EventTypes, EventType(tok.Name.Local)) && len(stack) > 1 &&
				(stack[len(stack)-2] == "EventList" || stack[len(stack)-2] == "extension"):
				events++
				if events == evIndex {
					evDepth = len(stack)
				}
			case evDepth > 0 && len(stack) == evDepth+1:
				kids = append(kids, child{local: tok.Name.Local, lo: off})
				cur = &kids[len(kids)-1]
			}
		case xml.EndElement:
			if evDepth > 0 && len(stack) == evDepth+1 && cur != nil {
				cur.hi = d.InputOffset()
				cur = nil
			}
			if len(stack) == evDepth {
				yi := -1
				for i, k := range kids {
					if k.local == y {
						yi = i
					}
					if k.local == x && yi >= 0 && bytes.Count(src[:k.lo], []byte("\n"))+1 == line {
						a, b, c := kids[yi].lo, k.lo, k.hi
						out := make([]byte, 0, len(src))
						out = append(out, src[:a]...)
						out = append(out, src[b:c]...)
						out = append(out, src[a:b]...)
						return append(out, src[c:]...), true
					}
				}
				return nil, false
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// TestHashExampleCorpus compares with what the reference implementation outputs for the
// EPCIS example corpus. Not normative (see the caveat in the file): it only logs.
func TestHashExampleCorpus(t *testing.T) {
	root := os.Getenv("ZHUISU_CONFORMANCE")
	if root == "" {
		t.Skip("ZHUISU_CONFORMANCE not set")
	}
	dir := filepath.Join(root, "event-hash", "derived")
	raw, err := os.ReadFile(filepath.Join(dir, "hash_of_example_corpus.json"))
	if err != nil {
		t.Skip(err)
	}
	var vf struct {
		Files []struct {
			File      string   `json:"file"`
			Hashes    []string `json:"hashes"`
			Prehashes []string `json:"prehashes"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	detail := os.Getenv("ZHUISU_HASH_DETAIL") != "" // per-event differences
	var total, match, undecodable int
	for _, f := range vf.Files {
		if len(f.Hashes) == 0 {
			continue
		}
		path := filepath.Join(root, "event-hash", f.File)
		dec := hashVectorDecoders[strings.ToLower(filepath.Ext(path))]
		src, err := os.ReadFile(path)
		if dec == nil || err != nil {
			continue
		}
		total += len(f.Hashes)
		doc, err := dec(bytes.NewReader(src), DefaultLimits)
		if err != nil || len(doc.Events) != len(f.Hashes) {
			undecodable += len(f.Hashes)
			if detail {
				t.Logf("%s: not compared: %v", f.File, err)
			}
			continue
		}
		for i, e := range doc.Events {
			if Hash(e) == f.Hashes[i] {
				match++
			} else if detail {
				t.Logf("%s event %d: %s", f.File, i+1, hashDiffReport(PreHash(e), f.Prehashes[i]))
			}
		}
	}
	t.Logf("example corpus (informational): %d/%d events hash as the reference does; %d in documents our decoders reject", match, total, undecodable)

	// gs1-EPCIS XML/WithEventHashID: seven representations (six XML, one JSON) of what is
	// meant to be one event; #2 really differs (eventTimeZoneOffset). The reference gives 4
	// hashes (xsi:type attributes, JSON booleans as True, an unexpanded CURIE).
	files, _ := filepath.Glob(filepath.Join(root, "epcis", "gs1-EPCIS", "XML", "WithEventHashID", "event_with_identical_hash_id_*"))
	distinct := map[string][]string{}
	for _, path := range files {
		dec := hashVectorDecoders[strings.ToLower(filepath.Ext(path))]
		src, err := os.ReadFile(path)
		if dec == nil || err != nil {
			continue
		}
		doc, err := dec(bytes.NewReader(src), DefaultLimits)
		if err != nil || len(doc.Events) != 1 {
			t.Logf("%s: not compared: %v", filepath.Base(path), err)
			continue
		}
		h := Hash(doc.Events[0])
		distinct[h] = append(distinct[h], strings.TrimPrefix(filepath.Base(path), "event_with_identical_hash_id_"))
	}
	if len(files) > 0 {
		t.Logf("WithEventHashID: %d files give %d distinct hashes: %v", len(files), len(distinct), distinct)
	}
}
