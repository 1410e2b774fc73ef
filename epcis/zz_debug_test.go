package epcis

import (
	"bytes"
	"os"
	"testing"
)

func TestZZDebug(t *testing.T) {
	const ns = "https://ns.example.com/epcis/"
	e1 := hashReference3(t)
	e1.Extensions = append(e1.Extensions, Node{Space: "https://other.example/ns/", Local: "note", Prefix: "example", Value: "n"})
	e2 := hashReference3(t)
	e2.BizStep = ns + "quarantining"
	e2.VocabPrefixes = map[string]string{"example": ns}
	e4 := hashReference3(t)
	e4.BizStep = "http://purl.org/dc/terms/quarantining"
	e4.VocabPrefixes = map[string]string{"dcterms": "http://purl.org/dc/terms/"}
	var b bytes.Buffer
	EncodeXML(&b, []*Event{e1, e2, e4})
	os.Stdout.Write(b.Bytes())
	b.Reset()
	EncodeJSON(&b, []*Event{e1, e2, e4})
	os.Stdout.Write(b.Bytes())
	os.Stdout.Write(AppendEventJSON(nil, e2))
}
