package query

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
)

func f(x float64) *float64 { return &x }

var t0 = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

// sample is a small world of events, one per feature the parameters look at.
func sample() []*epcis.Event {
	const ns = "https://ns.example.com/epcis/"
	yes := true
	ilmd := epcis.Extensions{{Space: ns, Local: "lot", Value: "L1"}, {Space: ns, Local: "weight", Kind: epcis.KindNumber, Value: "12.5"}}
	return []*epcis.Event{
		0: {Type: epcis.ObjectEvent, EventID: "e0", EventTime: t0, RecordTime: t0, Action: "ADD", BizStep: "commissioning", Disposition: "active",
			EPCList:     []string{"https://id.gs1.org/01/09521234543213/21/1", "https://id.gs1.org/01/09521234543213/21/2"},
			ReadPoint:   &epcis.Location{ID: "https://id.gs1.org/414/9521234000013"},
			BizLocation: &epcis.Location{ID: "https://id.gs1.org/414/9521234000020"},
			ILMD:        &ilmd,
			Extensions:  epcis.Extensions{{Space: ns, Local: "farm", Kind: epcis.KindObject, Children: []epcis.Node{{Space: ns, Local: "region", Value: "350102"}}}},
		},
		1: {Type: epcis.AggregationEvent, EventID: "e1", EventTime: t0.Add(time.Hour), RecordTime: t0.Add(2 * time.Hour), Action: "ADD", BizStep: "packing",
			ParentID:          "https://id.gs1.org/00/395212345000000019",
			ChildEPCs:         []string{"https://id.gs1.org/01/09521234543213/21/1"},
			ChildQuantityList: []epcis.QuantityElement{{EPCClass: "https://id.gs1.org/01/09521234543213/10/LOT1", Quantity: f(40), UOM: "KGM"}},
		},
		2: {Type: epcis.TransformationEvent, EventID: "e2", EventTime: t0.Add(2 * time.Hour), RecordTime: t0.Add(2 * time.Hour), BizStep: "https://example.com/steps/milling",
			InputEPCList:          []string{"https://id.gs1.org/01/09521234543213/21/2"},
			OutputQuantityList:    []epcis.QuantityElement{{EPCClass: "https://id.gs1.org/01/09521234000013/10/B7", Quantity: f(3)}},
			TransformationID:      "urn:uuid:3c8a9f00-0000-4000-8000-000000000001",
			PersistentDisposition: &epcis.PersistentDisposition{Set: []string{"completeness_verified"}},
		},
		3: {Type: epcis.ObjectEvent, EventID: "e3", EventTime: t0.Add(3 * time.Hour), RecordTime: t0.Add(3 * time.Hour), Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit",
			EPCList:            []string{"https://id.gs1.org/00/395212345000000019"},
			SourceList:         []epcis.SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/9521234000006"}},
			DestinationList:    []epcis.SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/9521234999997"}},
			BizTransactionList: []epcis.BizTransaction{{Type: "po", Value: "urn:epcglobal:cbv:bt:9521234000006:PO-7"}},
			SensorElementList: []epcis.SensorElement{{
				Metadata: &epcis.SensorMetadata{Time: t0.Add(3 * time.Hour), DeviceID: "urn:dev:1"},
				Reports:  []epcis.SensorReport{{Type: "https://gs1.org/voc/Temperature", Value: f(4.5), UOM: "CEL"}, {Type: "https://gs1.org/voc/Humidity", BooleanValue: &yes}},
			}},
			ErrorDeclaration: &epcis.ErrorDeclaration{DeclarationTime: t0.Add(5 * time.Hour), Reason: "incorrect_data", CorrectiveEventIDs: []string{"e9"}},
		},
	}
}

