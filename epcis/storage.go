package epcis

import "unicode/utf8"

// AppendEventJSON appends e as one standalone JSON-LD object, the form the stores keep and
// GET /events/{id} returns. It carries eventID and recordTime, and an "@context" object
// declaring the prefixes of e's extensions and its VocabPrefixes when it has any, so that
// DecodeEventJSON gives back an equal event.
func AppendEventJSON(dst []byte, e *Event) []byte {
	var ns *nsCollector
	if hasExtensions(e) || len(e.VocabPrefixes) > 0 {
		ns = newNSCollector()
	}
	return appendEventObject(dst, e, ns, false)
}

// DecodeEventJSON reads an event written by AppendEventJSON (or any single JSON-LD event
// object; its @context is optional). It checks the syntax and the structure of the fields
// but does not run Validate: stored events were validated when captured, and a later,
// stricter rule must not make them unreadable.
func DecodeEventJSON(b []byte) (*Event, error) {
	s := string(b)
	if !utf8.ValidString(s) {
		return nil, newValidationError("", "the event is not valid UTF-8")
	}
	d := &jsonDecoder{s: s, maxDepth: DefaultLimits.MaxDepth}
	d.docScope = &nsScope{}
	d.scope = d.docScope
	var e *Event
	err := runJSON(func() {
		if c := d.peek(); c != '{' {
			d.failAt("an event must be a JSON object, not %s", kindName(c))
		}
		if pos := findKeys(s, d.i, "@context")[0]; pos >= 0 {
			save := d.i
			d.i = pos
			d.pushKey("@context")
			d.context(d.docScope)
			d.pop()
			d.i = save
		}
		e = d.event(true, false)
		if d.peek() != 0 {
			d.failAt("unexpected data after the event")
		}
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}
