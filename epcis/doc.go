// Package epcis is the GS1 EPCIS 2.0 event model: the five event types with every standard
// field, user extensions kept as namespaced nodes, the JSON-LD and XML codecs, structural
// validation, and the CBV canonical event hash.
//
// It is pure: it imports neither net/http nor database/sql, and knows nothing of stores.
// Identifier normalisation (EPC URN and Digital Link forms) is delegated to package codes.
package epcis
