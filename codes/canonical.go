package codes

// Canonical rewrites a GS1 identifier given in any accepted form (EPC pure-identity or
// class URN, GS1 Digital Link URI on any domain) to its canonical GS1 Digital Link URI on
// https://id.gs1.org. A value that is not a GS1 identifier is returned unchanged with a nil
// error. A value that claims to be a GS1 identifier but is malformed returns an error that
// says what is wrong.
func Canonical(s string) (string, error) {
	return s, nil // replaced by the GS1 implementation
}

// HashForm returns the constrained canonical Digital Link form that the CBV 2.0 event hash
// uses for s (domain id.gs1.org, no query string, only the finest key with its allowed
// qualifiers). Values that are not GS1 identifiers are returned unchanged.
func HashForm(s string) string {
	return s // replaced by the GS1 implementation
}
