package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/catalogue"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/store"
)

// Store is what the registry needs of a store.
type Store interface {
	store.RegistryStore
	RevokeToken(ctx context.Context, id string, t time.Time) error
}

// Service keeps the registry.
type Service struct {
	Store Store
	Auth  *auth.Service
	Audit *audit.Service
	Now   func() time.Time
}

// New returns a registry service.
func New(st Store, a *auth.Service, au *audit.Service) *Service {
	return &Service{Store: st, Auth: a, Audit: au, Now: time.Now}
}

// Province is the region every subject must lie in: the platform serves Fujian.
const Province = "350000"

// Roles are the node roles a subject may hold in the supply chains the plan covers.
var Roles = []string{
	"farm", "fishery", "slaughterhouse", "processor", "manufacturer", "wholesaler", "market",
	"supermarket", "retailer", "canteen", "pharmacy", "hospital", "dealer", "filling-station",
	"maintainer", "installer", "explosives-maker", "blasting-user", "miner", "smelter",
	"logistics", "importer", "exporter",
}

// Registration is what registering a subject takes.
type Registration struct {
	USCC      string          `json:"uscc"`
	Name      string          `json:"name"`
	Region    string          `json:"region"`
	Roles     []string        `json:"roles"`
	Sectors   []string        `json:"sectors"`
	Licences  []store.Licence `json:"licences"`
	Locations []string        `json:"locations"`
	Prefixes  []string        `json:"prefixes"`
}

func invalid(field, format string, args ...any) error {
	e := zhuisu.Errorf(zhuisu.EInvalid, format, args...)
	e.Field = field
	return e
}

func actor(p *auth.Principal) string {
	if p == nil {
		return audit.Who("", "", "", "")
	}
	return audit.Who(p.Role, p.Subject, p.UserID, p.TokenID)
}

// deny records an authorisation failure and returns the error for it.
func (s *Service) deny(ctx context.Context, p *auth.Principal, object, why string) error {
	s.Audit.Note(ctx, actor(p), audit.ActionAuthorisation, object, audit.ResultDenied, why)
	return zhuisu.Errorf(zhuisu.EForbidden, "%s", why)
}

// supervises reports whether a regulator oversees a subject of region and sectors: the
// region lies within the regulator's, and the regulator's department leads a catalogue
// class of one of the sectors.
func supervises(p *auth.Principal, region string, sectors []string) bool {
	if p.Region == "" || !codes.RegionWithin(region, p.Region) {
		return false
	}
	for _, c := range catalogue.ByDepartment(p.Department) {
		if slices.Contains(sectors, c.Sector) {
			return true
		}
	}
	return false
}

// mayManage reports whether p may register a subject or change its status.
func mayManage(p *auth.Principal, region string, sectors []string) bool {
	switch {
	case p == nil:
		return false
	case p.Role == auth.RoleAdmin:
		return true
	case p.Role == auth.RoleRegulator:
		return supervises(p, region, sectors)
	}
	return false
}

// mayRead reports whether p may read a subject's record.
func mayRead(p *auth.Principal, sub *store.Subject) bool {
	switch {
	case p == nil:
		return false
	case p.Role == auth.RoleAdmin:
		return true
	case p.Role == auth.RoleRegulator:
		return p.Region != "" && codes.RegionWithin(sub.Region, p.Region)
	case p.Role == auth.RoleEnterprise || p.Role == auth.RoleEnterpriseAdmin:
		return p.Subject == sub.USCC
	}
	return false
}

