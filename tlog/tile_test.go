package tlog

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

func TestTilePathsFormatAndParse(t *testing.T) {
	for _, c := range []struct {
		tile Tile
		path string
	}{
		{Tile{0, 0, 256}, "tile/0/000"},
		{Tile{0, 0, 1}, "tile/0/000.p/1"},
		{Tile{0, 1234067, 256}, "tile/0/x001/x234/067"},
		{Tile{3, 1234067, 8}, "tile/3/x001/x234/067.p/8"},
		{Tile{1, 999, 255}, "tile/1/999.p/255"},
		{Tile{2, 1000, 256}, "tile/2/x001/000"},
		{Tile{63, 0, 1}, "tile/63/000.p/1"},
		{Tile{EntriesLevel, 5, 256}, "tile/entries/005"},
		{Tile{EntriesLevel, 1234067, 112}, "tile/entries/x001/x234/067.p/112"},
		{Tile{0, math.MaxInt64, 256}, "tile/0/x009/x223/x372/x036/x854/x775/807"},
	} {
		t.Run(c.path+" round trips", func(t *testing.T) {
			if got := c.tile.Path(); got != c.path {
				t.Fatalf("%+v.Path() = %q, want %q", c.tile, got, c.path)
			}
			got, err := ParseTilePath(c.path)
			if err != nil || got != c.tile {
				t.Fatalf("ParseTilePath(%q) = %+v, %v; want %+v", c.path, got, err, c.tile)
			}
		})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		tile := Tile{Level: rng.IntN(65) - 1, N: rng.Int64N(1 << uint(rng.IntN(63))), Width: 1 + rng.IntN(256)}
		got, err := ParseTilePath(tile.Path())
		if err != nil || got != tile {
			t.Fatalf("round trip of %+v via %q: %+v, %v", tile, tile.Path(), got, err)
		}
	}
}

func TestMalformedTilePathsAreRejected(t *testing.T) {
	for _, p := range []string{
		"", "tile", "tile/", "tile/0", "tile/0/", "/tile/0/000", "tile/0/000/", "tiles/0/000",
		"tile/00/000", "tile/-1/000", "tile/64/000", "tile/+1/000", "tile/1a/000", "tile/data/000",
		"tile/0/1", "tile/0/01", "tile/0/0000", "tile/0/00a", "tile/0/x001", "tile/0/001/234",
		"tile/0/x001/x234", "tile/0/x000/001", "tile/0/x01/001", "tile/0/y001/001", "tile/0/001/x234",
		"tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/07", "tile/0/000.p/", "tile/0/000.p",
		"tile/0/000.p/1/2", "tile/0/000.q/1", "tile/0/.p/1", "tile/entries/000.p/-1",
		"tile/0/x010/x000/x000/x000/x000/x000/000", // 10^19 overflows int64
		"tile/0/x009/x223/x372/x036/x854/x775/808", // MaxInt64+1
		"tile/0/000 ", "tile/0/000\n", "tile/0//000", "tile/entries", "tile/entries/",
		"tile/0/" + strings.Repeat("x001/", 20) + "000",
	} {
		t.Run("rejects "+p, func(t *testing.T) {
			_, err := ParseTilePath(p)
			wantErr(t, err, zhuisu.EInvalid, ErrMalformed)
		})
	}
}

// naiveTileHash is the spec's definition of hash i of tile (l, n):
// MTH(D[(n*256+i)*256^l : (n*256+i+1)*256^l]).
func naiveTileHash(ref *naive, l int, n int64, i int) Hash {
	span := 1
	for range l {
		span *= 256
	}
	lo := (int(n)*256 + i) * span
	return ref.mth(lo, lo+span)
}

func TestTileBytesMatchNaiveHashesAroundTileBoundaries(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	for _, size := range []int64{1, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 65536 + 256 + 1} {
		tiles := NewTiles(0, size)
		if len(tiles) == 0 {
			t.Fatalf("no tiles for size %d", size)
		}
		for _, tile := range tiles {
			if tile.IsEntries() {
				data, err := EntryBundle(tile, size, s)
				if err != nil {
					t.Fatalf("size %d: EntryBundle(%s): %v", size, tile.Path(), err)
				}
				entries, err := ParseEntryBundle(data)
				if err != nil || len(entries) != tile.Width {
					t.Fatalf("size %d: ParseEntryBundle(%s) = %d entries, %v", size, tile.Path(), len(entries), err)
				}
				for i, e := range entries {
					if e != s.events[tile.N*256+int64(i)] || data[i*34] != 0 || data[i*34+1] != 32 {
						t.Fatalf("size %d: entry %d of %s is wrong", size, i, tile.Path())
					}
				}
				continue
			}
			data, err := TileData(tile, size, s)
			if err != nil {
				t.Fatalf("size %d: TileData(%s): %v", size, tile.Path(), err)
			}
			if len(data) != tile.Width*HashSize {
				t.Fatalf("size %d: tile %s has %d bytes, want %d", size, tile.Path(), len(data), tile.Width*HashSize)
			}
			for i := 0; i < tile.Width; i++ {
				want := naiveTileHash(ref, tile.Level, tile.N, i)
				if !bytes.Equal(data[i*HashSize:(i+1)*HashSize], want[:]) {
					t.Fatalf("size %d: hash %d of tile %s differs from MTH", size, i, tile.Path())
				}
			}
		}
	}
}

