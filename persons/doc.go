// Package persons keeps the natural persons the platform must know by name — real-name
// buyers of restricted pesticides or civil explosives, operators — apart from events.
// Their data is sealed with AES-256-GCM or SM4-GCM under a key kept in a file outside the
// database; a keyed hash (HMAC-SHA256) of the ID number finds a person again without
// storing the number; events carry only a pseudonymous reference
// (urn:zhuisu:person:<random>), which says nothing about the person. Reading a person
// back in clear (unmasking) is allowed to regulators with a reason, and every attempt,
// granted or refused, is written to the audit log before anything is revealed.
//
// It imports neither net/http nor database/sql.
package persons
