package epcis

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// checkStoredHasher compares the StoredHasher with the general path (DecodeEventJSON, then
// Hash) on doc: where the scanner accepts doc, it must build the event DecodeEventJSON
// builds; the direct path (which Sum takes) must accept exactly what the scanner accepts
// and write the pre-hash PreHash writes for the decoded event, byte for byte; and Sum must
// fail exactly where DecodeEventJSON fails and otherwise give Hash's digest. It reports
// whether the scanner read doc itself.
func checkStoredHasher(t testing.TB, s *StoredHasher, doc []byte) bool {
	t.Helper()
	full, err := DecodeEventJSON(doc)
	scanned, ok := s.scan(doc)
	if ok {
		if err != nil {
			t.Fatalf("the scanner accepts what DecodeEventJSON refuses (%v):\n%s", err, doc)
		}
		if !reflect.DeepEqual(scanned, full) {
			t.Fatalf("the scanner reads a different event:\nscanned %+v\ndecoded %+v\nfrom %s", scanned, full, doc)
		}
	}
	pre, direct := s.direct(doc)
	if direct != ok {
		t.Fatalf("the direct path accepts %v, the scanner %v:\n%s", direct, ok, doc)
	}
	if direct {
		if want := PreHash(full); string(pre) != want {
			t.Fatalf("the direct path writes a different pre-hash:\n%s", hashDiffReport(string(pre), want))
		}
	}
	sum, serr := s.Sum(doc)
	if (serr == nil) != (err == nil) {
		t.Fatalf("Sum error %v, DecodeEventJSON error %v:\n%s", serr, err, doc)
	}
	if err == nil {
		want := Hash(full)
		if got := "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"; got != want {
			t.Fatalf("Sum gives %s, Hash gives %s\npre-hash %s\nfrom %s", got, want, PreHash(full), doc)
		}
	}
	return ok
}