// Register validates and stores a new subject, submitted for approval.
func (s *Service) Register(ctx context.Context, p *auth.Principal, r *Registration) (*store.Subject, error) {
	sub, err := s.validate(ctx, r)
	if err != nil {
		return nil, err
	}
	if !mayManage(p, sub.Region, sub.Sectors) {
		return nil, s.deny(ctx, p, "subject "+sub.USCC, "registering a subject needs the administrator, or a regulator whose region and department cover it")
	}
	now := s.now()
	sub.Status, sub.CreatedAt, sub.UpdatedAt = store.SubjectSubmitted, now, now
	sub.History = []store.StatusChange{{To: store.SubjectSubmitted, Actor: actor(p), At: now}}
	if err := s.Store.CreateSubject(ctx, sub); err != nil {
		s.Audit.Note(ctx, actor(p), audit.ActionSubjectCreate, sub.USCC, audit.ResultFailed, zhuisu.ErrorMessage(err))
		return nil, err
	}
	s.Audit.Note(ctx, actor(p), audit.ActionSubjectCreate, sub.USCC, audit.ResultOK, sub.Name)
	return sub, nil
}

// validate checks a registration field by field and returns the subject it describes.
func (s *Service) validate(ctx context.Context, r *Registration) (*store.Subject, error) {
	c, err := codes.ParseUSCC(strings.TrimSpace(r.USCC))
	if err != nil {
		return nil, invalid("uscc", "%s", zhuisu.ErrorMessage(err))
	}
	sub := &store.Subject{USCC: c.Canonical[strings.LastIndexByte(c.Canonical, ':')+1:], Name: strings.TrimSpace(r.Name), Region: strings.TrimSpace(r.Region)}
	if sub.Name == "" || utf8.RuneCountInString(sub.Name) > 200 {
		return nil, invalid("name", "the subject's name is required, at most 200 characters")
	}
	if err := zhuisu.CheckText("name", "name", sub.Name, 800); err != nil {
		return nil, err
	}
	if _, ok := codes.RegionName(sub.Region); !ok || !codes.RegionWithin(sub.Region, Province) {
		return nil, invalid("region", "%q is not a current GB/T 2260 code of a division of Fujian (350000)", r.Region)
	}
	if len(r.Roles) == 0 {
		return nil, invalid("roles", "at least one node role is required, from: %s", strings.Join(Roles, ", "))
	}
	for i, role := range r.Roles {
		if !slices.Contains(Roles, role) {
			return nil, invalid("roles["+strconv.Itoa(i)+"]", "%q is not a node role; expected one of %s", role, strings.Join(Roles, ", "))
		}
		if !slices.Contains(sub.Roles, role) {
			sub.Roles = append(sub.Roles, role)
		}
	}
	if len(r.Sectors) == 0 {
		return nil, invalid("sectors", "at least one sector is required, from: %s", strings.Join(catalogue.Sectors(), ", "))
	}
	for i, sec := range r.Sectors {
		if !slices.Contains(catalogue.Sectors(), sec) {
			return nil, invalid("sectors["+strconv.Itoa(i)+"]", "%q is not a sector; expected one of %s", sec, strings.Join(catalogue.Sectors(), ", "))
		}
		if !slices.Contains(sub.Sectors, sec) {
			sub.Sectors = append(sub.Sectors, sec)
		}
	}
	for i, l := range r.Licences {
		f := "licences[" + strconv.Itoa(i) + "]"
		l.Number, l.Kind = strings.TrimSpace(l.Number), strings.TrimSpace(l.Kind)
		if l.Number == "" || l.Kind == "" {
			return nil, invalid(f, "a licence needs a number and a kind")
		}
		for _, t := range []struct{ field, v string }{{".number", l.Number}, {".kind", l.Kind}} {
			if err := zhuisu.CheckText(f+t.field, "licence "+t.field[1:], t.v, 200); err != nil {
				return nil, err
			}
		}
		if !l.ValidFrom.IsZero() && !l.ValidTo.IsZero() && l.ValidTo.Before(l.ValidFrom) {
			return nil, invalid(f+".validTo", "the licence ends before it starts")
		}
		sub.Licences = append(sub.Licences, l)
	}
	for i, raw := range r.Locations {
		f := "locations[" + strconv.Itoa(i) + "]"
		loc, err := CanonicalLocation(raw)
		if err != nil {
			return nil, invalid(f, "%s", zhuisu.ErrorMessage(err))
		}
		if slices.Contains(sub.Locations, loc) {
			continue
		}
		owner, err := s.Store.LocationOwner(ctx, loc)
		switch {
		case err == nil:
			e := zhuisu.Errorf(zhuisu.EConflict, "location %s belongs to subject %s already", loc, owner)
			e.Field = f
			return nil, e
		case !zhuisu.IsCode(err, zhuisu.ENotFound):
			return nil, err
		}
		sub.Locations = append(sub.Locations, loc)
	}
	for i, pre := range r.Prefixes {
		f := "prefixes[" + strconv.Itoa(i) + "]"
		pre = strings.TrimSpace(pre)
		if len(pre) < 4 || len(pre) > 12 || strings.Trim(pre, "0123456789") != "" {
			return nil, invalid(f, "a GS1 company prefix is 4 to 12 digits, got %q", pre)
		}
		if slices.Contains(sub.Prefixes, pre) {
			continue
		}
		owner, owned, err := s.Store.PrefixOwner(ctx, pre)
		switch {
		case err == nil && owned == pre:
			e := zhuisu.Errorf(zhuisu.EConflict, "GS1 company prefix %s belongs to subject %s already", pre, owner)
			e.Field = f
			return nil, e
		case err == nil:
			e := zhuisu.Errorf(zhuisu.EConflict, "GS1 company prefix %s overlaps %s of subject %s: every key under the longer would belong to both", pre, owned, owner)
			e.Field = f
			return nil, e
		case !zhuisu.IsCode(err, zhuisu.ENotFound):
			return nil, err
		}
		sub.Prefixes = append(sub.Prefixes, pre)
	}
	return sub, nil
}

