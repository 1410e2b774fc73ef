package epcis

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/codes"
)

// canonicalID gives GS1 identifiers one spelling, as the capture service does, so that
// twins written with EPC URNs on one side and Digital Links on the other compare equal.
func canonicalID(s string) string {
	if c, err := codes.Canonical(s); err == nil {
		return c
	}
	return s
}

// TestConformanceGS1XML decodes every GS1 XML example the XSD validation marks valid,
// except master-data-only and capture-job documents, which hold no events.
func TestConformanceGS1XML(t *testing.T) {
	root := conformanceDir(t)
	inv := inventory(t, root)
	var results []validationEntry
	readJSONFile(t, filepath.Join(root, "derived", "xsd_validation.json"), &results)
	decoded, skipped := 0, 0
	for _, r := range results {
		if r.Set != "gs1-EPCIS" || !strings.HasPrefix(r.File, "XML/") || !r.Valid {
			continue
		}
		want := inv[r.Set+"/"+r.File]
		if want.Events == 0 {
			skipped++ // EPCISMasterDataDocument, EPCISCaptureJob, header-only master data
			continue
		}
		decoded++
		t.Run("decodes/"+r.File, func(t *testing.T) {
			doc, err := decodeFile(t, filepath.Join(root, r.Set, r.File))
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Events) != want.Events {
				t.Fatalf("decoded %d events, want %d", len(doc.Events), want.Events)
			}
			checkRoundTrips(t, doc.Events)
		})
	}
	if decoded != 30 || skipped != 7 {
		t.Errorf("decoded %d and skipped %d GS1 XML documents, want 30 and 7", decoded, skipped)
	}
}

// TestConformanceOpenEPCISTwins checks that the XML and JSON documents of the same name
// give the same model once the differences the two syntaxes cannot avoid are normalised:
// extension kinds (XML has only text), XML attributes on extension elements (OpenEPCIS
// writes them as JSON members), surrounding whitespace of XML text, the namespace URI
// of a prefix that the twins spell differently, and time offsets.
func TestConformanceOpenEPCISTwins(t *testing.T) {
	root := conformanceDir(t)
	base := filepath.Join(root, "openepcis-test-resources", "2.0", "EPCIS")
	files, err := os.ReadDir(filepath.Join(base, "XML", "Capture", "Documents"))
	if err != nil {
		t.Fatal(err)
	}
	pairs := 0
	for _, f := range files {
		name := strings.TrimSuffix(f.Name(), ".xml")
		jsonPath := filepath.Join(base, "JSON", "Capture", "Documents", name+".json")
		if _, err := os.Stat(jsonPath); err != nil {
			continue
		}
		_, anyOrder := xmlOrderExceptions["2.0/EPCIS/XML/Capture/Documents/"+f.Name()]
		pairs++
		t.Run("equal/"+name, func(t *testing.T) {
			var xd *Document
			if anyOrder {
				xd = decodeXMLAnyOrder(t, filepath.Join(base, "XML", "Capture", "Documents", f.Name()))
			} else {
				var err error
				if xd, err = decodeFile(t, filepath.Join(base, "XML", "Capture", "Documents", f.Name())); err != nil {
					t.Fatal(err)
				}
			}
			jd, err := decodeFile(t, jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			if len(xd.Events) != len(jd.Events) {
				t.Fatalf("XML has %d events, JSON %d", len(xd.Events), len(jd.Events))
			}
			for i := range xd.Events {
				x, j := normalizeTwin(xd.Events[i]), normalizeTwin(jd.Events[i])
				if known, ok := twinDifferences[name]; ok {
					known(x, j)
				}
				if !reflect.DeepEqual(x, j) {
					t.Errorf("event %d differs: %s", i, describeDiff(j, x))
				}
			}
		})
	}
	if pairs != 35 {
		t.Errorf("compared %d twins, want 35", pairs)
	}
}

// twinDifferences removes differences between twins that are in the corpus files
// themselves (the two documents do not say the same thing).
var twinDifferences = map[string]func(x, j *Event){
	// The XML says 2019-11-07T14:00:00.000+01:00, the JSON 2019-11-07T14:00:00Z.
	"Combination_of_different_event": func(x, j *Event) {
		if x.ErrorDeclaration != nil && j.ErrorDeclaration != nil {
			x.ErrorDeclaration.DeclarationTime = j.ErrorDeclaration.DeclarationTime
		}
	},
	// The XML carries its comments as XML comments, the JSON as rdfs:comment fields.
	"ObjectEvent_with_comment": func(x, j *Event) {
		var kept Extensions
		for _, n := range j.Extensions {
			if !(n.Prefix == "rdfs" && n.Local == "comment") {
				kept = append(kept, n)
			}
		}
		j.Extensions = kept
	},
	// The XML puts the ILMD master data in namespace http://example.com/cbvmda/ under
	// prefixes ns0..ns7; the JSON uses the standard cbvmda: namespace.
	"TransformationEvent_all_possible_fields": func(x, j *Event) {
		if x.ILMD == nil {
			return
		}
		for i := range *x.ILMD {
			if n := &(*x.ILMD)[i]; strings.HasPrefix(n.Prefix, "ns") {
				n.Prefix = "cbvmda"
			}
		}
		sort.SliceStable(*x.ILMD, func(a, b int) bool { return extNodeName(&(*x.ILMD)[a]) < extNodeName(&(*x.ILMD)[b]) })
	},
}

// normalizeTwin returns a copy of e with syntax-bound differences removed.
func normalizeTwin(e *Event) *Event {
	c := *e
	canon := func(ids []string) []string {
		if ids == nil {
			return nil
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = canonicalID(id)
		}
		return out
	}
	c.EPCList, c.ChildEPCs, c.InputEPCList, c.OutputEPCList = canon(c.EPCList), canon(c.ChildEPCs), canon(c.InputEPCList), canon(c.OutputEPCList)
	c.ParentID = canonicalID(c.ParentID)
	for _, sds := range []*[]SourceDest{&c.SourceList, &c.DestinationList} {
		if *sds == nil {
			continue
		}
		cp := append([]SourceDest(nil), *sds...)
		for i := range cp {
			cp[i].Value = canonicalID(cp[i].Value)
		}
		*sds = cp
	}
	for _, qs := range []*[]QuantityElement{&c.QuantityList, &c.ChildQuantityList, &c.InputQuantityList, &c.OutputQuantityList} {
		if *qs == nil {
			continue
		}
		cp := append([]QuantityElement(nil), *qs...)
		for i := range cp {
			cp[i].EPCClass = canonicalID(cp[i].EPCClass)
		}
		*qs = cp
	}
	utc := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.UTC()
	}
	c.EventTime, c.RecordTime = utc(c.EventTime), utc(c.RecordTime)
	if c.ErrorDeclaration != nil {
		ed := *c.ErrorDeclaration
		ed.DeclarationTime = utc(ed.DeclarationTime)
		ed.Extensions = normalizeNodes(ed.Extensions)
		c.ErrorDeclaration = &ed
	}
	for _, l := range []**Location{&c.ReadPoint, &c.BizLocation} {
		if *l != nil {
			cp := **l
			cp.ID = canonicalID(cp.ID)
			cp.Extensions = normalizeNodes(cp.Extensions)
			*l = &cp
		}
	}
	if c.ILMD != nil {
		x := normalizeNodes(*c.ILMD)
		c.ILMD = &x
	}
	c.Extensions = normalizeNodes(c.Extensions)
	if c.SensorElementList != nil {
		ses := make([]SensorElement, len(c.SensorElementList))
		for i, se := range c.SensorElementList {
			se.Extensions = normalizeNodes(se.Extensions)
			if se.Metadata != nil {
				m := *se.Metadata
				m.Time, m.StartTime, m.EndTime = utc(m.Time), utc(m.StartTime), utc(m.EndTime)
				m.Extensions = normalizeNodes(m.Extensions)
				se.Metadata = &m
			}
			rs := make([]SensorReport, len(se.Reports))
			for k, r := range se.Reports {
				r.Time = utc(r.Time)
				r.Extensions = normalizeNodes(r.Extensions)
				rs[k] = r
			}
			se.Reports = rs
			ses[i] = se
		}
		c.SensorElementList = ses
	}
	return &c
}