// storedSamples are stored forms the scanner must read itself: what AppendEventJSON writes
// for events of every type with the fields the scanner knows.
func storedSamples(t testing.TB) [][]byte {
	t.Helper()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("", 8*3600))
	rec := time.Date(2026, 3, 1, 4, 0, 1, 584180239, time.UTC)
	ns := "https://zhuisu.example/ns/"
	ilmd := Extensions{
		{Space: ns, Prefix: "zs", Local: "lot", Value: "L26030001"},
		{Space: ns, Prefix: "zs", Local: "productName", Value: "福建红茶"},
		{Space: ns, Prefix: "zs", Local: "netWeightKg", Kind: KindNumber, Value: "12.5"},
	}
	empty := Extensions{}
	evs := []*Event{
		{Type: ObjectEvent, EventTime: at, RecordTime: rec, EventTimeZoneOffset: "+08:00", EventID: "urn:uuid:5a1b0000-0000-4000-8000-000000000001",
			CertificationInfo: []string{"https://cert.example.gov.cn/hegezheng/350922-000001"}, Action: ActionAdd, BizStep: "commissioning", Disposition: "active",
			ReadPoint: &Location{ID: "https://id.gs1.org/414/6923456000018"}, BizLocation: &Location{ID: "https://id.gs1.org/414/6923456000018"},
			QuantityList: []QuantityElement{{EPCClass: "https://id.gs1.org/01/06923456001015/10/L26030001", Quantity: codecF64(320), UOM: "KGM"}},
			ILMD:         &ilmd},
		{Type: ObjectEvent, EventTime: at, EventTimeZoneOffset: "+08:00", EPCList: []string{"https://id.gs1.org/01/06941234500015/21/A1'B2", "urn:epc:id:sgtin:0614141.107346.2017"},
			Action: ActionObserve, BizStep: "https://ns.example.com/step/custom", Disposition: "in_transit",
			BizTransactionList: []BizTransaction{{Type: "po", Value: "urn:epcglobal:cbv:bt:6945678000003:PO0-1"}, {Value: "http://transaction.acme.com/po/12345678"}},
			SourceList:         []SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/6923456000001"}, {Type: "location", Value: "https://id.gs1.org/414/6923456000018"}},
			DestinationList:    []SourceDest{{Type: "https://ns.example.com/sdt/carrier", Value: "https://id.gs1.org/417/6945678000003"}},
			Extensions: Extensions{
				{Space: ns, Prefix: "zs", Local: "inspection", Kind: KindObject, Children: []Node{
					{Space: ns, Prefix: "zs", Local: "certificate", Value: "QC-350922-00000001"},
					{Local: "plain", Value: "合格"}}},
				{Space: ns, Prefix: "zs", Local: "counts", Kind: KindList, Children: []Node{
					{Space: ns, Prefix: "zs", Local: "counts", Kind: KindNumber, Value: "1e3"},
					{Space: ns, Prefix: "zs", Local: "counts", Kind: KindBool, Value: "false"},
					{Space: ns, Prefix: "zs", Local: "counts", Kind: KindNull}}},
				{Space: ns, Prefix: "zs", Local: "none", Kind: KindObject},
			}},
		{Type: AggregationEvent, EventTime: at, EventTimeZoneOffset: "+08:00", ParentID: "https://id.gs1.org/00/369456780000000011",
			ChildEPCs:         []string{"https://id.gs1.org/01/06945678002342/21/000100", "https://id.gs1.org/01/06945678002342/21/000101"},
			ChildQuantityList: []QuantityElement{{EPCClass: "https://id.gs1.org/01/06945678002342/10/B1"}, {EPCClass: "urn:epc:class:lgtin:4012345.012345.998877", Quantity: codecF64(0.18), UOM: "KGM"}},
			Action:            ActionAdd, BizStep: "packing"},
		{Type: TransformationEvent, EventTime: at, RecordTime: rec, EventTimeZoneOffset: "+08:00",
			CertificationInfo:  []string{"https://cert.example.gov.cn/a", "https://cert.example.gov.cn/b"},
			InputQuantityList:  []QuantityElement{{EPCClass: "https://id.gs1.org/01/06923456001015/10/L26030001", Quantity: codecF64(-1.5e-7), UOM: "KGM"}},
			InputEPCList:       []string{"https://id.gs1.org/01/06923456001015/21/9"},
			OutputEPCList:      []string{"https://id.gs1.org/01/06945678002342/21/000100", "https://id.gs1.org/01/06945678002342/21/000101"},
			OutputQuantityList: []QuantityElement{{EPCClass: "https://id.gs1.org/01/06945678002342/10/B1", Quantity: codecF64(1e22)}},
			TransformationID:   "urn:uuid:5a1b0000-0000-4000-8000-000000000001", BizStep: "commissioning", Disposition: "active",
			ILMD: &empty},
		{Type: TransactionEvent, EventTime: at, EventTimeZoneOffset: "+08:00", ParentID: "https://id.gs1.org/00/369456780000000011",
			EPCList: []string{"https://id.gs1.org/01/06945678002342/21/000100"}, Action: ActionDelete,
			BizTransactionList: []BizTransaction{{Type: "inv", Value: "urn:epcglobal:cbv:bt:6945678000003:INV-1"}}},
		{Type: AssociationEvent, EventTime: at, EventTimeZoneOffset: "+08:00", ParentID: "urn:epc:id:grai:4012345.55555.987",
			ChildEPCs: []string{"urn:epc:id:giai:4000001.12345"}, Action: ActionAdd, BizStep: "assembling",
			ReadPoint: &Location{ID: "urn:epc:id:sgln:4012345.00001.0"}},
	}
	var docs [][]byte
	for _, e := range evs {
		docs = append(docs, AppendEventJSON(nil, e))
	}
	return docs
}

func TestStoredHasherReadsTheStoredFormItself(t *testing.T) {
	s := NewStoredHasher()
	for i, doc := range storedSamples(t) {
		if !checkStoredHasher(t, s, doc) {
			t.Errorf("sample %d took the general path:\n%s", i, doc)
		}
	}
	if s.Scanned == 0 || s.General != 0 {
		t.Fatalf("counted %d scanned, %d general", s.Scanned, s.General)
	}
}

