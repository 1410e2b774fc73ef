package tlog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
)

// witnessFixture is a log (the shared store, signed with the Ed25519 test key) and a
// witness that follows it.
type witnessFixture struct {
	store *memStore
	ref   *naive
	log   Signer
	w     *Witness
	now   time.Time
}

func newWitnessFixture(t *testing.T) *witnessFixture {
	s := sharedStore(t)
	return &witnessFixture{
		store: s,
		ref:   newNaive(s),
		log:   mustSigner(t, testEdSKey),
		w: &Witness{
			Cosigner: mustSigner(t, testWitSKey).(*Cosigner),
			Logs:     map[string][]Verifier{testOrigin: {mustVerifier(t, testEdVKey)}},
		},
		now: time.Unix(1700000000, 0),
	}
}

// checkpoint returns the log's signed checkpoint of size n.
func (f *witnessFixture) checkpoint(t *testing.T, n int) []byte {
	msg, err := SignCheckpoint(testOrigin, int64(n), f.ref.mth(0, n), f.log)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// request is the add-checkpoint request from old to n with the real consistency proof.
func (f *witnessFixture) request(t *testing.T, old, n int) AddCheckpointRequest {
	p, err := ProveConsistency(int64(old), int64(n), f.store)
	if err != nil {
		t.Fatal(err)
	}
	return AddCheckpointRequest{OldSize: int64(old), Proof: p.Hashes, Checkpoint: f.checkpoint(t, n)}
}

func (f *witnessFixture) state(n int) WitnessState {
	return WitnessState{Size: int64(n), Root: f.ref.mth(0, n)}
}

func TestWitnessCosignsConsistentGrowth(t *testing.T) {
	f := newWitnessFixture(t)
	state := WitnessState{}
	sizes := []int{0, 1, 1, 2, 7, 8, 256, 257, 1000, 65536, 65537}
	for i, n := range sizes {
		req := f.request(t, int(state.Size), n)
		// The request goes through its wire form, as it would over HTTP.
		parsed, err := ParseAddCheckpoint(req.Format())
		if err != nil {
			t.Fatal(err)
		}
		if parsed.Origin() != testOrigin {
			t.Fatalf("Origin() = %q", parsed.Origin())
		}
		now := f.now.Add(time.Duration(i) * time.Second)
		next, lines, err := f.w.AddCheckpoint(parsed, state, now)
		if err != nil {
			t.Fatalf("growth %d -> %d refused: %v", state.Size, n, err)
		}
		if next != f.state(n) {
			t.Fatalf("state after %d = %+v, want %+v", n, next, f.state(n))
		}
		cosigned, err := AddSignatures(req.Checkpoint, lines)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := VerifyCosignatures(cosigned, mustVerifier(t, testWitVKey))
		if err != nil || len(cs) != 1 || !cs[0].Time.Equal(now) {
			t.Fatalf("cosignature of size %d: %+v, %v", n, cs, err)
		}
		state = next
	}
}

func TestWitnessRefusesRollbackForkAndBadInput(t *testing.T) {
	f := newWitnessFixture(t)
	good := f.request(t, 100, 300)
	altered := f.request(t, 100, 300)
	altered.Proof = append([]Hash{}, altered.Proof...)
	altered.Proof[0][0] ^= 1
	// A forked log: same origin and key, a different tree at size 300.
	forkRoot := NodeHash(f.ref.mth(0, 299), f.ref.mth(0, 1))
	forked, err := SignCheckpoint(testOrigin, 300, forkRoot, f.log)
	if err != nil {
		t.Fatal(err)
	}
	otherSKey, _, err := GenerateEd25519(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	byOther, err := SignCheckpoint(testOrigin, 300, f.ref.mth(0, 300), mustSigner(t, otherSKey))
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(good.Checkpoint, []byte("\n300\n"), []byte("\n301\n"), 1)
	unknownLog, err := SignCheckpoint("example.org/unknown", 300, f.ref.mth(0, 300), f.log)
	if err != nil {
		t.Fatal(err)
	}
	with := func(r AddCheckpointRequest, f func(*AddCheckpointRequest)) AddCheckpointRequest {
		r.Proof = append([]Hash{}, r.Proof...)
		f(&r)
		return r
	}
	for _, c := range []struct {
		name  string
		req   AddCheckpointRequest
		last  WitnessState
		code  zhuisu.Code
		cause error
	}{
		{"rollback to a smaller size is refused", f.request(t, 100, 200), f.state(300), zhuisu.EConflict, ErrRollback},
		{"rollback claiming the cosigned old size is refused", AddCheckpointRequest{OldSize: 300, Checkpoint: f.checkpoint(t, 200)}, f.state(300), zhuisu.EConflict, ErrRollback},
		{"fork at the cosigned size is refused", AddCheckpointRequest{OldSize: 300, Checkpoint: forked}, f.state(300), zhuisu.EConflict, ErrFork},
		{"fork hidden behind growth is refused as inconsistent", AddCheckpointRequest{OldSize: 100, Proof: good.Proof, Checkpoint: forked}, f.state(100), zhuisu.EConflict, ErrInconsistent},
		{"growth from a forked cosigned root is refused as inconsistent", good, WitnessState{Size: 100, Root: f.ref.mth(0, 99)}, zhuisu.EConflict, ErrInconsistent},
		{"altered consistency proof is refused", altered, f.state(100), zhuisu.EConflict, ErrInconsistent},
		{"truncated consistency proof is refused", with(good, func(r *AddCheckpointRequest) { r.Proof = r.Proof[:len(r.Proof)-1] }), f.state(100), zhuisu.EInvalid, ErrBadProof},
		{"consistency proof with an extra hash is refused", with(good, func(r *AddCheckpointRequest) { r.Proof = append(r.Proof, Hash{}) }), f.state(100), zhuisu.EInvalid, ErrBadProof},
		{"proof from size zero is refused", with(f.request(t, 0, 300), func(r *AddCheckpointRequest) { r.Proof = good.Proof }), WitnessState{}, zhuisu.EInvalid, ErrBadProof},
		{"proof between equal sizes is refused", AddCheckpointRequest{OldSize: 300, Proof: good.Proof[:1], Checkpoint: good.Checkpoint}, f.state(300), zhuisu.EInvalid, ErrBadProof},
		{"request from another old size is refused", good, f.state(150), zhuisu.EConflict, ErrOldSizeMismatch},
		{"first request not from zero is refused", good, WitnessState{}, zhuisu.EConflict, ErrOldSizeMismatch},
		{"old size above the checkpoint size is refused", AddCheckpointRequest{OldSize: 301, Checkpoint: good.Checkpoint}, f.state(100), zhuisu.EInvalid, ErrMalformed},
		{"checkpoint signed by another key of the log's name is refused", AddCheckpointRequest{OldSize: 100, Proof: good.Proof, Checkpoint: byOther}, f.state(100), zhuisu.EInvalid, ErrUnknownKey},
		{"checkpoint with a changed size is refused", AddCheckpointRequest{OldSize: 100, Proof: good.Proof, Checkpoint: tampered}, f.state(100), zhuisu.EInvalid, ErrBadSignature},
		{"checkpoint of a log the witness does not follow is refused", AddCheckpointRequest{OldSize: 0, Checkpoint: unknownLog}, WitnessState{}, zhuisu.ENotFound, ErrUnknownOrigin},
		{"size 0 checkpoint with a non-empty root is refused", AddCheckpointRequest{OldSize: 0, Checkpoint: mustSignSize(t, f.log, 0, f.ref.mth(0, 1))}, WitnessState{}, zhuisu.EInvalid, ErrProofFailed},
	} {
		t.Run(c.name, func(t *testing.T) {
			next, lines, err := f.w.AddCheckpoint(c.req, c.last, f.now)
			wantErr(t, err, c.code, c.cause)
			if next != c.last || lines != nil {
				t.Fatalf("a refused request changed the state to %+v or answered %q", next, lines)
			}
		})
	}
	t.Run("the same checkpoint again is cosigned again", func(t *testing.T) {
		next, lines, err := f.w.AddCheckpoint(AddCheckpointRequest{OldSize: 300, Checkpoint: good.Checkpoint}, f.state(300), f.now)
		if err != nil || next != f.state(300) || len(lines) == 0 {
			t.Fatalf("got %+v, %q, %v", next, lines, err)
		}
	})
}

func mustSignSize(t *testing.T, s Signer, n int64, root Hash) []byte {
	msg, err := SignCheckpoint(testOrigin, n, root, s)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestAddCheckpointBodiesParseStrictly(t *testing.T) {
	f := newWitnessFixture(t)
	req := f.request(t, 5, 13)
	body := req.Format()
	got, err := ParseAddCheckpoint(body)
	if err != nil || got.OldSize != 5 || !equalHashes(got.Proof, req.Proof) || !bytes.Equal(got.Checkpoint, req.Checkpoint) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if !strings.HasPrefix(string(body), "old 5\n"+req.Proof[0].String()+"\n") {
		t.Fatalf("body = %q", body)
	}
	many := "old 1\n" + strings.Repeat(EmptyRoot.String()+"\n", 64) + "\n" + string(req.Checkpoint)
	for _, c := range []struct{ name, body string }{
		{"body without blank line is rejected", strings.Replace(string(body), "\n\n", "\n", 1)},
		{"body without checkpoint is rejected", "old 0\n\n"},
		{"old size with leading zero is rejected", strings.Replace(string(body), "old 5", "old 05", 1)},
		{"missing old line is rejected", strings.TrimPrefix(string(body), "old 5\n")},
		{"malformed proof line is rejected", strings.Replace(string(body), req.Proof[0].String(), "not base64", 1)},
		{"more than 63 proof lines are rejected", many},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAddCheckpoint([]byte(c.body))
			wantErr(t, err, zhuisu.EInvalid, ErrMalformed)
		})
	}
}
