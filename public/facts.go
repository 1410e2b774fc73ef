package public

import (
	"encoding/binary"
	"time"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
)

// Facts are what a public view takes from one event: its allowlisted fields, already in
// the form the view shows. Capture stores them beside the event (store.Event.Public),
// since an event never changes once stored: a lookup then reads a few hundred bytes an
// event and decodes no EPCIS document, where decoding the documents of a chain cost more
// than the rest of assembling its view. Events stored before facts were kept, or under
// an older format, are read whole and their facts worked out again (FactsOf).
type Facts struct {
	Time    time.Time
	Stage   string // see Stage
	Ended   string // what the event says of a unit's life (endOf)
	EventID string
	// Place is the business location's human form, else the read point's.
	Place string
	// MasterData says the event carries lot master data (ILMD): only then does it date
	// the goods by its stage.
	MasterData bool
	// Producer, Processor and Product are the lot master data's names, scrubbed; Region
	// is the name of its origin region; Lot its lot number unless it looks personal.
	Producer, Processor, Product, Region, Lot string
	// Dates are the lot master data's best-before and expiry dates.
	Dates        []Date
	Certificates []Certificate
	// Identifiers are every identifier the event names (identifiersOf).
	Identifiers []string
}

// FactsOf works out an event's facts.
func FactsOf(e *epcis.Event) *Facts {
	f := &Facts{Time: e.EventTime, Stage: stageOf(e), Ended: endOf(e), EventID: e.EventID, MasterData: e.ILMD != nil,
		Producer: scrubText(ilmd(e, "producer")), Processor: scrubText(ilmd(e, "processor")),
		Product: scrubText(ilmd(e, "productName")), Identifiers: identifiersOf(e)}
	if e.BizLocation != nil {
		f.Place = humanOf(e.BizLocation.ID)
	} else if e.ReadPoint != nil {
		f.Place = humanOf(e.ReadPoint.ID)
	}
	if r := ilmd(e, "originRegion"); r != "" {
		f.Region, _ = codes.RegionName(r)
	}
	if l := ilmd(e, "lot"); !personalRun(l) {
		f.Lot = l
	}
	for _, d := range []struct{ local, kind string }{{"bestBefore", "bestBefore"}, {"bestBeforeDate", "bestBefore"},
		{"expiryDate", "expiry"}, {"itemExpirationDate", "expiry"}} {
		if s := ilmd(e, d.local); s != "" {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				f.Dates = append(f.Dates, Date{Kind: d.kind, Date: t.Format(time.DateOnly)})
			}
		}
	}
	for _, ci := range e.CertificationInfo {
		if cert, ok := certificateOf(ci); ok {
			f.Certificates = append(f.Certificates, cert)
		}
	}
	return f
}

// factsVersion is the first byte of stored facts; facts of another version are worked
// out again from the event. Change it whenever FactsOf or the encoding changes.
const factsVersion = 1

// EncodeFacts is the stored form of an event's facts.
func EncodeFacts(e *epcis.Event) []byte { return FactsOf(e).Append(nil) }

// Append appends the stored form of f to b: the version, the time as Unix nanoseconds
// and its zone's offset, then each string with its length, lists with their counts.
func (f *Facts) Append(b []byte) []byte {
	b = append(b, factsVersion)
	b = binary.AppendVarint(b, f.Time.UnixNano())
	_, offset := f.Time.Zone()
	b = binary.AppendVarint(b, int64(offset))
	if f.MasterData {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, s := range []string{f.Stage, f.Ended, f.EventID, f.Place, f.Producer, f.Processor, f.Product, f.Region, f.Lot} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Dates)))
	for _, d := range f.Dates {
		b = appendString(appendString(b, d.Kind), d.Date)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Certificates)))
	for _, c := range f.Certificates {
		b = appendString(appendString(b, c.Kind), c.URL)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Identifiers)))
	for _, id := range f.Identifiers {
		b = appendString(b, id)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// ParseFacts reads stored facts; ok is false for facts of another version or damaged
// ones, which the caller works out again from the event.
func ParseFacts(b []byte) (f *Facts, ok bool) {
	if len(b) == 0 || b[0] != factsVersion {
		return nil, false
	}
	r := factsReader{s: string(b[1:])} // one copy; every string below is a part of it
	f = &Facts{}
	nanos, offset := r.varint(), r.varint()
	zone := time.UTC
	if offset != 0 {
		zone = fixedZone(int(offset))
	}
	f.Time = time.Unix(0, nanos).In(zone)
	f.MasterData = r.uvarint() == 1
	for _, p := range []*string{&f.Stage, &f.Ended, &f.EventID, &f.Place, &f.Producer, &f.Processor, &f.Product, &f.Region, &f.Lot} {
		*p = r.str()
	}
	if n := r.count(); n > 0 {
		f.Dates = make([]Date, n)
		for i := range f.Dates {
			f.Dates[i] = Date{Kind: r.str(), Date: r.str()}
		}
	}
	if n := r.count(); n > 0 {
		f.Certificates = make([]Certificate, n)
		for i := range f.Certificates {
			f.Certificates[i] = Certificate{Kind: r.str(), URL: r.str()}
		}
	}
	if n := r.count(); n > 0 {
		f.Identifiers = make([]string, n)
		for i := range f.Identifiers {
			f.Identifiers[i] = r.str()
		}
	}
	if r.bad || r.s != "" {
		return nil, false
	}
	return f, true
}

// factsReader reads the stored form; a read past its end sets bad.
type factsReader struct {
	s   string
	bad bool
}

func (r *factsReader) uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if r.s == "" {
			r.bad = true
			return 0
		}
		c := r.s[0]
		r.s = r.s[1:]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.bad = true
	return 0
}

func (r *factsReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// count reads a list's length, which cannot exceed the bytes left.
func (r *factsReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *factsReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.bad = true
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// fixedZone returns a shared zone for an offset: events of one node mostly carry one.
func fixedZone(offset int) *time.Location {
	if offset == 8*3600 {
		return chinaTime
	}
	return time.FixedZone("", offset)
}