func TestParamsSelectTheRightEvents(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  []int
	}{
		{"eventType", "eventType=AggregationEvent|TransformationEvent", []int{1, 2}},
		{"GE_eventTime inclusive", "GE_eventTime=2026-05-01T10:00:00Z", []int{2, 3}},
		{"LT_eventTime exclusive", "LT_eventTime=2026-05-01T09:00:00Z", []int{0}},
		{"time zone offsets", "GE_eventTime=2026-05-01T17:00:00%2B08:00&LT_eventTime=2026-05-01T18:00:00%2B08:00", []int{1}},
		{"GE_recordTime", "GE_recordTime=2026-05-01T10:00:00Z", []int{1, 2, 3}},
		{"EQ_action", "EQ_action=ADD", []int{0, 1}},
		{"EQ_bizStep bare word", "EQ_bizStep=shipping", []int{3}},
		{"EQ_bizStep URN and web URI", "EQ_bizStep=urn:epcglobal:cbv:bizstep:packing|https://ref.gs1.org/cbv/BizStep-commissioning", []int{0, 1}},
		{"EQ_bizStep custom URI", "EQ_bizStep=https://example.com/steps/milling", []int{2}},
		{"EQ_disposition", "EQ_disposition=in_transit", []int{3}},
		{"EQ_persistentDisposition_set", "EQ_persistentDisposition_set=completeness_verified", []int{2}},
		{"EQ_readPoint canonicalises", "EQ_readPoint=urn:epc:id:sgln:9521234.00001.0", []int{0}},
		{"WD_bizLocation", "WD_bizLocation=https://id.gs1.org/414/9521234000020", []int{0}},
		{"EQ_transformationID", "EQ_transformationID=urn:uuid:3c8a9f00-0000-4000-8000-000000000001", []int{2}},
		{"MATCH_epc covers childEPCs", "MATCH_epc=https://id.gs1.org/01/09521234543213/21/1", []int{0, 1}},
		{"MATCH_epc from an EPC URN", "MATCH_epc=urn:epc:id:sgtin:9521234.054321.1", []int{0, 1}},
		{"MATCH_epc pattern", "MATCH_epc=urn:epc:idpat:sgtin:9521234.054321.*", []int{0, 1}},
		{"MATCH_parentID", "MATCH_parentID=urn:epc:id:sscc:9521234.3500000001", []int{1}},
		{"MATCH_inputEPC", "MATCH_inputEPC=https://id.gs1.org/01/09521234543213/21/2", []int{2}},
		{"MATCH_anyEPC", "MATCH_anyEPC=https://id.gs1.org/00/395212345000000019", []int{1, 3}},
		{"MATCH_epcClass", "MATCH_epcClass=https://id.gs1.org/01/09521234543213/10/LOT1", []int{1}},
		{"MATCH_outputEPCClass", "MATCH_outputEPCClass=urn:epc:class:lgtin:9521234.000001.B7", []int{2}},
		{"MATCH_anyEPCClass pattern", "MATCH_anyEPCClass=urn:epc:idpat:sgtin:9521234.054321.*", []int{1}},
		{"EQ_source typed", "EQ_source_owning_party=https://id.gs1.org/417/9521234000006", []int{3}},
		{"EQ_source wrong type", "EQ_source_possessing_party=https://id.gs1.org/417/9521234000006", nil},
		{"EQ_destination", "EQ_destination_owning_party=urn:epc:id:pgln:9521234.99999", []int{3}},
		{"EQ_bizTransaction", "EQ_bizTransaction_po=urn:epcglobal:cbv:bt:9521234000006:PO-7", []int{3}},
		{"EQ_eventID", "EQ_eventID=e1|e2", []int{1, 2}},
		{"EXISTS_errorDeclaration", "EXISTS_errorDeclaration=true", []int{3}},
		{"EQ_errorReason", "EQ_errorReason=incorrect_data", []int{3}},
		{"EQ_correctiveEventID", "EQ_correctiveEventID=e9", []int{3}},
		{"GE_errorDeclarationTime", "GE_errorDeclarationTime=2026-05-01T12:00:00Z", []int{3}},
		{"GT_quantity", "GT_quantity=3", []int{1}},
		{"LE_quantity", "LE_quantity=3", []int{2}},
		{"EQ_quantity", "EQ_quantity=40", []int{1}},
		{"sensor type", "EQ_type=Temperature", []int{3}},
		{"sensor value", "GT_value=4&LT_value=5", []int{3}},
		{"sensor boolean", "EQ_booleanValue=true", []int{3}},
		{"sensor deviceID", "EQ_deviceID=urn:dev:none", nil},
		{"sensor time", "GE_time=2026-05-01T11:00:00Z", []int{3}},
		{"extension field by IRI", "EXISTS_https://ns.example.com/epcis/farm", []int{0}},
		{"EXISTS_errorDeclaration without a value", "EXISTS_errorDeclaration", []int{3}},
		{"ILMD field by IRI", "EQ_ILMD_https://ns.example.com/epcis/lot=L1", []int{0}},
		{"ILMD numeric", "GT_ILMD_https://ns.example.com/epcis/weight=12", []int{0}},
		{"nested extension field", "EQ_INNER_https://ns.example.com/epcis/region=350102", []int{0}},
		{"top-level match does not look inside", "EQ_https://ns.example.com/epcis/region=350102", nil},
		{"conditions are ANDed", "EQ_action=ADD&EQ_bizStep=packing", []int{1}},
	}
	events := sample()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := Parse(v, nil)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tc.query, err)
			}
			var got []int
			for i, e := range events {
				if q.Matches(e) {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("%s matched %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

func TestPrefixedExtensionParamUsesGS1ExtensionsHeader(t *testing.T) {
	q, err := Parse(url.Values{"EQ_ILMD_ex:lot": {"L1"}}, map[string]string{"ex": "https://ns.example.com/epcis/"})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Matches(sample()[0]) || q.Matches(sample()[1]) {
		t.Fatal("EQ_ILMD_ex:lot with the ex prefix declared should match event 0 only")
	}
}

func TestBadParamsAreQueryParameterExceptions(t *testing.T) {
	for _, raw := range []string{
		"EQ_action=SHIPPED",
		"GE_eventTime=not-a-date",
		"orderDirection=SIDEWAYS",
		"orderBy=bizStep",
		"eventType=Thing",
		"GT_quantity=lots",
		"eventCountLimit=0",
		"eventCountLimit=5&maxEventCount=5",
		"GE_eventDate=2026-01-01T00:00:00Z",
		"MATCH_epc=urn:epc:idpat:sgtin:9521234.*.*",
		"EQ_bizStep=",
	} {
		t.Run(raw, func(t *testing.T) {
			v, _ := url.ParseQuery(raw)
			_, err := Parse(v, nil)
			var ze *zhuisu.Error
			if err == nil || !asError(err, &ze) || ze.Kind != "QueryParameterException" || ze.Field == "" {
				t.Fatalf("Parse(%s) = %v, want a QueryParameterException naming the parameter", raw, err)
			}
		})
	}
}

func asError(err error, target **zhuisu.Error) bool {
	e, ok := err.(*zhuisu.Error)
	*target = e
	return ok
}
