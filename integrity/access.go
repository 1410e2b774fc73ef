package integrity

import (
	"context"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/epcis"
)

// ProofFor is Proof for a reader: the proof carries the stored record, so an event sc may
// not read is not found, whether or not a checkpoint covers it yet.
func (s *Service) ProofFor(ctx context.Context, sc *access.Scope, eventID string) (*EventProof, error) {
	if !sc.All() {
		row, err := s.Store.Event(ctx, eventID)
		if err != nil {
			return nil, err
		}
		e, err := epcis.DecodeEventJSON(row.Doc)
		if err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "stored event %d cannot be decoded", row.Seq)
		}
		if !sc.Sees(row, e) {
			return nil, zhuisu.Errorf(zhuisu.ENotFound, "no event with eventID %s", eventID)
		}
	}
	return s.Proof(ctx, eventID)
}
