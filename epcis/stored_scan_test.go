package epcis

// The reference reader of the stored form: it fills an Event from a stored document, with
// the same field readers the verify path uses. Only the tests use it, to hold the direct
// path (StoredHasher.direct) to: see checkStoredHasher.

import (
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// scan reads doc into a new event. It reports false for anything but the recognised
// form.
//
// Sum takes direct, which reads the same form field by field with the same readers but
// renders instead of filling an Event. scan is what the tests hold direct to: the event
// it builds must be the one DecodeEventJSON builds, and direct must accept exactly what
// it accepts and write PreHash of that event (checkStoredHasher).
func (s *StoredHasher) scan(doc []byte) (*Event, bool) {
	if plain, ascii := plainDocument(doc); !plain || !ascii && !utf8.Valid(doc) {
		return nil, false
	}
	// The scanned event's strings point into doc instead of a copy of it: a copy was a
	// fifth of the hashing time. Nothing read from doc outlives the call to Sum
	// except what preHasher.identifier remembers, and it remembers copies.
	r := storedScanner{s: unsafe.String(unsafe.SliceData(doc), len(doc))}
	e := &Event{}
	s.ctxNames, s.ctxURIs = s.ctxNames[:0], s.ctxURIs[:0]
	s.floats = s.floats[:0]
	s.exts = s.exts[:0]
	if !r.byte('{') {
		return nil, false
	}
	if strings.HasPrefix(r.s[r.i:], `"@context":`) {
		r.i += len(`"@context":`)
		if !s.context(&r) || !r.byte(',') {
			return nil, false
		}
	}
	var seen fieldBit
	for {
		k, ok := r.key()
		if !ok {
			return nil, false
		}
		var f fieldBit
		switch k {
		case "type":
			f = fldType
			var t string
			if t, ok = r.str(); ok {
				e.Type = EventType(t)
				ok = knownEventType(e.Type)
			}
		case "eventTime", "recordTime":
			var v string
			if v, ok = r.str(); ok {
				var tm time.Time
				tm, ok = parseEPCISTime(v)
				if k == "eventTime" {
					f, e.EventTime = fldEventTime, tm
				} else {
					f, e.RecordTime = fldRecordTime, tm
				}
			}
		case "eventTimeZoneOffset":
			f = fldEventTimeZoneOffset
			e.EventTimeZoneOffset, ok = r.str()
		case "eventID":
			f = fldEventID
			e.EventID, ok = r.uri()
		case "certificationInfo":
			f = fldCertificationInfo
			if r.i < len(r.s) && r.s[r.i] == '[' {
				s.cert, ok = r.uriList(s.cert)
				e.CertificationInfo = s.cert
			} else {
				var v string
				if v, ok = r.uri(); ok {
					s.cert = append(s.cert[:0], v)
					e.CertificationInfo = s.cert
				}
			}
		case "parentID":
			f = fldParentID
			e.ParentID, ok = r.uri()
		case "epcList":
			f = fldEPCList
			e.EPCList, ok = r.uriList(nil)
		case "childEPCs":
			f = fldChildEPCs
			e.ChildEPCs, ok = r.uriList(nil)
		case "inputEPCList":
			f = fldInputEPCList
			e.InputEPCList, ok = r.uriList(nil)
		case "outputEPCList":
			f = fldOutputEPCList
			e.OutputEPCList, ok = r.uriList(nil)
		case "quantityList":
			f = fldQuantityList
			e.QuantityList, ok = s.quantities(&r, 0)
		case "childQuantityList":
			f = fldChildQuantityList
			e.ChildQuantityList, ok = s.quantities(&r, 1)
		case "inputQuantityList":
			f = fldInputQuantityList
			e.InputQuantityList, ok = s.quantities(&r, 2)
		case "outputQuantityList":
			f = fldOutputQuantityList
			e.OutputQuantityList, ok = s.quantities(&r, 3)
		case "action":
			f = fldAction
			e.Action, ok = r.str()
		case "transformationID":
			f = fldTransformationID
			e.TransformationID, ok = r.uri()
		case "bizStep":
			f = fldBizStep
			e.BizStep, ok = r.vocab(VocabBizStep)
		case "disposition":
			f = fldDisposition
			e.Disposition, ok = r.vocab(VocabDisposition)
		case "readPoint":
			f = fldReadPoint
			e.ReadPoint, ok = location(&r)
		case "bizLocation":
			f = fldBizLocation
			e.BizLocation, ok = location(&r)
		case "bizTransactionList":
			f = fldBizTransactionList
			e.BizTransactionList, ok = s.bizTransactions(&r)
		case "sourceList":
			f = fldSourceList
			e.SourceList, ok = s.sourceDest(&r, 0, "source")
		case "destinationList":
			f = fldDestinationList
			e.DestinationList, ok = s.sourceDest(&r, 1, "destination")
		case "ilmd":
			f = fldILMD
			ok = s.ilmdObject(&r)
			e.ILMD = &s.ilmd
		default:
			// errorDeclaration, persistentDisposition, sensorElementList, "@context"
			// elsewhere than first, and unknown fields take the general path; so does an
			// unprefixed key, which DecodeEventJSON refuses.
			if strings.IndexByte(k, ':') <= 0 {
				return nil, false
			}
			var n Node
			if n, ok = s.node(&r, k, true, 1); ok {
				s.exts = append(s.exts, n)
				e.Extensions = s.exts
			}
		}
		if !ok || seen&f != 0 {
			return nil, false // unreadable here, or repeated: the general path decides
		}
		seen |= f
		more, ok := r.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	if r.i != len(r.s) || seen&fldType == 0 || seen&^allowedFields(e.Type) != 0 {
		return nil, false
	}
	return e, true
}

// location reads exactly {"id":"<uri>"}; locations with extensions take the general path.
func location(r *storedScanner) (*Location, bool) {
	if !strings.HasPrefix(r.s[r.i:], `{"id":`) {
		return nil, false
	}
	r.i += len(`{"id":`)
	id, ok := r.uri()
	if !ok || !r.byte('}') {
		return nil, false
	}
	return &Location{ID: id}, true
}
