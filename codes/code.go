package codes

// Code is a trace code taken apart: which scheme it follows, its canonical URI for use
// inside events, a form for people to read, and its named parts.
type Code struct {
	Scheme     string // stable identifier, e.g. "gs1.sgtin", "cn.uscc", "cn.drug"
	SchemeName string // for people, Chinese first: "统一社会信用代码 Unified social credit code"
	Input      string // what was given
	Canonical  string // the one URI used inside events
	Human      string // the form printed under a barcode or read out
	Parts      []Part
}

// Part is one named component of a code.
type Part struct {
	Name    string // e.g. "region", "check"
	Value   string // as in the code
	Meaning string // e.g. "福建省福州市鼓楼区", or empty
}
