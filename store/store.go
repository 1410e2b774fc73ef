// Package store is the contract between the services and the databases: the records a
// store keeps and the operations it must offer, each in one transaction. Two adapters
// implement it (store/sqlite, store/postgres) with their own plain SQL, and both pass the
// one suite in store/storetest.
//
// Business rules do not live here or in the adapters: the capture and query services
// decide what to store and what matches; a store keeps, indexes and selects.
package store

import (
	"context"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

// Store is what the services need from a database. Every method takes a context and runs
// in at most one transaction.
type Store interface {
	// Capture writes one capture job and its events atomically. Events whose hash is
	// already stored (or repeated earlier in the batch) are not written again and come
	// back as duplicates. An error declaration whose original is stored marks that
	// original. Either everything of the batch is stored, or nothing is.
	Capture(ctx context.Context, b *Batch) (*CaptureResult, error)
	// FailJob records a capture job that stored nothing, with its errors.
	FailJob(ctx context.Context, job *Job) error
	Job(ctx context.Context, id string) (*Job, error)
	// Jobs lists jobs newest first, at most limit, older than beforeID when it is set.
	Jobs(ctx context.Context, beforeID string, limit int) ([]*Job, error)

	// Events selects candidate events in the query's order. The query service applies
	// the full EPCIS predicate; a store must return every event that could match and may
	// return more only where the query says so (see EventQuery).
	Events(ctx context.Context, q *EventQuery) ([]*Event, error)
	// EventFacts returns the facts stored with the events seqs (Event.Facts), in seq
	// order, for those that exist, are not declared erroneous and declare nothing;
	// Facts is nil for an event stored without them.
	EventFacts(ctx context.Context, seqs []int64) ([]EventFacts, error)
	// Event finds an event by its eventID.
	Event(ctx context.Context, eventID string) (*Event, error)
	// Distinct lists distinct values of a field (FieldBizStep, ...) in ascending order,
	// greater than after, at most limit.
	Distinct(ctx context.Context, field Field, after string, limit int) ([]string, error)
	// CountEvents counts stored events (declarations included).
	CountEvents(ctx context.Context) (int64, error)

	// CreateToken stores an API token by the hash of its secret.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash finds an unrevoked token.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// CountTokens counts all tokens, revoked or not (first-start detection).
	CountTokens(ctx context.Context) (int64, error)

	// Named queries (the EPCIS /queries resource).
	CreateQuery(ctx context.Context, q *NamedQuery) error
	Query(ctx context.Context, name string) (*NamedQuery, error)
	Queries(ctx context.Context) ([]*NamedQuery, error)
	DeleteQuery(ctx context.Context, name string) error

	LogStore
	CodeStore
	RecallStore
	RegistryStore
	PersonStore
	AuditStore
	AccountStore
	ScanStore

	// SchemaVersion returns the applied and the expected schema version.
	SchemaVersion(ctx context.Context) (have, want int, err error)
	// Migrate applies every pending migration.
	Migrate(ctx context.Context) error
	Ping(ctx context.Context) error
	Close() error
}

// EventFacts are an event's stored facts (Event.Facts).
type EventFacts struct {
	Seq   int64
	Facts []byte
}

// Event is an event as stored: the decoded event plus what the platform adds.
type Event struct {
	// Seq is the store's sequence number, dense from 0 in capture order: the event's
	// leaf index in the tamper-evident log.
	Seq  int64
	Hash [32]byte // SHA-256 of the CBV pre-hash
	// Entry is the event's entry in the tamper-evident log (see entry.go): it commits to
	// the hash, the stored document, the subject and the declaration link.
	Entry [32]byte
	// Event is the EPCIS event. Its RecordTime is set; EventID is always set.
	Event *epcis.Event
	// Doc is Event as stored (epcis.AppendEventJSON). Adapters write Doc and return it on
	// reads, leaving Event nil there: the services decode.
	Doc []byte
	// Facts is what the public view takes from the event (package public), worked out
	// at capture and stored beside it; nil for events stored before facts were kept.
	// Events leaves it nil; EventDocs sets it, and EventFacts reads it alone.
	Facts []byte
	// DeclarationDoc is, on reads of a declared event, the Doc of its declaration.
	DeclarationDoc []byte
	// JobID is the capture job that stored the event; Subject the responsible party.
	JobID   string
	Subject string
	// Declares is the Seq of the original event when this event is an error
	// declaration of a stored event; -1 otherwise. DeclaredBy is the reverse link.
	Declares   int64
	DeclaredBy int64
	// Keys are the index entries (identifiers, parties, documents) the event is found by.
	Keys []Key
}

// Role says in which field an indexed value stands.
type Role byte

const (
	RoleEPC            Role = 'e' // epcList
	RoleParent         Role = 'p' // parentID
	RoleChild          Role = 'c' // childEPCs
	RoleInput          Role = 'i' // inputEPCList
	RoleOutput         Role = 'o' // outputEPCList
	RoleEPCClass       Role = 'q' // quantityList epcClass
	RoleChildClass     Role = 'r' // childQuantityList epcClass
	RoleInputClass     Role = 'j' // inputQuantityList epcClass
	RoleOutputClass    Role = 'k' // outputQuantityList epcClass
	RoleSource         Role = 's' // sourceList value (Type carries the source type)
	RoleDestination    Role = 'd' // destinationList value
	RoleBizTransaction Role = 'b' // bizTransactionList value
	RoleTransformation Role = 't' // transformationID
)

// ClassRole is the role under which the class of an instance identifier standing in role
// r is indexed (the GTIN of a serialised item in epcList, say), for EPC patterns.
func ClassRole(r Role) Role { return r - 'a' + 'A' }

// Key is one index entry: a value in a role. Type qualifies sources, destinations and
// business transactions (the CBV type word or URI), empty otherwise. Stores keep only
// Key.Hash (see keys.go).
type Key struct {
	Role  Role
	Type  string
	Value string
}

// Field names a single-valued event column.
type Field string

const (
	FieldBizStep     Field = "biz_step"
	FieldBizLocation Field = "biz_location"
	FieldReadPoint   Field = "read_point"
	FieldDisposition Field = "disposition"
	FieldEventType   Field = "event_type"
)

// Batch is one capture job with the events it brings, in document order, already
// validated, normalised and hashed by the capture service.
type Batch struct {
	Job    *Job
	Events []*Event
}

// CaptureResult says what became of each event of a batch, in batch order.
type CaptureResult struct {
	Stored     int
	Duplicates int
	// Seqs[i] is the Seq of batch event i: newly assigned, or the stored one for a
	// duplicate. Duplicate[i] tells which.
	Seqs      []int64
	Duplicate []bool
}

// JobState is the state of a capture job.
type JobState string

const (
	JobRunning JobState = "RUNNING"
	JobSuccess JobState = "SUCCESS"
	JobFailed  JobState = "FAILED"
)

// Job is a capture job (EPCIS /capture/{captureID}).
type Job struct {
	ID         string
	State      JobState
	Subject    string
	CreatedAt  time.Time
	FinishedAt time.Time
	Events     int // events in the document
	Stored     int
	Duplicates int
	Errors     []JobError
}

// JobError is one reason a job failed.
type JobError struct {
	Type    string `json:"type"` // EPCIS exception name
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// EventQuery selects candidate events. Conditions in one field are ORed, fields are
// ANDed. Times are inclusive lower (GE) and exclusive upper (LT) bounds.
type EventQuery struct {
	Types        []epcis.EventType
	EventTimeGE  time.Time
	EventTimeLT  time.Time
	RecordTimeGE time.Time
	RecordTimeLT time.Time
	Actions      []string
	BizSteps     []string
	Dispositions []string
	ReadPoints   []string
	BizLocations []string
	EventIDs     []string
	// Keys: every KeyMatch must be satisfied by at least one of the event's keys.
	Keys []KeyMatch
	// Declared filters on whether the event has been declared erroneous (nil: either).
	Declared *bool
	// IncludeDeclarations returns declaration records too; by default they are left out,
	// as they are shown merged into the event they declare.
	IncludeDeclarations bool

	OrderBy OrderBy
	Desc    bool
	// After continues a previous page: the last event's order value and Seq.
	After *Cursor
	// SeqGE, when positive, selects only events stored at or after that seq. With Keys it
	// also bounds the key index buckets probed, which is what makes a lookup of recent
	// goods cheap on a large store (see KeyBucketBits).
	SeqGE int64
	// Seqs, when not nil, selects only the events stored at these seqs: the events an
	// index elsewhere (the lineage's) found, read in the query's order and limit.
	Seqs  []int64
	Limit int
}

// KeyMatch matches events with a key in one of Roles whose value is one of Values and
// whose type is one of Types (the empty type when Types is empty).
type KeyMatch struct {
	Roles  []Role
	Types  []string
	Values []string
}

// OrderBy names the sort key of a query.
type OrderBy string

const (
	OrderSeq        OrderBy = ""
	OrderEventTime  OrderBy = "eventTime"
	OrderRecordTime OrderBy = "recordTime"
)

// Cursor is the position after which a page continues.
type Cursor struct {
	Time time.Time
	Seq  int64
}

// Token is an API credential. Only the SHA-256 of its secret is stored.
type Token struct {
	ID        string
	Hash      []byte
	Subject   string // the subject (unified social credit code) it acts for; empty for platform roles
	Role      string // "admin", "enterprise", "regulator", ...
	Scopes    []string
	Label     string
	CreatedAt time.Time
	RevokedAt time.Time
}

// NamedQuery is a saved EPCIS query: its name and its query string parameters.
type NamedQuery struct {
	Name      string
	Params    string // URL-encoded query parameters
	CreatedAt time.Time
}
