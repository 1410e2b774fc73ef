// Package tlog is the pure core of the node's tamper-evident event log: an append-only
// RFC 6962 Merkle tree whose leaf i is the event stored at sequence number i.
//
// It holds the hashing (leaves, interior nodes, stored hashes and tree roots), the
// C2SP tlog-tiles layout (tile paths, hash tiles and entry bundles), C2SP checkpoints as
// signed notes (Ed25519 and SM2/SM3 keys, key files, signing and opening), inclusion and
// consistency proofs (producing, verifying, JSON and text forms), C2SP cosignatures and
// the witness add-checkpoint rules as a pure state machine. The formats and what they
// guarantee are described in docs/log.md.
//
// The package is pure: it reads stored hashes and event hashes through the small
// HashReader and EntryReader interfaces and returns bytes and values. It must not import
// net/http or database/sql; the store adapters and the API wire it to tables and routes.
// Malformed input is reported as *zhuisu.Error with code zhuisu.EInvalid; the sentinel
// errors below are attached as causes so callers can tell the cases apart with errors.Is.
package tlog
