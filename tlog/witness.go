package tlog

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
)

// AddCheckpointRequest is the body of a C2SP tlog-witness add-checkpoint request:
//
//	old <size of the checkpoint the witness last cosigned>
//	<consistency proof hash, base64>   (zero to 63 lines)
//	<blank line>
//	<signed checkpoint>
type AddCheckpointRequest struct {
	OldSize    int64
	Proof      []Hash
	Checkpoint []byte
}

// maxWitnessProof is the most consistency proof lines tlog-witness allows.
const maxWitnessProof = 63

// ParseAddCheckpoint parses an add-checkpoint request body. It checks only the framing;
// Witness.AddCheckpoint checks the checkpoint and the proof.
func ParseAddCheckpoint(body []byte) (AddCheckpointRequest, error) {
	bad := func(why string) (AddCheckpointRequest, error) {
		return AddCheckpointRequest{}, invalid(ErrMalformed, "malformed add-checkpoint request: %s", why)
	}
	if len(body) > maxNoteSize+maxWitnessProof*45+32 {
		return bad("too long")
	}
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok || len(cp) == 0 {
		return bad("want an old size line, proof lines, a blank line and a checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	v, found := strings.CutPrefix(lines[0], "old ")
	if !found {
		return bad(`the first line must be "old <size>"`)
	}
	old, ok := parseDecimal(v)
	if !ok {
		return bad("the old size is not a decimal number without leading zeros")
	}
	if len(lines)-1 > maxWitnessProof {
		return bad("more than 63 consistency proof lines")
	}
	r := AddCheckpointRequest{OldSize: old, Proof: make([]Hash, 0, len(lines)-1), Checkpoint: cp}
	for _, l := range lines[1:] {
		h, ok := parseHash(l)
		if !ok {
			return bad("a consistency proof line is not a hash in standard base64")
		}
		r.Proof = append(r.Proof, h)
	}
	return r, nil
}

// Format returns the request body.
func (r AddCheckpointRequest) Format() []byte {
	var b bytes.Buffer
	b.WriteString("old " + strconv.FormatInt(r.OldSize, 10) + "\n")
	for _, h := range r.Proof {
		b.WriteString(h.String() + "\n")
	}
	b.WriteString("\n")
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// Origin returns the origin line of the request's checkpoint, not yet verified: the key
// under which the witness keeps its state for that log.
func (r AddCheckpointRequest) Origin() string {
	origin, _, _ := strings.Cut(string(r.Checkpoint), "\n")
	return origin
}

// WitnessState is what a witness keeps per log origin: the size and root of the latest
// checkpoint it cosigned. The zero value is a log never cosigned.
type WitnessState struct {
	Size int64
	Root Hash
}

// A Witness cosigns checkpoints of the logs it follows when they grow consistently
// (C2SP tlog-witness add-checkpoint). It holds no state of its own: the caller loads the
// state of the request's origin, calls AddCheckpoint, and stores the returned state, all
// in one transaction (or under one lock per origin), before answering. Otherwise two
// concurrent requests could roll the state back.
type Witness struct {
	// Cosigner signs the cosignatures.
	Cosigner *Cosigner
	// Logs maps each followed log's origin to its trusted keys.
	Logs map[string][]Verifier
}

// AddCheckpoint decides an add-checkpoint request given the state last of the request's
// origin (see AddCheckpointRequest.Origin) at time now. On success it returns the new state
// to store and the cosignature line(s) to answer with.
//
// Errors, with their causes and the tlog-witness HTTP answer they stand for:
//   - ENotFound, ErrUnknownOrigin: the witness does not follow the origin (404).
//   - EInvalid, ErrUnknownKey/ErrBadSignature/ErrMalformed: the checkpoint is not validly
//     signed by a key of the log (403), or malformed (400).
//   - EConflict, ErrRollback: the checkpoint is smaller than the one cosigned (409).
//   - EInvalid, ErrMalformed: the old size is larger than the checkpoint size (400).
//   - EConflict, ErrOldSizeMismatch: the request is not from the cosigned size; answer
//     409 with body last.Size in decimal and a newline (text/x.tlog.size).
//   - EConflict, ErrFork: same size as the cosigned checkpoint, different root (409).
//   - EInvalid, ErrBadProof: the proof has the wrong number of hashes (422).
//   - EConflict, ErrInconsistent: the proof does not verify: the new checkpoint does not
//     extend the cosigned one, a fork or a corrupted proof (422).
func (w *Witness) AddCheckpoint(req AddCheckpointRequest, last WitnessState, now time.Time) (WitnessState, []byte, error) {
	if w.Cosigner == nil {
		return last, nil, zhuisu.Errorf(zhuisu.EInternal, "tlog: witness has no cosigner")
	}
	origin := req.Origin()
	keys, ok := w.Logs[origin]
	if !ok {
		return last, nil, errorf(zhuisu.ENotFound, ErrUnknownOrigin, "this witness does not follow the log %q", truncate(origin))
	}
	cp, err := OpenCheckpoint(req.Checkpoint, origin, keys...)
	if err != nil {
		return last, nil, err
	}
	if cp.Size < last.Size {
		return last, nil, errorf(zhuisu.EConflict, ErrRollback, "rollback refused: checkpoint of %s has size %d, smaller than the size %d already cosigned", origin, cp.Size, last.Size)
	}
	if req.OldSize > cp.Size {
		return last, nil, invalid(ErrMalformed, "old size %d is larger than the checkpoint size %d", req.OldSize, cp.Size)
	}
	if req.OldSize != last.Size {
		return last, nil, errorf(zhuisu.EConflict, ErrOldSizeMismatch, "the request is from size %d but the latest cosigned checkpoint of %s has size %d", req.OldSize, origin, last.Size)
	}
	switch {
	case last.Size == 0:
		if len(req.Proof) != 0 {
			return last, nil, invalid(ErrBadProof, "malformed consistency proof: must be empty from size 0, got %d hashes", len(req.Proof))
		}
		if cp.Size == 0 && cp.Root != EmptyRoot {
			return last, nil, invalid(ErrProofFailed, "checkpoint of size 0 has root %s, not the empty tree's", cp.Root)
		}
	case cp.Size == last.Size:
		if len(req.Proof) != 0 {
			return last, nil, invalid(ErrBadProof, "malformed consistency proof: must be empty between equal sizes, got %d hashes", len(req.Proof))
		}
		if cp.Root != last.Root {
			return last, nil, errorf(zhuisu.EConflict, ErrFork, "fork refused: checkpoint of %s at size %d has root %s, but root %s was cosigned at that size", origin, cp.Size, cp.Root, last.Root)
		}
	default:
		p := ConsistencyProof{OldSize: last.Size, TreeSize: cp.Size, Hashes: req.Proof}
		if err := p.check(); err != nil {
			return last, nil, err
		}
		if p.Verify(last.Root, cp.Root) != nil {
			return last, nil, errorf(zhuisu.EConflict, ErrInconsistent, "inconsistent checkpoint refused: the consistency proof does not show the tree of %s of size %d with root %s extends the cosigned tree of size %d with root %s", origin, cp.Size, cp.Root, last.Size, last.Root)
		}
	}
	text, err := cp.Text()
	if err != nil {
		return last, nil, err
	}
	line, err := w.Cosigner.SignatureLine(text, now)
	if err != nil {
		return last, nil, err
	}
	return WitnessState{Size: cp.Size, Root: cp.Root}, line, nil
}

// AddSignatures appends signature lines (such as a witness's answer) to a signed note,
// after checking that they are signature lines.
func AddSignatures(msg, lines []byte) ([]byte, error) {
	if len(lines) == 0 || lines[len(lines)-1] != '\n' {
		return nil, invalid(ErrMalformed, "signature lines must end in a newline")
	}
	for _, l := range strings.Split(string(lines[:len(lines)-1]), "\n") {
		if !strings.HasPrefix(l, "— ") {
			return nil, invalid(ErrMalformed, `a signature line does not start with "— "`)
		}
	}
	out := append(append([]byte{}, msg...), lines...)
	if err := checkNoteFraming(out); err != nil {
		return nil, err
	}
	return out, nil
}
