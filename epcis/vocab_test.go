package epcis

import (
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