// TestStoredHasherLeavesTheRestToTheGeneralPath feeds documents just outside the form the
// scanner knows, readable or not: each must go the general way and still agree with it.
func TestStoredHasherLeavesTheRestToTheGeneralPath(t *testing.T) {
	base := string(storedSamples(t)[0])
	rich := string(AppendEventJSON(nil, richEvent()))
	cases := []struct {
		name, doc string
		readable  bool
	}{
		{"whitespace", strings.Replace(base, `"type":`, `"type": `, 1), true},
		{"trailing_whitespace", base + "\n", true},
		{"escape_in_string", strings.Replace(base, `"zs:lot":"L26030001"`, `"zs:lot":"L2603\\u0030001"`, 1), true},
		{"repeated_field", strings.Replace(base, `"action":"ADD"`, `"action":"ADD","action":"OBSERVE"`, 1), true},
		{"context_not_first", `{"type":"ObjectEvent","@context":{"zs":"https://zhuisu.example/ns/"},"eventTime":"2026-03-01T12:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD","zs:x":"1"}`, true},
		{"undeclared_prefix", strings.Replace(base, `"zs:lot"`, `"gs1:lot"`, 1), true},
		{"prefixed_vocabulary", strings.Replace(base, `"bizStep":"commissioning"`, `"bizStep":"zs:quarantining"`, 1), true},
		{"location_extension", strings.Replace(base, `"readPoint":{"id":"https://id.gs1.org/414/6923456000018"}`, `"readPoint":{"id":"https://id.gs1.org/414/6923456000018","zs:door":3}`, 1), true},
		{"value_object", strings.Replace(base, `"zs:lot":"L26030001"`, `"zs:lot":{"@value":"L26030001"}`, 1), true},
		{"rich_event", rich, true},
		{"unknown_type", strings.Replace(base, `"ObjectEvent"`, `"ThingEvent"`, 1), true},
		{"field_of_another_type", strings.Replace(base, `"action":"ADD"`, `"action":"ADD","childEPCs":[]`, 1), false},
		{"unprefixed_field", strings.Replace(base, `"action":"ADD"`, `"action":"ADD","colour":"red"`, 1), false},
		{"not_a_uri", strings.Replace(base, `"https://cert.example.gov.cn/hegezheng/350922-000001"`, `"not a uri"`, 1), false},
		{"bad_time", strings.Replace(base, `"2026-03-01T12:00:00+08:00"`, `"2026-02-30T12:00:00+08:00"`, 1), false},
		{"number_out_of_range", strings.Replace(base, `"quantity":320`, `"quantity":1e999`, 1), false},
		{"quantity_without_class", strings.Replace(base, `{"epcClass":"https://id.gs1.org/01/06923456001015/10/L26030001",`, `{`, 1), false},
		{"empty_vocabulary", strings.Replace(base, `"disposition":"active"`, `"disposition":""`, 1), false},
		{"invalid_utf8", strings.Replace(base, "福", "\xff", 1), false},
		{"truncated", base[:len(base)-1], false},
		{"data_after", base + "{}", false},
		{"no_type", strings.Replace(base, `"type":"ObjectEvent",`, ``, 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.doc == base {
				t.Fatal("the case changes nothing")
			}
			s := NewStoredHasher()
			if checkStoredHasher(t, s, []byte(c.doc)) {
				t.Fatalf("the scanner read it itself:\n%s", c.doc)
			}
			if _, err := DecodeEventJSON([]byte(c.doc)); (err == nil) != c.readable {
				t.Fatalf("DecodeEventJSON error %v, want readable %v", err, c.readable)
			}
			if c.readable && s.General != 1 {
				t.Fatalf("counted %d general", s.General)
			}
		})
	}
}