// CanonicalLocation reads a location identifier (a GLN or a GLN with extension, as a GS1
// Digital Link URI, an EPC URN or bracketed element string) and returns its canonical
// URI, the form events carry after capture.
func CanonicalLocation(s string) (string, error) {
	c, err := codes.Parse(s)
	if err != nil {
		return "", err
	}
	if c.Scheme != "gs1.gln" && c.Scheme != "gs1.sgln" {
		return "", zhuisu.Errorf(zhuisu.EInvalid, "%q is a %s, not a location: give a GLN (414), with its extension (254) if any", s, c.SchemeName)
	}
	return c.Canonical, nil
}

// Subject returns one subject to a principal allowed to read it; a regulator's read is
// audited.
func (s *Service) Subject(ctx context.Context, p *auth.Principal, uscc string) (*store.Subject, error) {
	sub, err := s.Store.Subject(ctx, strings.ToUpper(strings.TrimSpace(uscc)))
	if err != nil {
		return nil, err
	}
	if !mayRead(p, sub) {
		return nil, s.deny(ctx, p, "subject "+sub.USCC, "this subject is outside what the token may read")
	}
	if p.Role == auth.RoleRegulator {
		s.Audit.Note(ctx, actor(p), audit.ActionRead, "subject "+sub.USCC, audit.ResultOK, "")
	}
	return sub, nil
}

// Filter selects subjects in a listing.
type Filter struct {
	Region string // GB/T 2260 code: subjects within it
	Sector string
	Status store.SubjectStatus
	After  string
	Limit  int
}

// MaxPage bounds a listing.
const MaxPage = 500

// MaxReasonLength bounds a status change's reason (kept in the subject's history and the
// audit log) and MaxLabelLength a token's label.
const (
	MaxReasonLength = 2000
	MaxLabelLength  = 200
)

