package recall

import (
	"context"
	"fmt"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
)

// Who may do what with recalls (docs/recall.md). "Sees the goods" means the scope may read
// at least one event of every recalled code (package access):
//   - the administrator creates, reads, exports, updates and closes every recall;
//   - a regulator or an enterprise creates recalls only of goods it sees; it reads in full,
//     exports, updates and closes the recalls it created, and a regulator also those of
//     goods it sees;
//   - an enterprise that holds goods of another's recall reads that recall with only its
//     own holder rows, and updates only those rows;
//   - other roles do nothing with recalls.
//
// The recall itself always reaches every holder, seen by its creator or not: that is its
// purpose. who identifies the caller as recorded in Recall.Subject.

// seesGoods says whether sc may read at least one event of every code.
func (s *Service) seesGoods(ctx context.Context, sc *access.Scope, codes []string) (int, error) {
	for i, c := range codes {
		_, err := s.Trace.TraceFor(ctx, sc, trace.Request{Code: c, Direction: lineage.Forward, Depth: 1})
		if zhuisu.IsCode(err, zhuisu.ENotFound) {
			return i, nil
		}
		if err != nil {
			return i, err
		}
	}
	return -1, nil
}

// CreateFor is Create on behalf of sc.
func (s *Service) CreateFor(ctx context.Context, sc *access.Scope, who string, given []string, reason string) (*store.Recall, error) {
	if !sc.All() {
		if sc.Subject() == "" && !sc.Regulates() {
			return nil, zhuisu.Errorf(zhuisu.EForbidden, "this role does not recall goods")
		}
		for i, g := range given {
			unseen, err := s.seesGoods(ctx, sc, []string{g})
			if err != nil && !zhuisu.IsCode(err, zhuisu.EInvalid) {
				return nil, err
			}
			if err == nil && unseen >= 0 {
				e := zhuisu.Errorf(zhuisu.EForbidden, "code %q: goods are recalled by those who may read their records", g)
				e.Field = fmt.Sprintf("codes[%d]", i)
				return nil, e
			}
			// A malformed code is reported by Create, with its field.
		}
	}
	return s.Create(ctx, who, given, reason)
}

// level is how much of a recall a scope may read.
type level int

const (
	none  level = iota
	own         // the recall with the scope's own holder rows only
	whole       // the whole recall
)

func (s *Service) levelOf(ctx context.Context, sc *access.Scope, who string, r *store.Recall) (level, error) {
	if sc.All() || (who != "" && r.Subject == who) {
		return whole, nil
	}
	if sc.Regulates() {
		codes := make([]string, len(r.Codes))
		for i, c := range r.Codes {
			codes[i] = c.Canonical
		}
		unseen, err := s.seesGoods(ctx, sc, codes)
		if err != nil {
			return none, err
		}
		if unseen < 0 {
			return whole, nil
		}
	}
	for _, h := range r.Holders {
		if sc.Names(h.Party) {
			return own, nil
		}
	}
	return none, nil
}

// RecallFor returns a recall as sc may read it; one it may not read is not found.
func (s *Service) RecallFor(ctx context.Context, sc *access.Scope, who, id string) (*store.Recall, error) {
	r, err := s.Recall(ctx, id)
	if err != nil {
		return nil, err
	}
	lv, err := s.levelOf(ctx, sc, who, r)
	if err != nil {
		return nil, err
	}
	switch lv {
	case whole:
		return r, nil
	case own:
		v := *r
		v.Holders, v.Identifiers = nil, []string{}
		for _, h := range r.Holders {
			if sc.Names(h.Party) {
				v.Holders = append(v.Holders, h)
			}
		}
		return &v, nil
	}
	return nil, zhuisu.Errorf(zhuisu.ENotFound, "no recall %s", id)
}

// RecallsFor lists the recalls sc may read, newest first, at most limit, older than
// beforeID when it is set. Holders and identifiers are left out, as in Recalls.
func (s *Service) RecallsFor(ctx context.Context, sc *access.Scope, who, beforeID string, limit int) ([]*store.Recall, error) {
	if sc.All() {
		return s.Recalls(ctx, beforeID, limit)
	}
	// Each recall is judged on its holders and codes: recalls are few, so reading each
	// in full is affordable.
	const chunk = 100
	var out []*store.Recall
	for len(out) < limit {
		page, err := s.Recalls(ctx, beforeID, chunk)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			full, err := s.Recall(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			lv, err := s.levelOf(ctx, sc, who, full)
			if err != nil {
				return nil, err
			}
			if lv != none && len(out) < limit {
				out = append(out, r)
			}
		}
		if len(page) < chunk {
			break
		}
		beforeID = page[len(page)-1].ID
	}
	return out, nil
}

// mayRun checks that sc may act on the whole recall (export, close).
func (s *Service) mayRun(ctx context.Context, sc *access.Scope, who, id, what string) error {
	r, err := s.Recall(ctx, id)
	if err != nil {
		return err
	}
	lv, err := s.levelOf(ctx, sc, who, r)
	switch {
	case err != nil:
		return err
	case lv == none:
		return zhuisu.Errorf(zhuisu.ENotFound, "no recall %s", id)
	case lv == own:
		return zhuisu.Errorf(zhuisu.EForbidden, "recall %s is %s by whoever created it and by regulators who see the goods", id, what)
	}
	return nil
}

// ExportFor exports a recall sc may run.
func (s *Service) ExportFor(ctx context.Context, sc *access.Scope, who, id, format string) (*Export, error) {
	if err := s.mayRun(ctx, sc, who, id, "exported"); err != nil {
		return nil, err
	}
	return s.Export(ctx, id, format)
}

// CloseFor closes a recall sc may run.
func (s *Service) CloseFor(ctx context.Context, sc *access.Scope, who, id string) (*store.Recall, error) {
	if err := s.mayRun(ctx, sc, who, id, "closed"); err != nil {
		return nil, err
	}
	return s.Close(ctx, id)
}

// UpdateHolderFor is UpdateHolder on behalf of sc: a holder that reads only its own rows
// updates only those.
func (s *Service) UpdateHolderFor(ctx context.Context, sc *access.Scope, who, recallID, party string, u HolderUpdate) (*store.RecallHolder, error) {
	r, err := s.Recall(ctx, recallID)
	if err != nil {
		return nil, err
	}
	lv, err := s.levelOf(ctx, sc, who, r)
	switch {
	case err != nil:
		return nil, err
	case lv == none:
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "no recall %s", recallID)
	case lv == own && !sc.Names(party):
		return nil, zhuisu.Errorf(zhuisu.EForbidden, "a holder updates only its own rows of recall %s", recallID)
	}
	return s.UpdateHolder(ctx, who, recallID, party, u)
}
