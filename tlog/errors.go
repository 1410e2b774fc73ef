package tlog

import (
	"errors"

	"github.com/zhuisu/zhuisu"
)

// Sentinel causes attached (as zhuisu.Error.Err) to the errors of this package, so that a
// caller such as the witness HTTP handler can pick a finer answer with errors.Is. The
// user-safe text is always the zhuisu.Error message.
var (
	// ErrMalformed: the input is not in the expected format (a note, checkpoint, key,
	// proof, tile path or request body).
	ErrMalformed = errors.New("tlog: malformed input")
	// ErrUnknownKey: no signature on the note is from a known key.
	ErrUnknownKey = errors.New("tlog: no signature from a known key")
	// ErrBadSignature: a signature from a known key does not verify.
	ErrBadSignature = errors.New("tlog: invalid signature")
	// ErrWrongOrigin: a checkpoint names another log than the one expected.
	ErrWrongOrigin = errors.New("tlog: wrong origin")
	// ErrUnknownOrigin: a witness was asked to cosign a log it does not follow.
	ErrUnknownOrigin = errors.New("tlog: unknown origin")
	// ErrBadProof: a proof has the wrong number of hashes for its sizes or is otherwise
	// not a proof at all.
	ErrBadProof = errors.New("tlog: malformed proof")
	// ErrProofFailed: a well-formed proof does not verify against the given hashes.
	ErrProofFailed = errors.New("tlog: proof does not verify")
	// ErrNotInTree: a tile or leaf lies beyond the tree size asked about.
	ErrNotInTree = errors.New("tlog: not in tree")
	// ErrRollback: a checkpoint is smaller than one already cosigned.
	ErrRollback = errors.New("tlog: rollback")
	// ErrFork: a checkpoint has the size of one already cosigned but another root.
	ErrFork = errors.New("tlog: fork")
	// ErrInconsistent: the consistency proof from the cosigned checkpoint to the new one
	// does not verify; the log may have forked.
	ErrInconsistent = errors.New("tlog: inconsistent checkpoint")
	// ErrOldSizeMismatch: an add-checkpoint request starts from another size than the
	// witness's latest cosigned checkpoint.
	ErrOldSizeMismatch = errors.New("tlog: old size does not match")
)

// errorf returns a *zhuisu.Error of the given code with cause as its Err.
func errorf(code zhuisu.Code, cause error, format string, args ...any) *zhuisu.Error {
	e := zhuisu.Errorf(code, format, args...)
	e.Err = cause
	return e
}

func invalid(cause error, format string, args ...any) *zhuisu.Error {
	return errorf(zhuisu.EInvalid, cause, format, args...)
}