// Subjects lists the subjects p may read that match f: all for the administrator, those
// within the region for a regulator, its own for an enterprise.
func (s *Service) Subjects(ctx context.Context, p *auth.Principal, f Filter) ([]*store.Subject, error) {
	if p == nil || !(p.Role == auth.RoleAdmin || p.Role == auth.RoleRegulator || p.Role == auth.RoleEnterprise || p.Role == auth.RoleEnterpriseAdmin) {
		return nil, s.deny(ctx, p, "subjects", "this token may not list subjects")
	}
	if f.Region != "" {
		if _, ok := codes.RegionName(f.Region); !ok {
			return nil, invalid("region", "%q is not a known GB/T 2260 code", f.Region)
		}
	}
	if f.Sector != "" && !slices.Contains(catalogue.Sectors(), f.Sector) {
		return nil, invalid("sector", "%q is not a sector; expected one of %s", f.Sector, strings.Join(catalogue.Sectors(), ", "))
	}
	switch f.Status {
	case "", store.SubjectSubmitted, store.SubjectApproved, store.SubjectSuspended, store.SubjectRevoked:
	default:
		return nil, invalid("status", "%q is not a status; expected submitted, approved, suspended or revoked", f.Status)
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = MaxPage
	}
	if p.Role == auth.RoleEnterprise || p.Role == auth.RoleEnterpriseAdmin {
		sub, err := s.Store.Subject(ctx, p.Subject)
		if err != nil || f.After >= sub.USCC || !matches(sub, f) {
			if zhuisu.IsCode(err, zhuisu.ENotFound) {
				err = nil
			}
			return nil, err
		}
		return []*store.Subject{sub}, nil
	}
	region := f.Region
	if p.Role == auth.RoleRegulator {
		switch {
		case p.Region == "":
			return nil, s.deny(ctx, p, "subjects", "this regulator has no region")
		case region == "" || codes.RegionWithin(p.Region, region):
			region = p.Region // the wider request narrows to the regulator's region
		case !codes.RegionWithin(region, p.Region):
			return nil, s.deny(ctx, p, "subjects in "+region, "region "+region+" is outside the regulator's region "+p.Region)
		}
	}
	var out []*store.Subject
	for after := f.After; len(out) < f.Limit; {
		page, err := s.Store.Subjects(ctx, &store.SubjectFilter{RegionPrefix: regionPrefix(region), Sector: f.Sector, Status: f.Status, After: after, Limit: f.Limit})
		if err != nil {
			return nil, err
		}
		for _, sub := range page {
			// The prefix selects candidates; containment is decided here.
			if region == "" || codes.RegionWithin(sub.Region, region) {
				out = append(out, sub)
			}
		}
		if len(page) < f.Limit {
			break
		}
		after = page[len(page)-1].USCC
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	if p.Role == auth.RoleRegulator {
		s.Audit.Note(ctx, actor(p), audit.ActionRead, "subjects in "+region, audit.ResultOK, "")
	}
	return out, nil
}

func matches(sub *store.Subject, f Filter) bool {
	return (f.Region == "" || codes.RegionWithin(sub.Region, f.Region)) &&
		(f.Sector == "" || slices.Contains(sub.Sectors, f.Sector)) &&
		(f.Status == "" || sub.Status == f.Status)
}

// regionPrefix is the code prefix of the divisions within a region: "35" for a
// province, "3501" for a city, the whole code for a county.
func regionPrefix(region string) string {
	switch {
	case region == "":
		return ""
	case strings.HasSuffix(region, "0000"):
		return region[:2]
	case strings.HasSuffix(region, "00"):
		return region[:4]
	}
	return region
}

// Actions of the workflow.
const (
	Approve  = "approve"
	Suspend  = "suspend"
	Revoke   = "revoke"
	Resubmit = "resubmit"
)

// transitions says, for each action, the statuses it starts from and where it leads.
var transitions = map[string]struct {
	from []store.SubjectStatus
	to   store.SubjectStatus
}{
	Approve:  {[]store.SubjectStatus{store.SubjectSubmitted, store.SubjectSuspended}, store.SubjectApproved},
	Suspend:  {[]store.SubjectStatus{store.SubjectApproved}, store.SubjectSuspended},
	Revoke:   {[]store.SubjectStatus{store.SubjectSubmitted, store.SubjectApproved, store.SubjectSuspended}, store.SubjectRevoked},
	Resubmit: {[]store.SubjectStatus{store.SubjectSuspended, store.SubjectRevoked}, store.SubjectSubmitted},
}

// Change applies a workflow action to a subject: approve (from submitted or suspended),
// suspend (from approved), revoke (from any but revoked), resubmit (from suspended or
// revoked, back to review). Suspending, revoking and resubmitting need a reason. The
// administrator or a supervising regulator may act; the subject's own enterprise
// administrator may resubmit.
func (s *Service) Change(ctx context.Context, p *auth.Principal, uscc, action, reason string) (*store.Subject, error) {
	tr, ok := transitions[action]
	if !ok {
		return nil, invalid("action", "%q is not a workflow action; expected approve, suspend, revoke or resubmit", action)
	}
	reason = strings.TrimSpace(reason)
	if err := zhuisu.CheckText("reason", "reason", reason, MaxReasonLength); err != nil {
		return nil, err
	}
	if reason == "" && action != Approve {
		return nil, invalid("reason", "%s needs a reason, which the subject's history keeps", action)
	}
	sub, err := s.Store.Subject(ctx, strings.ToUpper(strings.TrimSpace(uscc)))
	if err != nil {
		return nil, err
	}
	own := action == Resubmit && p != nil && p.Role == auth.RoleEnterpriseAdmin && p.Subject == sub.USCC
	if !own && !mayManage(p, sub.Region, sub.Sectors) {
		return nil, s.deny(ctx, p, "subject "+sub.USCC, action+" needs the administrator, or a regulator whose region and department cover the subject")
	}
	if !slices.Contains(tr.from, sub.Status) {
		return nil, zhuisu.Errorf(zhuisu.EConflict, "subject %s is %s: %s applies only to a subject that is %s", sub.USCC, sub.Status, action, joinStatuses(tr.from))
	}
	c := &store.StatusChange{From: sub.Status, To: tr.to, Reason: reason, Actor: actor(p), At: s.now()}
	if err := s.Store.ChangeSubjectStatus(ctx, sub.USCC, c); err != nil {
		return nil, err
	}
	s.Audit.Note(ctx, actor(p), audit.ActionSubjectStatus, sub.USCC, audit.ResultOK, string(c.From)+" -> "+string(c.To)+": "+reason)
	return s.Store.Subject(ctx, sub.USCC)
}

func joinStatuses(l []store.SubjectStatus) string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = string(v)
	}
	return strings.Join(s, " or ")
}

