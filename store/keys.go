package store

// Keys are stored as one byte string each: the role byte, the value, a 0x1F separator and
// the type (empty for untyped roles). One ordered index over these answers exact matches
// (with or without a type) and prefix matches with range scans, the same way in both
// dialects.

const keySep = 0x1F

// Encode returns the stored form of k.
func (k Key) Encode() []byte {
	b := make([]byte, 0, 2+len(k.Value)+len(k.Type))
	b = append(b, byte(k.Role))
	b = append(b, k.Value...)
	b = append(b, keySep)
	return append(b, k.Type...)
}

// KeyRange is a half-open byte range [From, To) of encoded keys; To nil means From is
// matched exactly.
type KeyRange struct {
	From, To []byte
}

// Ranges expands m into the ranges an index scan must cover.
func (m *KeyMatch) Ranges() []KeyRange {
	var out []KeyRange
	for _, r := range m.Roles {
		for _, v := range m.Values {
			if len(m.Types) == 0 {
				from := append(append([]byte{byte(r)}, v...), keySep)
				to := append(append([]byte{byte(r)}, v...), keySep+1)
				out = append(out, KeyRange{From: from, To: to})
				continue
			}
			for _, t := range m.Types {
				out = append(out, KeyRange{From: Key{Role: r, Type: t, Value: v}.Encode()})
			}
		}
		for _, p := range m.Prefixes {
			from := append([]byte{byte(r)}, p...)
			out = append(out, KeyRange{From: from, To: prefixEnd(from)})
		}
	}
	return out
}

// prefixEnd returns the smallest byte string greater than every string with prefix p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // p is all 0xFF: no upper bound
}
