package public

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"

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
	// Identifiers are every identifier the event names (identifiersOf), each once.
	Identifiers []string
}

// FactsOf works out an event's facts.
func FactsOf(e *epcis.Event) *Facts {
	f := &Facts{Time: e.EventTime, Stage: stageOf(e), Ended: endOf(e), EventID: e.EventID, MasterData: e.ILMD != nil,
		Producer: scrubText(ilmd(e, "producer")), Processor: scrubText(ilmd(e, "processor")),
		Product: scrubText(ilmd(e, "productName"))}
	// Each identifier once, in the order named: a packing event names the class of each
	// of its items again.
	seen := map[string]bool{}
	for _, id := range identifiersOf(e) {
		if !seen[id] {
			seen[id] = true
			f.Identifiers = append(f.Identifiers, id)
		}
	}
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
// out again from the event. Change it whenever what FactsOf gives or the encoding
// changes — the human forms of codes included —: the integrity badge compares the
// stored facts of the record it proves with the facts worked out again, and would fail
// on every record stored before. TestFactsOfVersion1AreAsPinned pins what this version
// gives.
const factsVersion = 1

// EncodeFacts is the stored form of an event's facts.
func EncodeFacts(e *epcis.Event) []byte { return FactsOf(e).Append(nil) }

// Append appends the stored form of f to b: the version, the time as Unix seconds,
// nanoseconds and its zone's offset, then each string with its length, lists with their counts.
func (f *Facts) Append(b []byte) []byte {
	b = append(b, factsVersion)
	// Seconds and nanoseconds apart: Unix nanoseconds hold only the years 1678 to 2262,
	// and an event may say any year.
	b = binary.AppendVarint(b, f.Time.Unix())
	b = binary.AppendUvarint(b, uint64(f.Time.Nanosecond()))
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
	secs, nanos, offset := r.varint(), r.uvarint(), r.varint()
	if nanos >= 1e9 || offset <= -86400 || offset >= 86400 {
		return nil, false // not a time an event can give, nor one its view can write
	}
	zone := time.UTC
	if offset != 0 {
		zone = fixedZone(int(offset))
	}
	f.Time = time.Unix(secs, int64(nanos)).In(zone)
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

// FactsCheck is what CheckFacts found.
type FactsCheck struct {
	Checked int64 // events whose stored facts were compared
	Without int64 // events stored without facts, or with facts of another version
	// Problem names the first event whose stored facts are not its record's; empty when
	// all are.
	Problem string
}

// CheckFacts works out the facts of every stored event again and compares them with the
// facts stored beside it. The log's entries commit to the records, not to the facts; a
// page proves the record it shows with its facts checked, but shows the other records of
// a chain from their stored facts, so `zhuisu verify -facts` checks them all.
func CheckFacts(ctx context.Context, st store.Store, workers int) (*FactsCheck, error) {
	out := &FactsCheck{}
	workers = max(workers, 1)
	for from := int64(0); ; {
		rows, err := st.EventDocs(ctx, from, 4096)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return out, nil
		}
		bad := make([]string, len(rows))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(rows); i += workers {
					r := rows[i]
					if _, ok := ParseFacts(r.Facts); !ok {
						continue
					}
					f, err := decodeFacts(r)
					if err != nil {
						bad[i] = zhuisu.ErrorMessage(err)
					} else if string(f.Append(nil)) != string(r.Facts) {
						bad[i] = fmt.Sprintf("event %d: its stored facts are not the facts of its record", r.Seq)
					}
				}
			}()
		}
		wg.Wait()
		for i, r := range rows {
			if bad[i] != "" {
				out.Problem = bad[i]
				return out, nil
			}
			if _, ok := ParseFacts(r.Facts); ok {
				out.Checked++
			} else {
				out.Without++
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		from = rows[len(rows)-1].Seq + 1
	}
}