// TestStoredHasherAgreesOnReferenceEvents runs every event of the example corpus the hash
// vectors come from through the stored form.
func TestStoredHasherAgreesOnReferenceEvents(t *testing.T) {
	s := NewStoredHasher()
	n := 0
	for _, e := range []*Event{richEvent(), hashReference3(t)} {
		checkStoredHasher(t, s, AppendEventJSON(nil, e))
		n++
	}
	if n == 0 || s.Scanned+s.General != int64(n) {
		t.Fatalf("checked %d events, counted %d", n, s.Scanned+s.General)
	}
}

// TestStoredHasherRecallsOnlyTheSameValue runs events whose locations, parties, EPC and
// quantity lists recur (under the same and other names, whole and as the start of a longer
// value) through one StoredHasher, in both orders: each must still hash as the general path
// hashes it, and the values remembered must have been recalled.
func TestStoredHasherRecallsOnlyTheSameValue(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("", 8*3600))
	a, b, c := "https://id.gs1.org/01/06945678002342/21/000100", "https://id.gs1.org/01/06945678002342/21/000101", "urn:epc:id:sgtin:0614141.107346.2017"
	lot := "https://id.gs1.org/01/06923456001015/10/L26030001"
	here := &Location{ID: "https://id.gs1.org/414/6923456000018"}
	there := &Location{ID: "https://id.gs1.org/414/6923456000018/254/dock-3"}
	party := []SourceDest{{Type: "owning_party", Value: "https://id.gs1.org/417/6923456000001"}}
	parties := []SourceDest{party[0], {Type: "location", Value: "https://id.gs1.org/414/6923456000018"}}
	q := []QuantityElement{{EPCClass: lot, Quantity: codecF64(320), UOM: "KGM"}}
	qq := []QuantityElement{q[0], {EPCClass: lot, Quantity: codecF64(3)}}
	evs := []*Event{
		{Type: ObjectEvent, EventTime: at, EventTimeZoneOffset: "+08:00", EPCList: []string{a, b}, Action: ActionObserve,
			ReadPoint: here, BizLocation: here, SourceList: party, DestinationList: parties, QuantityList: q},
		{Type: AggregationEvent, EventTime: at, EventTimeZoneOffset: "+08:00", ParentID: c, ChildEPCs: []string{a, b}, Action: ActionAdd,
			ReadPoint: there, BizLocation: here, ChildQuantityList: q},
		{Type: TransformationEvent, EventTime: at.Add(time.Hour), EventTimeZoneOffset: "+08:00", InputEPCList: []string{a, b, c},
			OutputEPCList: []string{a}, InputQuantityList: qq, OutputQuantityList: q, ReadPoint: here},
		{Type: ObjectEvent, EventTime: at, EventTimeZoneOffset: "+08:00", EPCList: []string{a, b}, Action: ActionObserve,
			ReadPoint: here, BizLocation: there, SourceList: parties, DestinationList: party, QuantityList: qq},
		{Type: TransactionEvent, EventTime: at, EventTimeZoneOffset: "+08:00", EPCList: []string{b}, Action: ActionAdd,
			BizTransactionList: []BizTransaction{{Type: "po", Value: "urn:epcglobal:cbv:bt:6945678000003:PO0-1"}}, SourceList: party, DestinationList: party},
	}
	var many []string // a list too long to remember
	for i := range 200 {
		many = append(many, fmt.Sprintf("https://id.gs1.org/01/06945678002342/21/%06d", i))
	}
	evs = append(evs, &Event{Type: ObjectEvent, EventTime: at, EventTimeZoneOffset: "+08:00", EPCList: many, Action: ActionObserve})
	var docs [][]byte
	for _, e := range evs {
		docs = append(docs, AppendEventJSON(nil, e))
	}
	for _, order := range []string{"forward", "backward"} {
		s := NewStoredHasher()
		for i := range docs {
			if order == "backward" {
				i = len(docs) - 1 - i
			}
			if !checkStoredHasher(t, s, docs[i]) {
				t.Fatalf("%s: event %d took the general path:\n%s", order, i, docs[i])
			}
			// Twice: the second time every value is recalled.
			checkStoredHasher(t, s, docs[i])
		}
		for field, raw := range map[int]string{recentEPCs: `["` + a + `","` + b + `"]`, recentReadPoint: `{"id":"` + here.ID + `"}`,
			recentQuantities: `[{"epcClass":"` + lot + `","quantity":320,"uom":"KGM"}]`} {
			if _, _, ok := s.recent[field].find(raw + ","); !ok {
				t.Errorf("%s: %s is not remembered", order, raw)
			}
		}
		if _, _, ok := s.recent[recentEPCs].find(`["` + strings.Join(many, `","`) + `"]`); ok {
			t.Errorf("%s: a list of %d EPCs is remembered", order, len(many))
		}
	}
}

