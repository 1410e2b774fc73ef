package integrity

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
)

// The audit log is a hash chain kept beside the events (store.AuditHash). Every signed
// checkpoint commits to the chain's head in an extension line
//
//	zhuisu-audit <records> <base64 hash of the last record>
//
// so the audit records a checkpoint covers can no longer be changed, removed or
// reordered without verify finding it, even by someone who can write the database.

// auditLinePrefix starts the checkpoint extension line of the audit head.
const auditLinePrefix = "zhuisu-audit "

// AuditLine returns the extension line committing to the audit head of st.
func AuditLine(ctx context.Context, st store.AuditStore) (string, error) {
	n, head, err := st.AuditHead(ctx)
	if err != nil {
		return "", err
	}
	return auditLinePrefix + strconv.FormatInt(n, 10) + " " + base64.StdEncoding.EncodeToString(head[:]), nil
}

// AuditExtensions is a Service.Extensions that commits every checkpoint to the audit head.
func AuditExtensions(st store.AuditStore) func(context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		l, err := AuditLine(ctx, st)
		if err != nil {
			return nil, err
		}
		return []string{l}, nil
	}
}

// parseAuditLine reads an audit extension line; ok is false for any other line.
func parseAuditLine(l string) (n int64, head [32]byte, ok bool, err error) {
	rest, found := strings.CutPrefix(l, auditLinePrefix)
	if !found {
		return 0, head, false, nil
	}
	ns, hs, found := strings.Cut(rest, " ")
	n, perr := strconv.ParseInt(ns, 10, 64)
	b, derr := base64.StdEncoding.DecodeString(hs)
	if !found || perr != nil || n < 0 || derr != nil || len(b) != 32 {
		return 0, head, true, fmt.Errorf("malformed audit line %q", l)
	}
	copy(head[:], b)
	return n, head, true, nil
}

// sign signs the checkpoint of a tree, with the extension lines of s.Extensions.
func (s *Service) sign(ctx context.Context, size int64, root tlog.Hash) ([]byte, error) {
	var ext []string
	if s.Extensions != nil {
		var err error
		if ext, err = s.Extensions(ctx); err != nil {
			return nil, err
		}
	}
	return tlog.Checkpoint{Origin: s.Origin, Size: size, Root: root, Extensions: ext}.Sign(s.Signer)
}

// auditPage is how many audit records verify reads at a time.
const auditPage = 4096

// verifyAudit recomputes the audit chain from the records the store holds and checks
// the head each checkpoint commits to. It names the first record or checkpoint found
// wrong in rep.Problem.
func verifyAudit(ctx context.Context, st store.Store, origin string, verifiers []tlog.Verifier, rep *Report) error {
	// What the checkpoints commit to, by number of records.
	type commitment struct {
		size int64 // the checkpoint's tree size, to name it
		head [32]byte
	}
	want := map[int64][]commitment{}
	var most int64
	for after := int64(0); ; {
		cps, err := st.Checkpoints(ctx, after, 1000)
		if err != nil {
			return err
		}
		for _, cp := range cps {
			c, err := tlog.OpenCheckpoint(cp.Note, origin, verifiers...)
			if err != nil {
				rep.Problem = fmt.Sprintf("checkpoint of size %d: its signed note does not verify: %s", cp.Size, zhuisu.ErrorMessage(err))
				return nil
			}
			for _, l := range c.Extensions {
				n, head, ok, err := parseAuditLine(l)
				if err != nil {
					rep.Problem = fmt.Sprintf("checkpoint of size %d: %v", cp.Size, err)
					return nil
				}
				if ok {
					want[n] = append(want[n], commitment{cp.Size, head})
					most = max(most, n)
				}
			}
		}
		if len(cps) < 1000 {
			break
		}
		after = cps[len(cps)-1].Size
	}
	check := func(n int64, head [32]byte) bool {
		for _, c := range want[n] {
			if c.head != head {
				rep.Problem = fmt.Sprintf("checkpoint of size %d commits to audit records 0 to %d, but the stored chain differs: one of them was changed or replaced", c.size, n-1)
				return false
			}
		}
		return true
	}
	var head [32]byte // the empty chain's
	if !check(0, head) {
		return nil
	}
	var n int64
	for {
		page, err := st.AuditRecords(ctx, &store.AuditQuery{From: n, Limit: auditPage})
		if err != nil {
			return err
		}
		for _, r := range page {
			switch {
			case r.Seq != n:
				rep.Problem = fmt.Sprintf("audit record %d is missing (the next stored is %d)", n, r.Seq)
				return nil
			case r.Prev != head:
				rep.Problem = fmt.Sprintf("audit record %d: its link to record %d does not match that record's hash (a record before it was changed or removed)", n, n-1)
				return nil
			case store.AuditHash(head, r) != r.Hash:
				rep.Problem = fmt.Sprintf("audit record %d (%s %s %s at %s): its content does not match its hash: it was changed after it was written",
					n, r.Actor, r.Action, r.Object, r.Time.Format("2006-01-02T15:04:05Z07:00"))
				return nil
			}
			head = r.Hash
			n++
			if !check(n, head) {
				return nil
			}
		}
		if len(page) < auditPage {
			break
		}
	}
	if most > n {
		rep.Problem = fmt.Sprintf("a checkpoint commits to %d audit records, but only %d are stored: audit records %d to %d were removed", most, n, n, most-1)
	}
	return nil
}