// IssueToken issues an enterprise API token for an approved subject and returns its
// secret, shown this once. The administrator, a supervising regulator or the subject's
// enterprise administrator may issue one.
func (s *Service) IssueToken(ctx context.Context, p *auth.Principal, uscc, label string) (string, *store.Token, error) {
	label = strings.TrimSpace(label)
	if err := zhuisu.CheckText("label", "label", label, MaxLabelLength); err != nil {
		return "", nil, err
	}
	sub, err := s.Store.Subject(ctx, strings.ToUpper(strings.TrimSpace(uscc)))
	if err != nil {
		return "", nil, err
	}
	own := p != nil && p.Role == auth.RoleEnterpriseAdmin && p.Subject == sub.USCC
	if !own && !mayManage(p, sub.Region, sub.Sectors) {
		return "", nil, s.deny(ctx, p, "subject "+sub.USCC, "issuing a token for this subject needs the administrator, a regulator covering it, or its enterprise administrator")
	}
	if sub.Status != store.SubjectApproved {
		return "", nil, zhuisu.Errorf(zhuisu.EConflict, "subject %s is %s: tokens are issued to approved (备案) subjects only", sub.USCC, sub.Status)
	}
	if label == "" {
		label = sub.Name
	}
	secret, tok, err := s.Auth.Issue(ctx, auth.RoleEnterprise, sub.USCC, label, []string{"capture", "query"})
	if err != nil {
		return "", nil, err
	}
	s.Audit.Note(ctx, actor(p), audit.ActionTokenIssue, "token "+tok.ID, audit.ResultOK, "for subject "+sub.USCC)
	return secret, tok, nil
}

