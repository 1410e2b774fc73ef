// Package recall runs product recalls: from the codes of the recalled lots or units it
// traces forward to every party that received affected goods, records each as a holder
// with the quantities it received and where its part of the recall stands, flags every
// affected identifier for the public page, and exports the events behind the recall as a
// spreadsheet of key data elements (CSV, XLSX) and as an EPCIS document.
//
// The recall is decided once, when it is created: the trace, the holders and the flags
// are kept as they were then, so that what was notified stays what is shown.
//
// It must not import net/http or database/sql.
package recall
