package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// RegistryStore keeps the registry of subjects (enterprises and other organisations):
// what they are, the locations and GS1 company prefixes they own, their licences and the
// history of their status. The registry service decides what may be registered and which
// status changes are allowed; a store keeps rows and refuses duplicates.
type RegistryStore interface {
	// CreateSubject stores a new subject with its licences, locations, prefixes and
	// first history entry. EConflict when the USCC is registered already, or when one of
	// its locations or prefixes belongs to a subject already; nothing is stored then.
	CreateSubject(ctx context.Context, s *Subject) error
	// Subject returns a subject with its licences, locations, prefixes and history.
	Subject(ctx context.Context, uscc string) (*Subject, error)
	// Subjects lists subjects by USCC (without history), filtered by f.
	Subjects(ctx context.Context, f *SubjectFilter) ([]*Subject, error)
	// ChangeSubjectStatus moves a subject from c.From to c.To and appends c to its
	// history, in one transaction: EConflict when the stored status is no longer c.From
	// (another change came first), ENotFound when there is no such subject.
	ChangeSubjectStatus(ctx context.Context, uscc string, c *StatusChange) error
	// LocationOwner returns the USCC of the subject owning a location (canonical URI);
	// ENotFound when nobody owns it.
	LocationOwner(ctx context.Context, location string) (string, error)
	// PrefixOwner returns the USCC of the subject owning a GS1 company prefix, or one
	// that overlaps it (either is the start of the other: every key under the longer is
	// under both), and that prefix.
	PrefixOwner(ctx context.Context, prefix string) (owner, owned string, err error)

	// TokenByID finds a token, revoked or not (revoking one checks whose it is first).
	TokenByID(ctx context.Context, id string) (*Token, error)
}

// SubjectStatus is where a subject stands in the filing (备案) workflow.
type SubjectStatus string

const (
	SubjectSubmitted SubjectStatus = "submitted"
	SubjectApproved  SubjectStatus = "approved"
	SubjectSuspended SubjectStatus = "suspended"
	SubjectRevoked   SubjectStatus = "revoked"
)

// Subject is a registered enterprise or organisation.
type Subject struct {
	USCC      string // unified social credit code, upper case
	Name      string
	Region    string // GB/T 2260 code
	Roles     []string
	Sectors   []string
	Licences  []Licence
	Locations []string // canonical URIs (GS1 Digital Link)
	Prefixes  []string // GS1 company prefixes
	Status    SubjectStatus
	CreatedAt time.Time
	UpdatedAt time.Time
	// History is every status change, oldest first; the first entry is the submission.
	History []StatusChange
}

// Licence is a permit a subject holds (a food business licence, a pesticide dealing
// licence ...). Zero times mean "not stated".
type Licence struct {
	Number    string    `json:"number"`
	Kind      string    `json:"kind"`
	ValidFrom time.Time `json:"validFrom,omitzero"`
	ValidTo   time.Time `json:"validTo,omitzero"`
}

// StatusChange is one step of a subject's workflow.
type StatusChange struct {
	From   SubjectStatus `json:"from"` // empty for the submission
	To     SubjectStatus `json:"to"`
	Reason string        `json:"reason,omitempty"`
	Actor  string        `json:"actor"`
	At     time.Time     `json:"at"`
}

// SubjectFilter selects subjects; empty fields do not filter.
type SubjectFilter struct {
	// RegionPrefix selects subjects whose region code starts with it (the registry
	// service turns a region scope into the prefix and checks the exact containment).
	RegionPrefix string
	Sector       string
	Status       SubjectStatus
	After        string // USCC after which a page continues
	Limit        int
}

// PersonStore keeps natural persons, sealed: a store never sees a name or an ID number
// in clear, only the ciphertext and a keyed hash for lookup.
type PersonStore interface {
	// CreatePerson stores a person; EConflict when the ref or the lookup hash exists.
	CreatePerson(ctx context.Context, p *Person) error
	// PersonByLookup finds a person by the keyed hash of their ID number.
	PersonByLookup(ctx context.Context, lookup []byte) (*Person, error)
	// PersonByRef finds a person by pseudonymous reference.
	PersonByRef(ctx context.Context, ref string) (*Person, error)
}

// Person is a natural person as stored.
type Person struct {
	Ref       string // pseudonymous reference, what events carry
	Lookup    []byte // keyed hash of the normalised ID number
	Sealed    []byte // nonce and ciphertext of the personal data
	Cipher    string // "aes-256-gcm" or "sm4-gcm"
	KeyID     string // which key sealed it
	CreatedBy string // the subject (USCC) or role that registered the person
	CreatedAt time.Time
}

// AuditStore keeps the audit log: append-only, hash-chained. A store offers no way to
// change or delete a record, and its schema refuses UPDATE and DELETE on the table.
type AuditStore interface {
	// AppendAudit appends r under the store's write lock: it sets r.Seq to the next
	// number (dense from 0), r.Prev to the previous record's hash (zero for the first)
	// and r.Hash to AuditHash(r.Prev, r).
	AppendAudit(ctx context.Context, r *AuditRecord) error
	// AuditRecords lists records matching q in Seq order.
	AuditRecords(ctx context.Context, q *AuditQuery) ([]*AuditRecord, error)
	// AuditHead returns the number of records and the hash of the last (zero when none).
	AuditHead(ctx context.Context) (int64, [32]byte, error)
}

// AuditRecord is one entry of the audit log: who did what to which object, when, with
// which result.
type AuditRecord struct {
	Seq    int64
	Time   time.Time
	Actor  string
	Action string
	Object string
	Result string
	Detail string
	Prev   [32]byte
	Hash   [32]byte
}

// AuditQuery selects audit records; empty fields do not filter. Times are an inclusive
// lower and an exclusive upper bound.
type AuditQuery struct {
	From   int64 // first Seq
	TimeGE time.Time
	TimeLT time.Time
	Actor  string
	Action string
	Limit  int
}

// AuditHash is the chained hash of an audit record: SHA-256 over a domain label, the
// previous record's hash, the record's number and time, and each text field prefixed by
// its length, so that no two different records share an encoding.
func AuditHash(prev [32]byte, r *AuditRecord) [32]byte {
	h := sha256.New()
	h.Write([]byte("zhuisu audit record v1\n"))
	h.Write(prev[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(r.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(r.Time.UnixNano()))
	h.Write(n[:])
	for _, s := range []string{r.Actor, r.Action, r.Object, r.Result, r.Detail} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// PrefixStarts lists the starts of a GS1 company prefix that are prefixes themselves (4
// digits or more), the prefix included.
func PrefixStarts(prefix string) []string {
	var out []string
	for n := 4; n <= len(prefix); n++ {
		out = append(out, prefix[:n])
	}
	return out
}