// RevokeToken revokes a token: the administrator or the security administrator any
// token, the enterprise administrator the tokens of its subject, a regulator those of the
// subjects it supervises.
func (s *Service) RevokeToken(ctx context.Context, p *auth.Principal, id string) error {
	tok, err := s.Store.TokenByID(ctx, id)
	if err != nil {
		return err
	}
	allowed := p != nil && (p.Role == auth.RoleAdmin || p.Role == auth.RoleSecurity ||
		tok.Subject != "" && p.Role == auth.RoleEnterpriseAdmin && p.Subject == tok.Subject)
	if !allowed && p != nil && p.Role == auth.RoleRegulator && tok.Subject != "" {
		if sub, err := s.Store.Subject(ctx, tok.Subject); err == nil {
			allowed = supervises(p, sub.Region, sub.Sectors)
		}
	}
	if !allowed {
		return s.deny(ctx, p, "token "+id, "this token may not revoke token "+id)
	}
	if err := s.Store.RevokeToken(ctx, id, s.now()); err != nil {
		return err
	}
	s.Audit.Note(ctx, actor(p), audit.ActionTokenRevoke, "token "+id, audit.ResultOK, "")
	return nil
}

// MayRecord returns nil when subject may record events: it is registered and approved.
func (s *Service) MayRecord(ctx context.Context, subject string) error {
	sub, err := s.Store.Subject(ctx, subject)
	if zhuisu.IsCode(err, zhuisu.ENotFound) {
		return s.deny(ctx, &auth.Principal{Role: auth.RoleEnterprise, Subject: subject}, "capture", "subject "+subject+" is not registered: it records no events")
	}
	if err != nil {
		return err
	}
	if sub.Status != store.SubjectApproved {
		return s.deny(ctx, &auth.Principal{Role: auth.RoleEnterprise, Subject: subject}, "capture", "subject "+subject+" is "+string(sub.Status)+", not approved: it records no events")
	}
	return nil
}

// OwnsLocation reports whether subject owns location: the location itself, or the GLN
// of a location that is a GLN with an extension (a subject owning a site owns its
// sub-locations).
func (s *Service) OwnsLocation(ctx context.Context, subject, location string) (bool, error) {
	loc, err := CanonicalLocation(location)
	if err != nil {
		return false, nil
	}
	for _, l := range []string{loc, glnOf(loc)} {
		if l == "" {
			continue
		}
		owner, err := s.Store.LocationOwner(ctx, l)
		if err == nil {
			return owner == subject, nil
		}
		if !zhuisu.IsCode(err, zhuisu.ENotFound) {
			return false, err
		}
	}
	return false, nil
}

// MayRecordAt returns nil when subject may record an event at location (it owns it);
// a refusal is audited.
func (s *Service) MayRecordAt(ctx context.Context, subject, location string) error {
	ok, err := s.OwnsLocation(ctx, subject, location)
	if err != nil {
		return err
	}
	if !ok {
		return s.deny(ctx, &auth.Principal{Role: auth.RoleEnterprise, Subject: subject}, "location "+location,
			"subject "+subject+" does not own location "+location+": an enterprise records only at its own locations")
	}
	return nil
}

// glnOf returns the GLN-only URI of a canonical GLN-with-extension URI, "" otherwise.
func glnOf(loc string) string {
	if i := strings.Index(loc, "/254/"); i > 0 {
		return loc[:i]
	}
	return ""
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