// normalizeNodes makes every scalar a trimmed string, turns XML attributes (other than
// xsi:) into leading members, names namespaces by prefix only, and sorts members by name
// (XML attributes have no order).
func normalizeNodes(x Extensions) Extensions {
	if len(x) == 0 {
		return nil
	}
	out := make(Extensions, 0, len(x))
	for _, n := range x {
		out = append(out, normalizeNode(n))
	}
	sort.SliceStable(out, func(a, b int) bool { return extNodeName(&out[a]) < extNodeName(&out[b]) })
	return out
}

func normalizeNode(n Node) Node {
	var attrs Extensions
	for _, a := range n.Attrs {
		if a.Space == nsXSI {
			continue
		}
		an := Node{Local: a.Local, Kind: KindString, Value: a.Value}
		if a.Space == n.Space {
			an.Prefix = n.Prefix
		}
		attrs = append(attrs, an)
	}
	n.Space = ""
	n.Attrs = nil
	switch n.Kind {
	case KindObject:
		n.Children = normalizeNodes(append(attrs, n.Children...))
	case KindList:
		items := make([]Node, len(n.Children))
		for i, c := range n.Children {
			items[i] = normalizeNode(c)
		}
		n.Children = items
	default:
		n.Value = strings.TrimSpace(n.Value)
		n.Kind = KindString
		if len(attrs) > 0 && n.Value == "" {
			n.Kind = KindObject
			n.Children = normalizeNodes(attrs)
		}
	}
	if len(n.Children) == 0 {
		n.Children = nil
	}
	return n
}

