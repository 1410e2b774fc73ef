package integrity

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
)

// WitnessService is this node acting as a witness of other nodes' logs: it co-signs a
// checkpoint only when it verifies with the log's key and extends the last checkpoint it
// co-signed for that log (C2SP tlog-witness add-checkpoint).
type WitnessService struct {
	Store   store.Store
	Witness *tlog.Witness
	Now     func() time.Time
}

// AddCheckpoint answers an add-checkpoint request body with the cosignature line(s).
// Errors carry the tlog sentinels (tlog.ErrOldSizeMismatch, ErrRollback, ErrFork, ...);
// with ErrOldSizeMismatch the error is an *OldSizeError holding the size to retry from.
func (w *WitnessService) AddCheckpoint(ctx context.Context, body []byte) ([]byte, error) {
	req, err := tlog.ParseAddCheckpoint(body)
	if err != nil {
		return nil, err
	}
	origin := req.Origin()
	var old *store.WitnessState
	last := tlog.WitnessState{}
	st, err := w.Store.WitnessState(ctx, origin)
	switch {
	case err == nil:
		old, last = st, tlog.WitnessState{Size: st.Size, Root: st.Root}
	case !zhuisu.IsCode(err, zhuisu.ENotFound):
		return nil, err
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	next, lines, err := w.Witness.AddCheckpoint(req, last, now)
	if err != nil {
		if errors.Is(err, tlog.ErrOldSizeMismatch) {
			return nil, &OldSizeError{Size: last.Size, Err: err}
		}
		return nil, err
	}
	// Store before answering, compare-and-set, so that two requests racing from the
	// same state cannot roll the state back.
	if err := w.Store.SetWitnessState(ctx, origin, old, &store.WitnessState{Size: next.Size, Root: next.Root, UpdatedAt: now.UTC()}); err != nil {
		return nil, err
	}
	return lines, nil
}

// OldSizeError says a request was not made from the size the witness last co-signed.
type OldSizeError struct {
	Size int64
	Err  error
}

func (e *OldSizeError) Error() string { return e.Err.Error() }
func (e *OldSizeError) Unwrap() error { return e.Err }

// Post sends an add-checkpoint body to a witness and returns the HTTP status and body.
// It is supplied by the wiring, so this package stays free of net/http.
type Post func(ctx context.Context, url string, body []byte) (status int, resp []byte, err error)

// WitnessPeer is a witness this log asks for cosignatures.
type WitnessPeer struct {
	URL      string        // its add-checkpoint endpoint
	Verifier tlog.Verifier // its cosigner key
	// size is the size of the last checkpoint it co-signed, as far as this node knows.
	size int64
}

// ErrWitnessRefused is a witness's refusal, with its answer in the message.
var ErrWitnessRefused = errors.New("witness refused the checkpoint")

// Cosign asks every peer to co-sign cp and stores the cosignatures it gets. A peer that
// refuses, or cannot be reached, is skipped and asked again with the next checkpoint.
func (s *Service) Cosign(ctx context.Context, cp *store.Checkpoint, peers []*WitnessPeer, post Post) error {
	note := cp.Note
	var errs []error
	for _, p := range peers {
		lines, err := s.askWitness(ctx, cp, p, post)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := tlog.VerifyCosignatures(append(append([]byte(nil), cp.Note...), lines...), p.Verifier); err != nil {
			errs = append(errs, zhuisu.Wrap(err, zhuisu.EInvalid, "witness %s answered a cosignature that does not verify", p.URL))
			continue
		}
		if note, err = tlog.AddSignatures(note, lines); err != nil {
			errs = append(errs, err)
			continue
		}
		p.size = cp.Size
	}
	if len(note) != len(cp.Note) {
		if err := s.Store.AddCosignatures(ctx, cp.Size, note); err != nil {
			return err
		}
		cp.Note = note
	}
	return errors.Join(errs...)
}

func (s *Service) askWitness(ctx context.Context, cp *store.Checkpoint, p *WitnessPeer, post Post) ([]byte, error) {
	for range 2 { // a second try from the size the witness says it has
		req := tlog.AddCheckpointRequest{OldSize: p.size, Checkpoint: cp.Note}
		if p.size > 0 && p.size < cp.Size {
			proof, err := tlog.ProveConsistency(p.size, cp.Size, s.HashReader(ctx))
			if err != nil {
				return nil, err
			}
			req.Proof = proof.Hashes
		}
		status, body, err := post(ctx, p.URL, req.Format())
		if err != nil {
			return nil, err
		}
		switch status {
		case 200:
			return body, nil
		case 409:
			if n, perr := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64); perr == nil && n != p.size && n <= cp.Size {
				p.size = n
				continue
			}
		}
		return nil, zhuisu.Wrap(ErrWitnessRefused, zhuisu.EConflict, "witness %s answered %d: %s", p.URL, status, strings.TrimSpace(string(body)))
	}
	return nil, zhuisu.Wrap(ErrWitnessRefused, zhuisu.EConflict, "witness %s keeps changing its size", p.URL)
}
