package codes

import "strings"

// Symbology names the barcode family a scanner reports in its symbology identifier.
type Symbology string

// Symbologies told apart by the symbology identifiers GS1 data arrives with.
const (
	SymbologyQR         Symbology = "QR"          // ]Q1 plain data, ]Q3 GS1 data
	SymbologyDataMatrix Symbology = "DataMatrix"  // ]d1 plain data, ]d2 GS1 data
	SymbologyDotCode    Symbology = "DotCode"     // ]J0 plain data, ]J1 GS1 data
	SymbologyGS1DataBar Symbology = "GS1 DataBar" // ]e0: DataBar and composite components
	SymbologyGS1128     Symbology = "GS1-128"     // ]C1
	SymbologyEAN13      Symbology = "EAN-13"      // ]E0 (also UPC-A, UPC-E)
	SymbologyEAN8       Symbology = "EAN-8"       // ]E4
)

// ScanData is what a barcode scanner delivered, taken apart.
type ScanData struct {
	Symbology Symbology
	// Data is the message in GS1 Syntax Engine notation: GS1 AI data as an element string
	// ("^" for FNC1), plain data as given with a leading "^" escaped as "\^"; an EAN/UPC
	// primary and its composite component are joined by "|".
	Data string
	// Elements is the AI data: the GS1 element strings, the (01) of an EAN/UPC primary,
	// or the AI data of a GS1 Digital Link URI carried as plain data.
	Elements []AIElement
	// DigitalLink is set when plain data is a GS1 Digital Link URI.
	DigitalLink *DigitalLink
}

var symbologyIDs = map[string]struct {
	sym Symbology
	ai  bool
}{
	"C1": {SymbologyGS1128, true},
	"E0": {SymbologyEAN13, false},
	"E4": {SymbologyEAN8, false},
	"e0": {SymbologyGS1DataBar, true},
	"d1": {SymbologyDataMatrix, false},
	"d2": {SymbologyDataMatrix, true},
	"Q1": {SymbologyQR, false},
	"Q3": {SymbologyQR, true},
	"J0": {SymbologyDotCode, false},
	"J1": {SymbologyDotCode, true},
}

// ParseScanData reads scanner output that starts with a symbology identifier ("]C1",
// "]Q1", ...). GS1 data (the GS character 0x1D separating variable-length values) is
// validated AI by AI; an EAN/UPC primary must have a valid check digit; plain data that
// is an http(s) URI must be a valid GS1 Digital Link.
func ParseScanData(s string) (*ScanData, error) { return StrictGS1.ParseScanData(s) }

// ParseScanData reads scanner output with these options.
func (o GS1Options) ParseScanData(s string) (*ScanData, error) {
	if len(s) < 3 || s[0] != ']' {
		return nil, gs1Invalidf("scan data must start with a symbology identifier such as ]C1 or ]Q1")
	}
	id, ok := symbologyIDs[s[1:3]]
	if !ok {
		return nil, gs1Invalidf("unsupported symbology identifier %s", gs1Quote(s[:3]))
	}
	sd := &ScanData{Symbology: id.sym}
	msg := s[3:]
	var prefix string
	if id.sym == SymbologyEAN13 || id.sym == SymbologyEAN8 {
		n := 13
		if id.sym == SymbologyEAN8 {
			n = 8
		}
		if len(msg) < n {
			return nil, gs1Invalidf("%s primary data must be %d digits", id.sym, n)
		}
		primary := msg[:n]
		if len(msg) > n {
			cc, ok := strings.CutPrefix(msg[n:], "|]e0")
			if !ok {
				return nil, gs1Invalidf("%s primary data is too long", id.sym)
			}
			msg = cc
		} else {
			msg = ""
		}
		if !gs1AllDigits(primary) {
			return nil, gs1Invalidf("%s primary data must be digits only", id.sym)
		}
		if !ValidGS1CheckDigit(primary) {
			return nil, checkDigitError("GTIN", primary)
		}
		gtin, _ := NormalizeGTIN(primary)
		sd.Elements = append(sd.Elements, AIElement{AI: "01", Value: gtin})
		if len(s) == 3+n {
			sd.Data = primary
			return sd, nil
		}
		prefix = primary + "|"
		id.ai = true
	}
	if id.ai {
		if strings.IndexByte(msg, '^') >= 0 {
			return nil, gs1Invalidf("GS1 scan data contains \"^\", which is not a GS1 character")
		}
		data := "^" + strings.ReplaceAll(msg, "\x1d", "^")
		vals, err := o.parseElementString(data)
		if err != nil {
			return nil, err
		}
		if err := o.validateAssociations(vals); err != nil {
			return nil, err
		}
		sd.Data = prefix + data
		sd.Elements = append(sd.Elements, toElements(vals)...)
		return sd, nil
	}
	// Plain data: escape a leading "^" (after any backslashes) so it is not read as FNC1.
	i := 0
	for i < len(msg) && msg[i] == '\\' {
		i++
	}
	if i < len(msg) && msg[i] == '^' {
		sd.Data = "\\" + msg
	} else {
		sd.Data = msg
	}
	if dlScheme(sd.Data, o.AnyCaseScheme) > 0 {
		dl, err := o.ParseDigitalLink(sd.Data)
		if err != nil {
			return nil, err
		}
		sd.DigitalLink = dl
		sd.Elements = dl.Elements()
	}
	return sd, nil
}
