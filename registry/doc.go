// Package registry is the registry of subjects (主体): the enterprises and organisations
// that record events, identified by their unified social credit code, with their region,
// node roles, sectors, licences, the locations and GS1 company prefixes they own, and the
// filing (备案) workflow a department takes them through. It issues their API tokens and
// tells capture whether a subject may record an event at a location.
//
// Who may do what is decided here, from the principal passed in, not only in handlers.
// The package imports neither net/http nor database/sql.
package registry