// TestEncodeXMLValidatesAgainstXSD runs xmllint, when installed, on EncodeXML output for
// every decodable corpus document.
func TestEncodeXMLValidatesAgainstXSD(t *testing.T) {
	root := conformanceDir(t)
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed")
	}
	xsd := filepath.Join(root, "gs1-EPCIS", "XSD", "EPCglobal-epcis-2_0.xsd")
	dir := t.TempDir()
	var files []string
	for _, sub := range []string{"gs1-EPCIS/JSON", "gs1-EPCIS/XML", "openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents", "openepcis-test-resources/2.0/EPCIS/XML/Capture/Documents"} {
		filepath.Walk(filepath.Join(root, sub), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !(strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonld")) {
				return nil
			}
			doc, err := decodeFile(t, p)
			if err != nil || len(doc.Events) == 0 {
				return nil
			}
			var b bytes.Buffer
			if err := EncodeXML(&b, doc.Events); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, strings.ReplaceAll(strings.TrimPrefix(p, root+"/"), "/", "_")+".xml")
			if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, out)
			return nil
		})
	}
	if len(files) < 150 {
		t.Fatalf("encoded only %d documents", len(files))
	}
	args := append([]string{"--noout", "--schema", xsd}, files...)
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint rejects EncodeXML output: %v\n%s", err, out)
	}
	t.Logf("%d EncodeXML documents validate against %s", len(files), filepath.Base(xsd))
}

// TestEncodeXMLQueryRoundTrip needs no corpus: an EPCISQueryDocument written by
// EncodeXMLQuery names the query and reads back to the same events.
func TestEncodeXMLQueryRoundTrip(t *testing.T) {
	events := []*Event{hashReference3(t), hashBenchEvent(t)}
	var b bytes.Buffer
	const name = `SimpleEventQuery <&> "q"`
	if err := EncodeXMLQuery(&b, name, events); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"`,
		"<EPCISBody>\n<epcisq:QueryResults>\n<queryName>SimpleEventQuery &lt;&amp;&gt; \"q\"</queryName>\n<resultsBody>\n<EventList>\n",
		"</EventList>\n</resultsBody>\n</epcisq:QueryResults>\n</EPCISBody>\n</epcisq:EPCISQueryDocument>\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "subscriptionID") {
		t.Errorf("output has a subscriptionID")
	}
	doc, err := DecodeXML(bytes.NewReader(b.Bytes()), Limits{})
	if err != nil {
		t.Fatalf("DecodeXML(EncodeXMLQuery): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(doc.Events, events) {
		t.Fatalf("events changed through EncodeXMLQuery/DecodeXML:\n%s", describeDiffs(events, doc.Events))
	}

	// Without events the document is still complete.
	b.Reset()
	if err := EncodeXMLQuery(&b, "SimpleEventQuery", nil); err != nil {
		t.Fatal(err)
	}
	if doc, err := DecodeXML(bytes.NewReader(b.Bytes()), Limits{}); err != nil || len(doc.Events) != 0 {
		t.Fatalf("empty query document: %v, %+v\n%s", err, doc, b.Bytes())
	}
}

// TestEncodeXMLQueryValidatesAgainstXSD writes a few corpus documents' events as
// EPCISQueryDocuments, reads them back with DecodeXML, and runs xmllint, when installed,
// with the EPCIS 2.0 query schema.
func TestEncodeXMLQueryValidatesAgainstXSD(t *testing.T) {
	root := conformanceDir(t)
	sources := []string{
		"gs1-EPCIS/XML/WithFullCombinationOfFields/object_event_all_possible_fields.xml",
		"gs1-EPCIS/XML/WithFullCombinationOfFields/transformation_event_all_possible_fields.xml",
		"gs1-EPCIS/XML/WithSensorData/SensorDataExamples.xml",
		"gs1-EPCIS/XML/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.xml",
		"openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents/Combination_of_different_event.json",
		"openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents/SensorData_and_extension.json",
	}
	dir := t.TempDir()
	var files []string
	for i, src := range sources {
		path := filepath.Join(root, src)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		doc, err := decodeFile(t, path)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if len(doc.Events) == 0 {
			t.Fatalf("%s: no events", src)
		}
		var b bytes.Buffer
		if err := EncodeXMLQuery(&b, "SimpleEventQuery", doc.Events); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeXML(bytes.NewReader(b.Bytes()), Limits{})
		if err != nil {
			t.Fatalf("%s: DecodeXML(EncodeXMLQuery): %v", src, err)
		}
		if !reflect.DeepEqual(back.Events, doc.Events) {
			t.Errorf("%s: events changed through EncodeXMLQuery/DecodeXML:\n%s", src, describeDiffs(doc.Events, back.Events))
		}
		out := filepath.Join(dir, fmt.Sprintf("query%d.xml", i))
		if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, out)
	}
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed")
	}
	xsd := filepath.Join(root, "gs1-EPCIS", "XSD", "EPCglobal-epcis-query-2_0.xsd")
	args := append([]string{"--noout", "--schema", xsd}, files...)
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint rejects EncodeXMLQuery output: %v\n%s", err, out)
	}
	t.Logf("%d EncodeXMLQuery documents validate against %s", len(files), filepath.Base(xsd))
}
