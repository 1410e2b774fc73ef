package persons

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/store"
)

// RefPrefix starts every pseudonymous reference.
const RefPrefix = "urn:zhuisu:person:"

// MaxReasonLength bounds the reason given for an unmasking, which the audit log keeps.
const MaxReasonLength = 2000

// ID document types. A resident ID number is validated (GB 11643); the others are only
// normalised (upper case, no spaces).
const (
	IDResident = "resident"
	IDPassport = "passport"
	IDPermit   = "permit" // 港澳台 travel permits, foreigners' residence permits
)

// Person is a natural person in clear: what an enterprise registers and what an
// authorised unmasking returns.
type Person struct {
	Name     string `json:"name"`
	IDType   string `json:"idType"`
	IDNumber string `json:"idNumber"`
	Phone    string `json:"phone,omitempty"`
}

// Service registers and unmasks persons.
type Service struct {
	Store store.PersonStore
	Audit *audit.Service
	// Scopes tells which enterprises a regulator supervises: a regulator unmasks only
	// persons registered by those. Nil: no regulator may unmask.
	Scopes *access.Service
	Cipher string // CipherAES or CipherSM4: what new rows are sealed with
	Now    func() time.Time
	keys   keys
}

// New returns a service sealing with cipherName under the master key.
func New(st store.PersonStore, a *audit.Service, master []byte, cipherName string) (*Service, error) {
	if len(master) != keySize {
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "person key: want %d bytes, got %d", keySize, len(master))
	}
	if cipherName == "" {
		cipherName = CipherAES
	}
	s := &Service{Store: st, Audit: a, Cipher: cipherName, Now: time.Now, keys: deriveKeys(master)}
	if _, err := s.keys.aead(cipherName); err != nil {
		return nil, err
	}
	return s, nil
}

func actor(p *auth.Principal) string {
	if p == nil {
		return audit.Who("", "", "", "")
	}
	return audit.Who(p.Role, p.Subject, p.UserID, p.TokenID)
}

// Register records a person for an enterprise and returns the reference events carry.
// The same ID number always gives the same reference, whoever registers it; the data
// first registered is kept.
func (s *Service) Register(ctx context.Context, p *auth.Principal, in Person) (string, error) {
	if p == nil || (p.Role != auth.RoleEnterprise && p.Role != auth.RoleEnterpriseAdmin) || p.Subject == "" {
		s.Audit.Note(ctx, actor(p), audit.ActionAuthorisation, "persons", audit.ResultDenied, "registering a person needs an enterprise token")
		return "", zhuisu.Errorf(zhuisu.EForbidden, "only an enterprise registers the persons it sells to or employs")
	}
	if err := normalise(&in); err != nil {
		return "", err
	}
	lookup := s.keys.lookupHash(in.IDType, in.IDNumber)
	if old, err := s.Store.PersonByLookup(ctx, lookup); err == nil {
		s.Audit.Note(ctx, actor(p), audit.ActionPersonCreate, old.Ref, audit.ResultOK, "known already")
		return old.Ref, nil
	} else if !zhuisu.IsCode(err, zhuisu.ENotFound) {
		return "", err
	}
	ref, err := newRef()
	if err != nil {
		return "", err
	}
	sealed, err := s.seal(ref, &in)
	if err != nil {
		return "", err
	}
	row := &store.Person{Ref: ref, Lookup: lookup, Sealed: sealed, Cipher: s.Cipher, KeyID: s.keys.id, CreatedBy: p.Subject, CreatedAt: s.now()}
	if err := s.Store.CreatePerson(ctx, row); zhuisu.IsCode(err, zhuisu.EConflict) {
		// Registered by someone else meanwhile: theirs is the reference.
		old, lerr := s.Store.PersonByLookup(ctx, lookup)
		if lerr != nil {
			return "", lerr
		}
		ref = old.Ref
	} else if err != nil {
		return "", err
	}
	s.Audit.Note(ctx, actor(p), audit.ActionPersonCreate, ref, audit.ResultOK, "registered")
	return ref, nil
}

// MayUnmask reports whether a principal may read persons in clear: a regulator, whose
// department investigates the flows of restricted goods.
func MayUnmask(p *auth.Principal) bool { return p != nil && p.Role == auth.RoleRegulator }