func TestTilesAreImmutableAndPartialTilesArePrefixes(t *testing.T) {
	s := sharedStore(t)
	full := Tile{Level: 0, N: 1, Width: 256}
	a, err := TileData(full, 512, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TileData(full, fixtureSize, s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("a full tile changed as the tree grew")
	}
	p, err := TileData(Tile{Level: 0, N: 1, Width: 17}, 300, s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p, a[:17*HashSize]) {
		t.Fatal("a partial tile is not a prefix of its full tile")
	}
	// A narrower partial tile of an older checkpoint stays servable at a larger size.
	if _, err := TileData(Tile{Level: 0, N: 1, Width: 17}, 5000, s); err != nil {
		t.Fatal(err)
	}
}

func TestTilesOutsideTheTreeAreNotFound(t *testing.T) {
	s := sharedStore(t)
	for _, c := range []struct {
		tile Tile
		size int64
	}{
		{Tile{0, 0, 256}, 255},
		{Tile{0, 0, 10}, 9},
		{Tile{0, 1, 1}, 256},
		{Tile{1, 0, 1}, 255},
		{Tile{1, 0, 2}, 511},
		{Tile{2, 0, 1}, 65535},
		{Tile{8, 0, 1}, math.MaxInt64},
		{Tile{63, 0, 1}, math.MaxInt64},
		{Tile{0, math.MaxInt64, 256}, math.MaxInt64},
		{Tile{0, 0, 1}, 0},
	} {
		_, err := TileData(c.tile, c.size, s)
		wantErr(t, err, zhuisu.ENotFound, ErrNotInTree)
		e := c.tile
		if e.Level == 0 {
			e.Level = EntriesLevel
			_, err = EntryBundle(e, c.size, s)
			wantErr(t, err, zhuisu.ENotFound, ErrNotInTree)
		}
	}
	_, err := TileData(Tile{EntriesLevel, 0, 1}, 10, s)
	wantErr(t, err, zhuisu.EInvalid, nil)
	_, err = EntryBundle(Tile{0, 0, 1}, 10, s)
	wantErr(t, err, zhuisu.EInvalid, nil)
}

func TestNewTilesMatchesTheSpecExample(t *testing.T) {
	// "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial
	// level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width
	// 17, and one partial level 2 tile of width 1."
	count := map[[2]int]int{}
	for _, tile := range NewTiles(0, 70000) {
		count[[2]int{tile.Level, tile.Width}]++
	}
	want := map[[2]int]int{
		{0, 256}: 273, {0, 112}: 1, {1, 256}: 1, {1, 17}: 1, {2, 1}: 1,
		{EntriesLevel, 256}: 273, {EntriesLevel, 112}: 1,
	}
	if len(count) != len(want) {
		t.Fatalf("NewTiles(0, 70000) = %v, want %v", count, want)
	}
	for k, v := range want {
		if count[k] != v {
			t.Fatalf("NewTiles(0, 70000) = %v, want %v", count, want)
		}
	}
	// Growing 256 -> 300 republishes only the new partial tiles.
	got := NewTiles(256, 300)
	wantTiles := []Tile{{0, 1, 44}, {EntriesLevel, 1, 44}}
	if len(got) != len(wantTiles) || got[0] != wantTiles[0] || got[1] != wantTiles[1] {
		t.Fatalf("NewTiles(256, 300) = %v, want %v", got, wantTiles)
	}
	if NewTiles(300, 300) != nil || NewTiles(300, 200) != nil {
		t.Fatal("NewTiles returned tiles for a tree that did not grow")
	}
}

func TestMalformedEntryBundlesAreRejected(t *testing.T) {
	good := append([]byte{0, 32}, make([]byte, 32)...)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty bundle is rejected", nil},
		{"truncated entry is rejected", good[:33]},
		{"extra byte is rejected", append(append([]byte{}, good...), 0)},
		{"length prefix 31 is rejected", append([]byte{0, 31}, make([]byte, 32)...)},
		{"length prefix 0x0120 is rejected", append([]byte{1, 32}, make([]byte, 32)...)},
		{"257 entries are rejected", bytes.Repeat(good, 257)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseEntryBundle(c.data)
			wantErr(t, err, zhuisu.EInvalid, ErrMalformed)
		})
	}
}
