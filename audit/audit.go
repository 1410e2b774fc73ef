package audit

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// Actions recorded. Others may be added; these are the ones the platform writes.
const (
	ActionLogin         = "login"
	ActionAuthorisation = "authorisation" // a request refused for want of a role or scope
	ActionRead          = "read"          // a regulator's read of protected data
	ActionExport        = "export"
	ActionUnmask        = "unmask"
	ActionSubjectCreate = "subject.register"
	ActionSubjectStatus = "subject.status"
	ActionTokenIssue    = "token.issue"
	ActionTokenRevoke   = "token.revoke"
	ActionPersonCreate  = "person.register"
	ActionRoleChange    = "role.change"
	ActionConfigChange  = "config.change"
	ActionAuditRead     = "audit.read"
)

// Results recorded.
const (
	ResultOK     = "ok"
	ResultDenied = "denied"
	ResultFailed = "failed"
)

// RoleAuditor is the one role that reads the log (auth.RoleAuditor; repeated here so
// that auth can depend on this package).
const RoleAuditor = "auditor"

// Service appends to and reads the audit log.
type Service struct {
	Store store.AuditStore
	Now   func() time.Time
	Log   *slog.Logger
}

// New returns a service on st with the real clock.
func New(st store.AuditStore, log *slog.Logger) *Service {
	return &Service{Store: st, Now: time.Now, Log: log}
}

// Who names an actor in the log: its role and its most specific identity (the user, else
// the subject, else the token), as "role:identity".
func Who(role, subject, userID, tokenID string) string {
	id := userID
	if id == "" {
		id = subject
	}
	if id == "" && tokenID != "" {
		id = "token/" + tokenID
	}
	if role == "" {
		role = "anonymous"
	}
	if id == "" {
		return role
	}
	return role + ":" + id
}

// Record appends one record without detail. It is the auth.Auditor the accounts service
// records sign-ins and account changes through.
func (s *Service) Record(ctx context.Context, actor, action, object, result string) error {
	return s.RecordDetail(ctx, actor, action, object, result, "")
}

// RecordDetail appends one record. An error means the record was not written: an action
// that must be audited (an unmasking) must then not happen.
func (s *Service) RecordDetail(ctx context.Context, actor, action, object, result, detail string) error {
	if actor == "" || action == "" || result == "" {
		return zhuisu.Errorf(zhuisu.EInternal, "audit record needs an actor, an action and a result")
	}
	r := &store.AuditRecord{Time: s.now(), Actor: actor, Action: action, Object: clip(object), Result: result, Detail: clip(detail)}
	return s.Store.AppendAudit(ctx, r)
}

// maxField bounds an audit record's object and detail: the log is kept for good and
// deleted by nobody, so what a caller sends must not grow it without bound. The services
// refuse longer text first; this is the guard behind them.
const maxField = 4096

// clip cuts s to at most maxField bytes on a character boundary and says how long it was.
func clip(s string) string {
	if len(s) <= maxField {
		return s
	}
	cut := maxField - 32
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
}

// Note records like RecordDetail where the caller goes on whatever happens (a refusal
// is refused anyway): a failure to write is logged, not returned.
func (s *Service) Note(ctx context.Context, actor, action, object, result, detail string) {
	if err := s.RecordDetail(context.WithoutCancel(ctx), actor, action, object, result, detail); err != nil && s.Log != nil {
		s.Log.Error("audit record not written", "actor", actor, "action", action, "object", object, "result", result, "err", err)
	}
}

// Login records a sign-in attempt, successful or not: for the accounts service to call.
func (s *Service) Login(ctx context.Context, user string, ok bool, detail string) error {
	result := ResultOK
	if !ok {
		result = ResultFailed
	}
	return s.RecordDetail(ctx, "user:"+user, ActionLogin, user, result, detail)
}

// Query selects records for the auditor.
type Query struct {
	From   int64 // first record number
	Since  time.Time
	Before time.Time
	Actor  string
	Action string
	Limit  int
}

// MaxPage bounds the records one read returns.
const MaxPage = 1000

// Records returns the records matching q to an auditor; anyone else is refused, and the
// refusal is itself recorded. The auditor's reads are recorded too.
func (s *Service) Records(ctx context.Context, actor, role string, q Query) ([]*store.AuditRecord, error) {
	if role != RoleAuditor {
		s.Note(ctx, actor, ActionAuthorisation, "audit log", ResultDenied, "only the auditor reads the audit log")
		return nil, zhuisu.Errorf(zhuisu.EForbidden, "only the auditor reads the audit log")
	}
	if q.Limit <= 0 || q.Limit > MaxPage {
		q.Limit = MaxPage
	}
	if q.From < 0 {
		return nil, &zhuisu.Error{Code: zhuisu.EInvalid, Field: "from", Message: "from must be a record number, 0 or more"}
	}
	if err := s.RecordDetail(ctx, actor, ActionAuditRead, "audit log", ResultOK, describe(q)); err != nil {
		return nil, err
	}
	return s.Store.AuditRecords(ctx, &store.AuditQuery{From: q.From, TimeGE: q.Since, TimeLT: q.Before, Actor: q.Actor, Action: q.Action, Limit: q.Limit})
}

func describe(q Query) string {
	var parts []string
	if q.Actor != "" {
		parts = append(parts, "actor="+q.Actor)
	}
	if q.Action != "" {
		parts = append(parts, "action="+q.Action)
	}
	if !q.Since.IsZero() {
		parts = append(parts, "since="+q.Since.UTC().Format(time.RFC3339))
	}
	if !q.Before.IsZero() {
		parts = append(parts, "before="+q.Before.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
