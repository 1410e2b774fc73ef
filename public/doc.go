// Package public assembles what the public one-stop lookup shows of a code: the product
// and its producer, lot and dates, the chain from source to shelf, certificates, the
// current state, warnings (recall, expiry, a unit scanned after its end, a possible copy)
// and the integrity of the record, checked against the latest signed checkpoint.
//
// The view is built from an allowlist: only the fields named in this package reach it,
// and free text from events passes through a scrubber that masks anything shaped like a
// resident ID number or a mobile number. Nothing else of an event (business transactions,
// other extension fields, who captured it) is copied.
//
// Assembled views are cached per code and dropped when a new event touches any
// identifier of the view, when Invalidate is called (recalls), or after a short time.
//
// It must not import net/http or database/sql.
package public
