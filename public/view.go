package public

import (
	"bytes"
	"encoding/json"
	"sync"
	"time"
)

// View is everything the public sees of a code. Its JSON form is the resolver's
// application/json answer; every field is on the allowlist (docs/public.md).
type View struct {
	Code CodeInfo `json:"code"`
	// Found is false when no event mentions the code: the code is well formed but the
	// platform knows nothing of it.
	Found        bool          `json:"found"`
	Product      string        `json:"product,omitempty"`      // product name, as the producer gave it
	ProductClass string        `json:"productClass,omitempty"` // the GTIN, human form
	Producer     string        `json:"producer,omitempty"`     // the enterprise that produced or harvested it
	Processor    string        `json:"processor,omitempty"`    // the enterprise that processed or packed it
	Origin       string        `json:"origin,omitempty"`       // region of origin, by name
	Lot          string        `json:"lot,omitempty"`
	Dates        []Date        `json:"dates"`
	Steps        []Step        `json:"steps"`
	Certificates []Certificate `json:"certificates"`
	State        State         `json:"state"`
	Warnings     []Warning     `json:"warnings"`
	Integrity    Integrity     `json:"integrity"`
	// Identifiers are the codes the view was built from (the code, its containers, lots
	// and inputs): new events on any of them make the view stale.
	Identifiers []string  `json:"-"`
	BuiltAt     time.Time `json:"builtAt"`

	// A cached view is served many times and never changes: its JSON is made once.
	encodeOnce sync.Once
	encoded    []byte
	encodeErr  error
}

// JSON returns the view's JSON form (HTML-safe, newline-terminated), made once per view.
func (v *View) JSON() ([]byte, error) {
	v.encodeOnce.Do(func() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(true)
		v.encodeErr = enc.Encode(v)
		v.encoded = buf.Bytes()
	})
	return v.encoded, v.encodeErr
}

// CodeInfo is the code itself.
type CodeInfo struct {
	Canonical  string `json:"canonical"`
	Human      string `json:"human"`
	Scheme     string `json:"scheme"`
	SchemeName string `json:"schemeName"`
	// Kind is unit (one serialised item), lot, product (a class such as a bare GTIN),
	// container, place, party or other.
	Kind string `json:"kind"`
}

// Date is a dated fact of the product.
type Date struct {
	Kind string `json:"kind"` // produced, processed, bestBefore, expiry
	Date string `json:"date"` // YYYY-MM-DD
}

// Step is one step of the chain from source to shelf.
type Step struct {
	Time  time.Time `json:"time"`
	Stage string    `json:"stage"` // see Stages
	// Place is the location (GLN) in its human form; Region its region's name when the
	// events say.
	Place  string `json:"place,omitempty"`
	Actor  string `json:"actor,omitempty"` // an enterprise name the events give for this step
	Region string `json:"region,omitempty"`
	// Subject is which identifier of the view the step is about, human form, when it is
	// not the code itself (the lot it was made from, the pallet it travelled in).
	Subject string `json:"subject,omitempty"`
	// SubjectKind is the kind of Subject (lot, container, unit, product).
	SubjectKind  string        `json:"subjectKind,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
}

// Stages are the step names of the public timeline, in no particular order. A CBV
// business step maps to one of them (stageOf); anything else is "other".
var Stages = []string{"harvest", "production", "processing", "packing", "shipping", "receiving", "unpacking",
	"storage", "inspection", "retail", "dispensing", "consumption", "destruction", "recall", "other"}

// Certificate is a certificate an event cites: quarantine, inspection or 合格证 (the
// producer's certificate of conformity), or another kind.
type Certificate struct {
	Kind string `json:"kind"` // quarantine, inspection, conformity, other
	URL  string `json:"url"`
}

// State is where the code stands now.
type State struct {
	Recalled bool   `json:"recalled"`
	Expired  bool   `json:"expired"`
	Declared bool   `json:"declaredErroneous"` // some of its records were declared erroneous
	Ended    string `json:"ended,omitempty"`   // sold, dispensed, consumed, destroyed
	// EndedAt is when it ended.
	EndedAt time.Time `json:"endedAt,omitzero"`
}

// Warning is something the person scanning should know.
type Warning struct {
	// Kind is recall, expired, ended (a unit scanned after it was sold, dispensed,
	// consumed or destroyed), clone (scanned in many areas or far too often) or declared.
	Kind   string    `json:"kind"`
	Reason string    `json:"reason,omitempty"` // a recall's stated reason
	Since  time.Time `json:"since,omitzero"`
	// Count and Limit say, for a possible copy, what was seen against the threshold.
	Count int64 `json:"count,omitempty"`
	Limit int64 `json:"limit,omitempty"`
	Areas int64 `json:"areas,omitempty"`
}

// Integrity is the record's inclusion in the tamper-evident log, checked on the server
// against the latest signed checkpoint.
type Integrity struct {
	// Status is verified, pending (not yet in a checkpoint), failed, or none (no log,
	// or nothing to prove).
	Status    string `json:"status"`
	EventID   string `json:"eventID,omitempty"`
	LeafIndex int64  `json:"leafIndex,omitempty"`
	TreeSize  int64  `json:"treeSize,omitempty"`
	Origin    string `json:"origin,omitempty"`
	Problem   string `json:"problem,omitempty"`
}

// Proof is the public form of an event's inclusion proof: enough to check, with SHA-256
// alone, that the leaf is in the tree whose root the signed checkpoint states. It leaves
// out the stored record (which may hold fields the public view does not show): the entry
// commits to it.
type Proof struct {
	LeafIndex  int64    `json:"leafIndex"`
	Entry      string   `json:"entry"`    // base64
	LeafHash   string   `json:"leafHash"` // base64 SHA-256(0x00 || entry)
	TreeSize   int64    `json:"treeSize"`
	Root       string   `json:"rootHash"`
	Hashes     []string `json:"inclusion"` // audit path, leaf's sibling first, base64
	Checkpoint string   `json:"checkpoint"`
}