// Unmask returns a person in clear to an authorised principal giving a reason. Every
// attempt is audited; a granted one is audited before the data is read, and if the
// record cannot be written nothing is revealed.
func (s *Service) Unmask(ctx context.Context, p *auth.Principal, ref, reason string) (*Person, error) {
	reason = strings.TrimSpace(reason)
	// Checked before anything is audited: every attempt is kept for good.
	if err := zhuisu.CheckText("reason", "reason", reason, MaxReasonLength); err != nil {
		return nil, err
	}
	if !MayUnmask(p) {
		s.Audit.Note(ctx, actor(p), audit.ActionUnmask, ref, audit.ResultDenied, "role may not unmask; reason given: "+reason)
		return nil, zhuisu.Errorf(zhuisu.EForbidden, "only a regulator may unmask a person")
	}
	if reason == "" {
		s.Audit.Note(ctx, actor(p), audit.ActionUnmask, ref, audit.ResultDenied, "no reason given")
		return nil, &zhuisu.Error{Code: zhuisu.EInvalid, Field: "reason", Message: "unmasking a person needs a reason (a case number, an inspection), which the audit log keeps"}
	}
	row, err := s.Store.PersonByRef(ctx, ref)
	if err != nil {
		if zhuisu.IsCode(err, zhuisu.ENotFound) {
			s.Audit.Note(ctx, actor(p), audit.ActionUnmask, ref, audit.ResultFailed, "no such person; reason: "+reason)
			return nil, zhuisu.Errorf(zhuisu.ENotFound, "no person %s", ref)
		}
		return nil, err
	}
	if !s.supervises(ctx, p, row.CreatedBy) {
		s.Audit.Note(ctx, actor(p), audit.ActionUnmask, ref, audit.ResultDenied, "registered by "+row.CreatedBy+", outside the regulator's department or region; reason given: "+reason)
		return nil, zhuisu.Errorf(zhuisu.EForbidden, "person %s was registered by an enterprise this regulator does not supervise", ref)
	}
	if err := s.Audit.RecordDetail(ctx, actor(p), audit.ActionUnmask, ref, audit.ResultOK, reason); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "the unmasking could not be audited, so it is not done")
	}
	return s.open(row)
}

// supervises says whether regulator p oversees the enterprise that registered a person.
func (s *Service) supervises(ctx context.Context, p *auth.Principal, createdBy string) bool {
	if s.Scopes == nil {
		return false
	}
	sc, err := s.Scopes.ScopeOf(ctx, p)
	return err == nil && sc.SeesRecorder(createdBy)
}

// Known returns nil when ref is a reference this registry issued; EInvalid otherwise.
// Capture calls it for every reference an event carries.
func (s *Service) Known(ctx context.Context, ref string) error {
	_, err := s.Store.PersonByRef(ctx, ref)
	if zhuisu.IsCode(err, zhuisu.ENotFound) {
		return zhuisu.Errorf(zhuisu.EInvalid, "%s is not a person reference this platform issued: register the person at POST /api/persons first", ref)
	}
	return err
}

func (s *Service) seal(ref string, in *Person) ([]byte, error) {
	aead, err := s.keys.aead(s.Cipher)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(in)
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "encode person")
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "generate nonce")
	}
	// The reference is the additional data: a sealed row moved to another reference
	// does not open.
	return aead.Seal(nonce, nonce, plain, []byte(ref)), nil
}

func (s *Service) open(row *store.Person) (*Person, error) {
	if row.KeyID != s.keys.id {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "person %s was sealed under key %s, not the configured key %s", row.Ref, row.KeyID, s.keys.id)
	}
	aead, err := s.keys.aead(row.Cipher)
	if err != nil {
		return nil, err
	}
	if len(row.Sealed) < aead.NonceSize() {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "person %s: sealed data too short", row.Ref)
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, row.Sealed[:n], row.Sealed[n:], []byte(row.Ref))
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "person %s: sealed data does not open (altered, or another key)", row.Ref)
	}
	var out Person
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "person %s: sealed data unreadable", row.Ref)
	}
	return &out, nil
}

var refEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRef returns a random reference: nothing in it derives from the person.
func newRef() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", zhuisu.Wrap(err, zhuisu.EInternal, "generate person reference")
	}
	return RefPrefix + strings.ToLower(refEncoding.EncodeToString(b[:])), nil
}

// normalise validates a person and brings the ID number to one form, so that the same
// person always hashes alike. Messages never quote an ID number in full.
func normalise(in *Person) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "name", Message: "the person's name is required"}
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "name", Message: "the name is longer than 100 characters"}
	}
	if in.IDType == "" {
		in.IDType = IDResident
	}
	num := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, in.IDNumber)
	switch in.IDType {
	case IDResident:
		if _, err := codes.ParseResidentID(num); err != nil {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "idNumber", Message: zhuisu.ErrorMessage(err)}
		}
	case IDPassport, IDPermit:
		if len(num) < 5 || len(num) > 32 || strings.IndexFunc(num, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') }) >= 0 {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "idNumber", Message: "a " + in.IDType + " number is 5 to 32 letters and digits"}
		}
	default:
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "idType", Message: "idType must be " + IDResident + ", " + IDPassport + " or " + IDPermit}
	}
	in.IDNumber = num
	in.Phone = strings.TrimSpace(in.Phone)
	if len(in.Phone) > 20 || strings.IndexFunc(in.Phone, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == ' ') }) >= 0 {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "phone", Message: "a phone number is at most 20 digits, spaces, + and -"}
	}
	return nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
