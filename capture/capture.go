// Package capture is the capture service: it takes a decoded EPCIS document from an
// enterprise, normalises its codes, stamps record time, computes every event's CBV hash,
// and hands the document to the store as one all-or-nothing batch.
//
// It must not import net/http or database/sql: the API decodes, the store persists.
package capture

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/store"
)

// Service captures documents into a store.
type Service struct {
	Store store.Store
	// Now is the clock; record times come from it.
	Now func() time.Time
	// Registry and Persons, when set, check who records where and which person
	// references events carry (registry.go); nil leaves that unchecked.
	Registry Registry
	Persons  Persons
	// Holders, when set, checks that an enterprise records only goods it holds
	// (custody.go); nil leaves that unchecked.
	Holders Holders
}

// New returns a capture service on s with the real clock.
func New(s store.Store) *Service { return &Service{Store: s, Now: time.Now} }

// Result is the outcome of a successful capture.
type Result struct {
	Job     *store.Job
	Outcome *store.CaptureResult
	// EventIDs in document order, as stored (assigned hashes for events that had none).
	EventIDs []string
}

// Capture stores every event of doc for subject, the responsible party, or nothing. A
// document that fails is still recorded as a failed job, so its errors can be read back
// at /capture/{id}; the returned error then carries the job ID in JobError.
func (s *Service) Capture(ctx context.Context, doc *epcis.Document, subject string) (*Result, error) {
	now := s.Now().UTC()
	job := &store.Job{ID: NewJobID(now), State: store.JobRunning, Subject: subject, CreatedAt: now, Events: len(doc.Events)}
	batch, err := s.prepare(doc, subject, now)
	if err == nil {
		err = s.checkRegistry(ctx, batch, subject)
	}
	if err == nil {
		err = s.checkCustody(ctx, batch, subject)
	}
	if err == nil {
		job.State, job.FinishedAt = store.JobSuccess, s.Now().UTC()
		batch.Job = job
		var out *store.CaptureResult
		out, err = s.Store.Capture(ctx, batch)
		if err == nil {
			job.Stored, job.Duplicates = out.Stored, out.Duplicates
			ids := make([]string, len(batch.Events))
			for i, e := range batch.Events {
				ids[i] = e.Event.EventID
			}
			return &Result{Job: job, Outcome: out, EventIDs: ids}, nil
		}
		var be *store.Error
		if errors.As(err, &be) {
			err = &zhuisu.Error{Code: zhuisu.ErrorCode(be.Err), Kind: "ValidationException",
				Field: fmt.Sprintf("epcisBody.eventList[%d].eventID", be.Index), Message: zhuisu.ErrorMessage(be.Err), Err: be.Err}
		}
	}
	code := zhuisu.ErrorCode(err)
	if code == zhuisu.EUnavailable || code == zhuisu.EInternal {
		return nil, err // nothing to tell the enterprise about its document
	}
	job.State, job.FinishedAt = store.JobFailed, s.Now().UTC()
	job.Errors = []store.JobError{jobError(err)}
	if ferr := s.Store.FailJob(ctx, job); ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	return nil, &JobError{JobID: job.ID, Err: err}
}

// JobError is a capture failure recorded under a job.
type JobError struct {
	JobID string
	Err   error
}

func (e *JobError) Error() string { return e.Err.Error() }
func (e *JobError) Unwrap() error { return e.Err }

func jobError(err error) store.JobError {
	je := store.JobError{Type: "ValidationException", Message: zhuisu.ErrorMessage(err)}
	var ze *zhuisu.Error
	if errors.As(err, &ze) {
		if ze.Kind != "" {
			je.Type = ze.Kind
		}
		je.Field = ze.Field
	}
	return je
}

// prepare turns a decoded document into a batch: normalised, stamped, hashed, encoded.
func (s *Service) prepare(doc *epcis.Document, subject string, now time.Time) (*store.Batch, error) {
	b := &store.Batch{Events: make([]*store.Event, len(doc.Events))}
	for i, e := range doc.Events {
		path := "epcisBody.eventList[" + strconv.Itoa(i) + "]"
		if err := e.Validate(); err != nil {
			return nil, at(err, path)
		}
		if err := Normalize(e); err != nil {
			return nil, at(err, path)
		}
		e.RecordTime = now
		hash := epcis.Hash(e)
		if e.EventID == "" {
			e.EventID = hash
		}
		var sum [32]byte
		if err := decodeHash(hash, &sum); err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "event hash")
		}
		doc := epcis.AppendEventJSON(nil, e)
		if bytes.Contains(doc, []byte(`\u0000`)) {
			// PostgreSQL text cannot hold U+0000; refuse it in every store alike.
			return nil, &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: path,
				Message: "the event contains a NUL character (U+0000), which is not allowed in any field"}
		}
		if id := residentIDIn(doc); id != "" {
			return nil, &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: path,
				Message: "the event holds a resident ID number in clear (" + codes.MaskResidentID(id) + "): record a natural person by a pseudonymous reference, never by personal data, since every event enters the permanent log"}
		}
		b.Events[i] = &store.Event{
			Hash:    sum,
			Event:   e,
			Doc:     doc,
			Facts:   public.EncodeFacts(e),
			Subject: subject,
			Keys:    Keys(e),
		}
	}
	return b, nil
}

