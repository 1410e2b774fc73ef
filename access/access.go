// Package access decides what a principal may read. The services ask it about every event
// they are about to return (query, event by ID, proof, trace, recall), so a rule holds
// whichever route reaches the data; handlers only authenticate.
//
// The rules (docs/access.md):
//   - the platform administrator reads everything;
//   - an enterprise reads the events it recorded and those that name it as a source or a
//     destination (one step up, one step down): a source or destination value that is one
//     of its registered locations or lies under one of its GS1 company prefixes;
//   - a regulator reads the events recorded by subjects within its region whose sectors its
//     department supervises;
//   - the security administrator, the auditor and the public read no events (the public
//     reads the public view, built elsewhere from an allowlist).
package access

import (
	"context"
	"slices"
	"strings"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/catalogue"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Subjects finds registered subjects.
type Subjects interface {
	Subject(ctx context.Context, uscc string) (*store.Subject, error)
}

// Service builds scopes.
type Service struct {
	Subjects Subjects
}

// New returns an access service reading subjects from s.
func New(s Subjects) *Service { return &Service{Subjects: s} }

// Scope is what one principal may read. A nil *Scope reads everything: it is what the
// platform's own jobs (replay, verify, the public view's assembly) use.
type Scope struct {
	ctx  context.Context
	subs Subjects

	all     bool
	subject string
	// owned are the canonical location identifiers the enterprise registered; prefixes
	// its GS1 company prefixes.
	owned    map[string]bool
	prefixes []string

	// A regulator's region and the sectors its department supervises, with a cache of
	// the verdict per recording subject.
	region     string
	sectors    []string
	supervised map[string]bool
}

// Everything is the scope of the platform itself.
var Everything *Scope

// ScopeOf returns the scope of p. A nil principal (the public) or a role that reads no
// events gets a scope that sees nothing; callers refuse such requests before they get
// here where the route allows it.
func (s *Service) ScopeOf(ctx context.Context, p *auth.Principal) (*Scope, error) {
	sc := &Scope{ctx: ctx, subs: s.Subjects}
	if p == nil {
		return sc, nil
	}
	switch p.Role {
	case auth.RoleAdmin:
		sc.all = true
	case auth.RoleEnterprise, auth.RoleEnterpriseAdmin:
		sc.subject = p.Subject
		sc.owned = map[string]bool{}
		if p.Subject != "" && s.Subjects != nil {
			sub, err := s.Subjects.Subject(ctx, p.Subject)
			if err != nil && !zhuisu.IsCode(err, zhuisu.ENotFound) {
				return nil, err
			}
			if sub != nil {
				for _, l := range sub.Locations {
					sc.owned[l] = true
				}
				sc.prefixes = sub.Prefixes
			}
		}
	case auth.RoleRegulator:
		sc.region = p.Region
		for _, c := range catalogue.ByDepartment(p.Department) {
			if !slices.Contains(sc.sectors, c.Sector) {
				sc.sectors = append(sc.sectors, c.Sector)
			}
		}
		sc.supervised = map[string]bool{}
	}
	return sc, nil
}

// Owns says whether any of ids (parties or locations) belongs to the enterprise subject:
// a location it registered, or a key under one of its GS1 company prefixes.
func (s *Service) Owns(ctx context.Context, subject string, ids ...string) (bool, error) {
	sc, err := s.ScopeOf(ctx, &auth.Principal{Role: auth.RoleEnterprise, Subject: subject})
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if sc.Names(id) {
			return true, nil
		}
	}
	return false, nil
}

// ReadsEvents says whether the scope can see any event at all: the routes of the EPCIS
// query interface refuse the others with 403 rather than answering with nothing.
func (sc *Scope) ReadsEvents() bool {
	return sc == nil || sc.all || sc.subject != "" || (sc.region != "" && len(sc.sectors) > 0)
}

// Subject is the enterprise a scope reads for, "" for other roles.
func (sc *Scope) Subject() string {
	if sc == nil {
		return ""
	}
	return sc.subject
}

// Regulates says whether the scope is a regulator's.
func (sc *Scope) Regulates() bool { return sc != nil && sc.region != "" }

// All says whether the scope sees every event.
func (sc *Scope) All() bool { return sc == nil || sc.all }

// Sees says whether the scope may read a stored event; e is its decoded form.
func (sc *Scope) Sees(row *store.Event, e *epcis.Event) bool {
	switch {
	case sc == nil || sc.all:
		return true
	case sc.subject != "":
		if row.Subject == sc.subject {
			return true
		}
		for _, l := range [][]epcis.SourceDest{e.SourceList, e.DestinationList} {
			for _, sd := range l {
				if sc.names(sd.Value) {
					return true
				}
			}
		}
		return false
	case sc.region != "":
		return sc.supervises(row.Subject)
	}
	return false
}

// SeesRecorder says whether the scope may read what a subject recorded, without the
// event at hand (a regulator's verdict depends on the recorder only; an enterprise's on
// being the recorder).
func (sc *Scope) SeesRecorder(subject string) bool {
	switch {
	case sc == nil || sc.all:
		return true
	case sc.subject != "":
		return subject == sc.subject
	case sc.region != "":
		return sc.supervises(subject)
	}
	return false
}

// Names says whether an identifier (a party or a location) belongs to the scope's
// enterprise.
func (sc *Scope) Names(id string) bool {
	if sc == nil || sc.subject == "" {
		return false
	}
	return sc.names(id)
}

func (sc *Scope) names(v string) bool {
	if sc.owned[v] {
		return true
	}
	c, err := codes.Parse(v)
	if err != nil {
		return false
	}
	if sc.owned[c.Canonical] {
		return true
	}
	if len(sc.prefixes) == 0 {
		return false
	}
	// A party or location key (GLN, PGLN) begins with its owner's company prefix.
	key := keyDigits(c.Canonical)
	for _, p := range sc.prefixes {
		if p != "" && strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// keyDigits returns the digits of the party or location key of a canonical Digital Link
// (AI 414 or 417), or "".
func keyDigits(uri string) string {
	for _, ai := range []string{"/414/", "/417/"} {
		if _, rest, ok := strings.Cut(uri, ai); ok {
			digits, _, _ := strings.Cut(rest, "/")
			return digits
		}
	}
	return ""
}

func (sc *Scope) supervises(subject string) bool {
	if subject == "" || sc.subs == nil {
		return false
	}
	if v, ok := sc.supervised[subject]; ok {
		return v
	}
	v := false
	if sub, err := sc.subs.Subject(sc.ctx, subject); err == nil && codes.RegionWithin(sub.Region, sc.region) {
		for _, s := range sub.Sectors {
			if slices.Contains(sc.sectors, s) {
				v = true
				break
			}
		}
	}
	sc.supervised[subject] = v
	return v
}
