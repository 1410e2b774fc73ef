// Package postgres is the server store: a store.Store on PostgreSQL through pgx v5, for
// deployments that run several `zhuisu serve` processes against one database. It holds
// plain SQL only; rules live in the services, and store.PlanBatch decides duplicates,
// declarations and sequence numbers exactly as it does for the SQLite adapter. Both
// adapters pass the one suite in store/storetest.
//
// Concurrency between processes:
//   - Capture serialises writers with a transaction-level advisory lock
//     (pg_advisory_xact_lock) taken before it looks anything up, so seq numbers stay
//     dense (0, 1, 2, ... with no gaps) however many processes write; seq is never drawn
//     from a sequence, which would skip numbers on rollback.
//   - AppendLog serialises integrators with another transaction-level advisory lock and
//     reads the latest checkpoint after taking it, so of two processes integrating the
//     same leaves one stores its checkpoint and the other gets EConflict. Captures do
//     not take it: they never write the log tables.
//   - SetWitnessState is a single conditional INSERT or UPDATE (compare-and-set).
//   - Migrate holds a session-level advisory lock while it applies migrations, so
//     processes starting together migrate once.
//
// The lock keys are derived from the current schema, so stores in different schemas
// of one database (as the tests use) do not wait for each other.
//
// Errors are mapped to zhuisu codes by SQLSTATE and driver error type, never by message.
package postgres
