package tlog

import (
	"math"
	"strconv"
	"strings"

	"github.com/zhuisu/zhuisu"
	"golang.org/x/mod/sumdb/tlog"
)

// Tile geometry of C2SP tlog-tiles: every tile has height 8, so a full tile holds 256
// hashes (8,192 bytes) or, for an entry bundle, 256 entries.
const (
	TileHeight = 8
	TileWidth  = 1 << TileHeight
	// EntriesLevel is the Level of an entry bundle (path tile/entries/...).
	EntriesLevel = -1
	// MaxTileLevel is the highest level a tile path may name (C2SP allows 0 to 63). In a
	// tree of fewer than 2^63 leaves only levels 0 to 7 can hold tiles.
	MaxTileLevel = 63
)

// A Tile names a hash tile or an entry bundle of the C2SP tlog-tiles layout.
//
// The hash tile at Level L and index N lists Width consecutive Merkle tree hashes at tree
// height 8*L, number N*256 to N*256+Width-1 at that height: each is the root of the
// subtree of 256^L leaves starting at leaf (N*256+i)*256^L. Level 0 tiles hold leaf
// hashes. The entry bundle (Level EntriesLevel) index N holds the entries of leaves
// N*256 to N*256+Width-1. Width is 256 for a full tile (immutable forever) and 1 to 255
// for a partial one (the right edge of a tree whose size is not a multiple).
type Tile struct {
	Level int
	N     int64
	Width int
}

// Full reports whether t is a full (256 wide) tile.
func (t Tile) Full() bool { return t.Width == TileWidth }

// IsEntries reports whether t is an entry bundle.
func (t Tile) IsEntries() bool { return t.Level == EntriesLevel }

// Path returns t's C2SP path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], with N
// in zero-padded three-digit groups, all but the last prefixed with "x" (1234067 is
// x001/x234/067). It does not check t; see ParseTilePath for the valid ranges.
func (t Tile) Path() string {
	var b strings.Builder
	b.WriteString("tile/")
	if t.Level == EntriesLevel {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(t.Level))
	}
	b.WriteByte('/')
	n := t.N
	var groups []int64
	for {
		groups = append(groups, n%1000)
		n /= 1000
		if n == 0 {
			break
		}
	}
	for i := len(groups) - 1; i >= 0; i-- {
		if i > 0 {
			b.WriteByte('x')
		}
		g := groups[i]
		b.WriteByte(byte('0' + g/100))
		b.WriteByte(byte('0' + g/10%10))
		b.WriteByte(byte('0' + g%10))
		if i > 0 {
			b.WriteByte('/')
		}
	}
	if t.Width != TileWidth {
		b.WriteString(".p/")
		b.WriteString(strconv.Itoa(t.Width))
	}
	return b.String()
}

// String returns t.Path().
func (t Tile) String() string { return t.Path() }

// ParseTilePath parses a C2SP tile path (without the log's URL prefix): tile/<L>/<N> or
// tile/<L>/<N>.p/<W> with L from 0 to 63, or tile/entries/<N>[.p/<W>], W from 1 to 255.
// Only the canonical form is accepted: no leading zeros in L or W, exactly three digits
// per group of N, no superfluous x000 group.
func ParseTilePath(path string) (Tile, error) {
	t, why := parseTilePath(path)
	if why != "" {
		return Tile{}, invalid(ErrMalformed, "malformed tile path %q: %s", truncate(path), why)
	}
	return t, nil
}

func parseTilePath(path string) (Tile, string) {
	const maxLen = 64 // "tile/entries/" + 7 groups + ".p/255" is far below this
	if len(path) > maxLen {
		return Tile{}, "too long"
	}
	f := strings.Split(path, "/")
	if len(f) < 3 || f[0] != "tile" {
		return Tile{}, `want "tile/<level>/<index>[.p/<width>]"`
	}
	var t Tile
	if f[1] == "entries" {
		t.Level = EntriesLevel
	} else {
		l, ok := parseDecimal(f[1])
		if !ok || l > MaxTileLevel {
			return Tile{}, "level must be a decimal from 0 to 63 without leading zeros, or \"entries\""
		}
		t.Level = int(l)
	}
	f = f[2:]
	t.Width = TileWidth
	if last := len(f) - 1; last >= 1 && strings.HasSuffix(f[last-1], ".p") {
		w, ok := parseDecimal(f[last])
		if !ok || w < 1 || w >= TileWidth {
			return Tile{}, "partial width must be a decimal from 1 to 255 without leading zeros"
		}
		t.Width = int(w)
		f[last-1] = strings.TrimSuffix(f[last-1], ".p")
		f = f[:last]
	}
	for i, g := range f {
		if i < len(f)-1 {
			if !strings.HasPrefix(g, "x") {
				return Tile{}, "every index group but the last must start with x"
			}
			g = g[1:]
		}
		if len(g) != 3 || g[0] < '0' || g[0] > '9' || g[1] < '0' || g[1] > '9' || g[2] < '0' || g[2] > '9' {
			return Tile{}, "index groups must be three digits"
		}
		d := int64(g[0]-'0')*100 + int64(g[1]-'0')*10 + int64(g[2]-'0')
		if t.N > (math.MaxInt64-d)/1000 {
			return Tile{}, "index too large"
		}
		t.N = t.N*1000 + d
	}
	if t.Path() != path {
		return Tile{}, "not in canonical form"
	}
	return t, ""
}