// at prefixes the field of a domain error with the event's path in the document.
func at(err error, path string) error {
	var ze *zhuisu.Error
	if errors.As(err, &ze) {
		c := *ze
		if c.Field == "" {
			c.Field = path
		} else if !strings.HasPrefix(c.Field, "epcisBody") {
			c.Field = path + "." + c.Field
		}
		if c.Kind == "" {
			c.Kind = "ValidationException"
		}
		return &c
	}
	return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: path, Message: err.Error(), Err: err}
}

// decodeHash extracts the SHA-256 digest from an "ni:///sha-256;<hex>?ver=..." URI.
func decodeHash(ni string, out *[32]byte) error {
	const prefix = "ni:///sha-256;"
	if !strings.HasPrefix(ni, prefix) || len(ni) < len(prefix)+64 {
		return fmt.Errorf("unexpected hash form %q", ni)
	}
	_, err := hex.Decode(out[:], []byte(ni[len(prefix):len(prefix)+64]))
	return err
}

// NewJobID returns an ID that sorts by creation time and is unique across processes.
func NewJobID(t time.Time) string {
	var r [5]byte
	rand.Read(r[:])
	return fmt.Sprintf("%013x%s", t.UnixMilli(), hex.EncodeToString(r[:]))
}

// Normalize rewrites every identifier of e to its canonical URI (GS1 identifiers to
// canonical Digital Link). A malformed GS1 identifier is an error naming the field.
func Normalize(e *epcis.Event) error {
	one := func(field string, p *string) error {
		if *p == "" {
			return nil
		}
		c, err := codes.Canonical(*p)
		if err != nil {
			return fieldErr(err, field, *p)
		}
		*p = c
		return nil
	}
	list := func(field string, l []string) error {
		for i := range l {
			if err := one(field+"["+strconv.Itoa(i)+"]", &l[i]); err != nil {
				return err
			}
		}
		return nil
	}
	quantities := func(field string, l []epcis.QuantityElement) error {
		for i := range l {
			if err := one(field+"["+strconv.Itoa(i)+"].epcClass", &l[i].EPCClass); err != nil {
				return err
			}
		}
		return nil
	}
	parties := func(field string, l []epcis.SourceDest) error {
		for i := range l {
			if err := one(field+"["+strconv.Itoa(i)+"]", &l[i].Value); err != nil {
				return err
			}
		}
		return nil
	}
	steps := []error{
		one("parentID", &e.ParentID),
		list("epcList", e.EPCList),
		list("childEPCs", e.ChildEPCs),
		list("inputEPCList", e.InputEPCList),
		list("outputEPCList", e.OutputEPCList),
		quantities("quantityList", e.QuantityList),
		quantities("childQuantityList", e.ChildQuantityList),
		quantities("inputQuantityList", e.InputQuantityList),
		quantities("outputQuantityList", e.OutputQuantityList),
		parties("sourceList", e.SourceList),
		parties("destinationList", e.DestinationList),
	}
	if e.ReadPoint != nil {
		steps = append(steps, one("readPoint.id", &e.ReadPoint.ID))
	}
	if e.BizLocation != nil {
		steps = append(steps, one("bizLocation.id", &e.BizLocation.ID))
	}
	for i := range e.BizTransactionList {
		steps = append(steps, one("bizTransactionList["+strconv.Itoa(i)+"]", &e.BizTransactionList[i].Value))
	}
	return firstErr(steps)
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func fieldErr(err error, field, value string) error {
	msg := zhuisu.ErrorMessage(err)
	if msg == "internal error" {
		msg = err.Error()
	}
	return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: field,
		Message: fmt.Sprintf("%q is not a valid identifier: %s", value, msg), Err: err}
}

// Keys lists the index entries of e: every identifier in the role it stands in (and the
// class of an instance identifier, for EPC patterns), the parties of its flow, its
// business transactions and its transformation. Each entry appears once.
func Keys(e *epcis.Event) []store.Key {
	var ks []store.Key
	seen := make(map[store.Key]bool, 16)
	add := func(r store.Role, typ, v string) {
		k := store.Key{Role: r, Type: typ, Value: v}
		if v == "" || seen[k] {
			return
		}
		seen[k] = true
		ks = append(ks, k)
	}
	id := func(r store.Role, v string) {
		add(r, "", v)
		if c, ok := codes.ClassOf(v); ok {
			add(store.ClassRole(r), "", c)
		}
	}
	id(store.RoleParent, e.ParentID)
	for _, v := range e.EPCList {
		id(store.RoleEPC, v)
	}
	for _, v := range e.ChildEPCs {
		id(store.RoleChild, v)
	}
	for _, v := range e.InputEPCList {
		id(store.RoleInput, v)
	}
	for _, v := range e.OutputEPCList {
		id(store.RoleOutput, v)
	}
	for _, q := range e.QuantityList {
		id(store.RoleEPCClass, q.EPCClass)
	}
	for _, q := range e.ChildQuantityList {
		id(store.RoleChildClass, q.EPCClass)
	}
	for _, q := range e.InputQuantityList {
		id(store.RoleInputClass, q.EPCClass)
	}
	for _, q := range e.OutputQuantityList {
		id(store.RoleOutputClass, q.EPCClass)
	}
	for _, s := range e.SourceList {
		add(store.RoleSource, s.Type, s.Value)
	}
	for _, d := range e.DestinationList {
		add(store.RoleDestination, d.Type, d.Value)
	}
	for _, b := range e.BizTransactionList {
		add(store.RoleBizTransaction, b.Type, b.Value)
	}
	add(store.RoleTransformation, "", e.TransformationID)
	return ks
}
