package integrity

import (
	"context"
	"fmt"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/tlog"
)

// Fetch reads one resource of a log's public surface by its path relative to the log's
// base ("checkpoint", "tile/0/000", "tile/entries/x001/234.p/7").
type Fetch func(ctx context.Context, path string) ([]byte, error)

// VerifyRemote checks a log from outside, from what it publishes only, as a monitor
// does: the checkpoint's signature, every entry (event hash) it covers, the root
// recomputed from them, and every hash tile against the tree recomputed from the entries.
// It cannot re-hash events (only their hashes are published); Verify on the node does.
func VerifyRemote(ctx context.Context, fetch Fetch, origin string, verifiers []tlog.Verifier) (*Report, error) {
	rep := &Report{}
	note, err := fetch(ctx, "checkpoint")
	if err != nil {
		return nil, err
	}
	cp, err := tlog.OpenCheckpoint(note, origin, verifiers...)
	if err != nil {
		rep.Problem = "the published checkpoint does not verify: " + zhuisu.ErrorMessage(err)
		return rep, nil
	}
	rep.TreeSize, rep.Checkpoints = cp.Size, 1
	// Every stored hash of the tree, recomputed from the entries.
	stored := make([]tlog.Hash, 0, 2*cp.Size)
	var b tlog.Builder
	for n := int64(0); n*tlog.TileWidth < cp.Size; n++ {
		t := tlog.Tile{Level: tlog.EntriesLevel, N: n, Width: int(min(tlog.TileWidth, cp.Size-n*tlog.TileWidth))}
		data, err := fetch(ctx, t.Path())
		if err != nil {
			return nil, err
		}
		entries, err := tlog.ParseEntryBundle(data)
		if err != nil || len(entries) != t.Width {
			rep.Problem = fmt.Sprintf("entry bundle %s is malformed or has %d entries, want %d", t.Path(), len(entries), t.Width)
			return rep, nil
		}
		for _, e := range entries {
			stored = b.AppendStored(tlog.LeafHash(e), stored)
			rep.Events++
		}
	}
	if root := b.Root(); root != cp.Root {
		rep.Problem = fmt.Sprintf("the root %x of the %d published entries differs from the checkpoint's root %x", root[:8], cp.Size, cp.Root[:8])
		return rep, nil
	}
	mem := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			if idx < 0 || idx >= int64(len(stored)) {
				return nil, zhuisu.Errorf(zhuisu.EInvalid, "stored hash %d is outside the tree", idx)
			}
			out[i] = stored[idx]
		}
		return out, nil
	})
	for _, t := range tlog.NewTiles(0, cp.Size) {
		if t.IsEntries() {
			continue
		}
		want, err := tlog.TileData(t, cp.Size, mem)
		if err != nil {
			return nil, err
		}
		got, err := fetch(ctx, t.Path())
		if err != nil {
			return nil, err
		}
		if string(got) != string(want) {
			rep.Problem = fmt.Sprintf("hash tile %s differs from the tree recomputed from the entries", t.Path())
			return rep, nil
		}
	}
	return rep, nil
}