// parseDecimal parses a non-negative decimal without sign or leading zeros.
func parseDecimal(s string) (int64, bool) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// inTree reports whether t exists in the tree of the given size: all the subtrees (or
// leaves) it lists are complete in that tree.
func (t Tile) inTree(size int64) bool {
	if t.N < 0 || t.Width < 1 || t.Width > TileWidth || size < 0 || t.Level < EntriesLevel || t.Level > MaxTileLevel {
		return false
	}
	level := t.Level
	if level == EntriesLevel {
		level = 0
	}
	var count int64 // complete subtrees of 256^level leaves
	if shift := uint(TileHeight * level); shift < 63 {
		count = size >> shift
	}
	if count < int64(t.Width) {
		return false
	}
	return t.N <= (count-int64(t.Width))/TileWidth
}

func notInTree(t Tile, size int64) error {
	return errorf(zhuisu.ENotFound, ErrNotInTree, "tile %s is not in the tree of size %d", t.Path(), size)
}

// TileData returns the bytes of the hash tile t of the tree of the given size: its Width
// hashes of 32 bytes, concatenated. t must lie within the tree (all the subtrees it lists
// complete at that size); otherwise the error has code zhuisu.ENotFound. The bytes of a
// tile never change once the tree holds it, and a partial tile's bytes are a prefix of
// its full tile's.
func TileData(t Tile, treeSize int64, r HashReader) ([]byte, error) {
	if t.Level == EntriesLevel {
		return nil, invalid(ErrMalformed, "tile %s is an entry bundle, not a hash tile", t.Path())
	}
	if !t.inTree(treeSize) {
		return nil, notInTree(t, treeSize)
	}
	return tlog.ReadTileData(tlog.Tile{H: TileHeight, L: t.Level, N: t.N, W: t.Width}, r)
}

// EntryReader reads the event hashes of a range of leaves [start, end) in seq order.
// It must return exactly end-start hashes or an error.
type EntryReader interface {
	ReadEntries(start, end int64) ([][32]byte, error)
}

// EntryReaderFunc adapts a function to EntryReader.
type EntryReaderFunc func(start, end int64) ([][32]byte, error)

// ReadEntries calls f.
func (f EntryReaderFunc) ReadEntries(start, end int64) ([][32]byte, error) { return f(start, end) }

// entrySize is the size of one entry in a bundle: the 2-byte big-endian length prefix of
// the tlog-tiles format and the 32-byte event hash.
const entrySize = 2 + 32

// EntryBundle returns the bytes of the entry bundle t of the tree of the given size: for
// each of its leaves, a 2-byte big-endian length (always 32) followed by the leaf's
// 32-byte event hash. The i-th entry hashes (as LeafHash) to the i-th hash of the level 0
// tile with the same index.
func EntryBundle(t Tile, treeSize int64, r EntryReader) ([]byte, error) {
	if t.Level != EntriesLevel {
		return nil, invalid(ErrMalformed, "tile %s is a hash tile, not an entry bundle", t.Path())
	}
	if !t.inTree(treeSize) {
		return nil, notInTree(t, treeSize)
	}
	start := t.N * TileWidth
	hashes, err := r.ReadEntries(start, start+int64(t.Width))
	if err != nil {
		return nil, err
	}
	if len(hashes) != t.Width {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "tlog: ReadEntries(%d, %d) returned %d entries", start, start+int64(t.Width), len(hashes))
	}
	out := make([]byte, 0, t.Width*entrySize)
	for _, h := range hashes {
		out = append(out, 0, 32)
		out = append(out, h[:]...)
	}
	return out, nil
}

// ParseEntryBundle splits an entry bundle into its event hashes. Every entry must be
// exactly 32 bytes long, there must be 1 to 256 of them, and nothing may follow the last.
func ParseEntryBundle(data []byte) ([][32]byte, error) {
	if len(data) == 0 || len(data)%entrySize != 0 || len(data) > TileWidth*entrySize {
		return nil, invalid(ErrMalformed, "malformed entry bundle: %d bytes is not 1 to 256 entries of 2+32 bytes", len(data))
	}
	out := make([][32]byte, len(data)/entrySize)
	for i := range out {
		e := data[i*entrySize:]
		if e[0] != 0 || e[1] != 32 {
			return nil, invalid(ErrMalformed, "malformed entry bundle: entry %d has length %d, want 32", i, int(e[0])<<8|int(e[1]))
		}
		copy(out[i][:], e[2:entrySize])
	}
	return out, nil
}

// NewTiles returns the tiles to publish when the tree grows from oldSize to newSize:
// the hash tiles at every level and the entry bundles that are new or wider, full ones
// first within a level. Tiles full at oldSize are not repeated. The result is empty when
// newSize <= oldSize.
func NewTiles(oldSize, newSize int64) []Tile {
	if oldSize < 0 || newSize <= oldSize {
		return nil
	}
	var out []Tile
	for _, t := range tlog.NewTiles(TileHeight, oldSize, newSize) {
		out = append(out, Tile{Level: t.L, N: t.N, Width: t.W})
		if t.L == 0 {
			out = append(out, Tile{Level: EntriesLevel, N: t.N, Width: t.W})
		}
	}
	return out
}