func FuzzStoredHasher(f *testing.F) {
	for _, doc := range storedSamples(f) {
		f.Add(doc)
	}
	f.Add(AppendEventJSON(nil, richEvent()))
	f.Add([]byte(`{"type":"ObjectEvent","eventTime":"2026-03-01T12:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.2017"],"action":"OBSERVE"}`))
	s := NewStoredHasher()
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkStoredHasher(t, s, doc)
	})
}

func BenchmarkStoredHasher(b *testing.B) {
	docs := storedSamples(b)
	for _, path := range []string{"general", "stored"} {
		b.Run(path, func(b *testing.B) {
			s := NewStoredHasher()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				doc := docs[i%len(docs)]
				i++
				if path == "stored" {
					if _, err := s.Sum(doc); err != nil {
						b.Fatal(err)
					}
					continue
				}
				e, err := DecodeEventJSON(doc)
				if err != nil || Hash(e) == "" {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestShortcutsAgreeWithWhatTheyShortcut checks the two shortcuts of the stored-form path
// against the functions they stand for: absURI against isAbsURI, and hashFormDL (an
// identifier already in hash form) against the hash form itself.
func TestShortcutsAgreeWithWhatTheyShortcut(t *testing.T) {
	inForm := []string{
		"https://id.gs1.org/01/06923456001015",
		"https://id.gs1.org/01/06923456001015/21/000100",
		"https://id.gs1.org/01/06923456001015/10/L26030001",
		"https://id.gs1.org/01/06923456001015/21/a-b.c_D9",
		"https://id.gs1.org/00/369456780000000011",
		"https://id.gs1.org/414/6923456000018",
		"https://id.gs1.org/414/6941234500008/254/dock-3",
		"https://id.gs1.org/417/6923456000001",
	}
	notInForm := []string{
		"https://id.gs1.org/01/6923456001015",                           // 13 digits: padded
		"https://id.gs1.org/01/06923456001015/10/L1/21/7",               // two qualifiers: one kept
		"https://id.gs1.org/01/06923456001015/21/A~B",                   // ~ left to the parser
		"https://id.gs1.org/01/06923456001015/21/A%2FB",                 // an escape
		"https://id.gs1.org/01/06923456001015/22/X",                     // not a hash qualifier
		"https://id.gs1.org/01/06923456001015/21/",                      // empty value
		"https://id.gs1.org/01/06923456001015/21/123456789012345678901", // too long
		"https://id.gs1.org/417/6923456000001/254/x",                    // 254 is 414's
		"https://example.com/01/06923456001015",
		"HTTPS://ID.GS1.ORG/01/06923456001015",
		"https://id.gs1.org/8004/0614141123452",
		"urn:epc:id:sgtin:0614141.107346.2017",
	}
	for _, v := range inForm {
		if !hashFormDL(v) {
			t.Errorf("hashFormDL(%q) = false, want true", v)
		}
		if f := hashIdentifier(v); f != v {
			t.Errorf("the hash form of %q is %q: the test's sample is wrong", v, f)
		}
	}
	for _, v := range notInForm {
		if hashFormDL(v) {
			t.Errorf("hashFormDL(%q) = true, want false", v)
		}
	}
	// Certificate and document URIs are left as they are; anything with a path segment
	// that could be an AI or a convenience name, or a %27, goes through the hash form.
	for _, c := range []struct {
		v    string
		sure bool
	}{
		{"https://cert.example.gov.cn/hegezheng/350922-000001", true},
		{"http://transaction.acme.com/po/12345678", false},
		{"https://example.com/gtin/09520123456788", false},
		{"https://example.com/shop/01/09520123456788", false},
		{"https://id.gs1.org/01/09520123456788", false},
		{"https://cert.example.gov.cn/a%27b/350922-000001", false},
		{"HTTPS://cert.example.gov.cn/hegezheng/350922", false},
		{"https://example.com", true},
	} {
		if got := notDigitalLink(c.v); got != c.sure {
			t.Errorf("notDigitalLink(%q) = %v, want %v", c.v, got, c.sure)
		}
		if c.sure && hashIdentifier(c.v) != c.v {
			t.Errorf("%q has the hash form %q: the test's sample is wrong", c.v, hashIdentifier(c.v))
		}
	}
	for _, v := range append(append(inForm, notInForm...), "", ":", "a:", "a:b", "1a:b", "a b:c", "ab:c d", "ab:%zz", "ab:%4", "ab:%41x",
		"ab:c\x7f", "ab:é", "ab:c|d", "ab:{x}", "a+b-c.d:x", "a_b:x", "ab:c\"d", "ab:c\\d", "ab:^", "ab:`", "ab:<>") {
		if absURI(v) != isAbsURI(v) {
			t.Errorf("absURI(%q) = %v, isAbsURI %v", v, absURI(v), isAbsURI(v))
		}
	}
}

func FuzzShortcuts(f *testing.F) {
	f.Add("https://id.gs1.org/01/06923456001015/21/000100")
	f.Add("https://id.gs1.org/414/6941234500008/254/dock-3")
	f.Add("ab:%41x")
	f.Add("https://cert.example.gov.cn/hegezheng/350922-000001")
	f.Add("https://example.com/gtin/09520123456788")
	f.Add("http://shop.example/p/01/09520123456788/21/x%27y")
	f.Fuzz(func(t *testing.T, v string) {
		if absURI(v) != isAbsURI(v) {
			t.Fatalf("absURI(%q) = %v, isAbsURI %v", v, absURI(v), isAbsURI(v))
		}
		if hashFormDL(v) {
			if f := hashIdentifier(v); f != v {
				t.Fatalf("hashFormDL(%q) is true, but its hash form is %q", v, f)
			}
			if !absURI(v) {
				t.Fatalf("hashFormDL(%q) is true, but it is not a URI", v)
			}
		}
		if notDigitalLink(v) {
			if f := hashIdentifier(v); f != v {
				t.Fatalf("notDigitalLink(%q) is true, but its hash form is %q", v, f)
			}
		}
	})
}

// TestStoredHasherAgreesOnTheHashCorpus writes every event of the event-hash reference
// documents in the stored form and hashes it both ways: the corpus holds identifiers of
// every kind (EPC URNs, Digital Links in many spellings), which the stored-form path
// canonicalises through its own shortcut and memory.
func TestStoredHasherAgreesOnTheHashCorpus(t *testing.T) {
	root := os.Getenv("ZHUISU_CONFORMANCE")
	if root == "" {
		t.Skip("ZHUISU_CONFORMANCE not set")
	}
	var paths []string
	err := filepath.WalkDir(filepath.Join(root, "event-hash"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := NewStoredHasher()
	n := 0
	for _, path := range paths {
		dec := hashVectorDecoders[strings.ToLower(filepath.Ext(path))]
		if dec == nil {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := dec(bytes.NewReader(src), Limits{MaxEvents: 10000, MaxDepth: 32, AnyXMLOrder: true})
		if err != nil {
			continue // documents the decoders refuse on purpose
		}
		for _, e := range doc.Events {
			checkStoredHasher(t, s, AppendEventJSON(nil, e))
			n++
		}
	}
	if n < 100 {
		t.Fatalf("only %d events in the corpus at %s", n, root)
	}
	t.Logf("%d events: %d read by the scanner, %d by the general decoder", n, s.Scanned, s.General)
}
