// Package web is the platform's pages: the public one-stop lookup (a GS1 Digital Link
// resolver and sector code paths, a search box, the product page with its timeline,
// warnings and integrity badge, a JSON view and a GS1 linkset) and the regulators' trace
// page, which shares the timeline template.
//
// Templates and assets are embedded and parsed once; each page has a typed struct and is
// rendered into a buffer before anything is written. No page has inline script or style,
// so the Content Security Policy can be default-src 'self'; nothing is loaded from
// elsewhere. Every response carries the security headers; public routes are rate-limited
// per client.
//
// It calls the public and trace services; it must not import database/sql or a store
// adapter.
package web
