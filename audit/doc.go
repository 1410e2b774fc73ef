// Package audit is the audit log of the platform: logins and their failures,
// authorisation failures, regulators' reads, exports, unmaskings of natural persons, and
// changes of roles, subjects and configuration, each with time, actor, action, object and
// result. Records are appended to a hash chain (store.AuditHash) whose head every signed
// checkpoint of the tamper-evident log commits to (integrity/audit.go), so a record
// removed or changed afterwards is found by zhuisu verify. Nothing deletes a record.
//
// Only the auditor reads the log. The package imports neither net/http nor database/sql,
// and not auth either, so that auth can record logins here.
package audit
