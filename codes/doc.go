// Package codes knows every trace-code scheme the platform accepts: it parses, validates
// and takes apart a code, and gives each one canonical URI for use inside events. GS1 keys,
// element strings, EPC URNs and GS1 Digital Link URIs live here, beside the Chinese sector
// schemes.
//
// It is pure: no I/O, no net/http, no database/sql.
package codes
