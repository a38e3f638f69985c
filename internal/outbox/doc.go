// Package outbox is the durable queue of writes to Dynamics. After a Rescue session every
// write (upsert the session record, deactivate it, reassign the case, add a note) is
// enqueued here first; a loop runs the jobs through handlers, retries failures with backoff,
// and keeps every job in the local store until its handler has succeeded, so writes survive
// offline periods, crashes and kill -9. The window shows how many are pending.
//
// # Jobs
//
// A job is named by its Key, and one key is one job: enqueueing a key that is already there
// replaces the job's Kind, Group and Payload (the newest data wins, for instance an edited
// summary) and keeps everything else: its place in the order, its creation time, its attempt
// count, its next attempt time, its last error and whether it is parked. Replacing a payload
// therefore never skips a backoff and never releases a parked job; Retry does that.
//
// Jobs run in the order they were first enqueued. Jobs that share a Group run strictly one at
// a time in that order: a job starts only after every earlier job of its group has succeeded
// (or was dropped), so "deactivate the session record" never overtakes "upsert the session
// record" when both carry the session as their group. A job that fails, waits for its
// backoff or is parked holds back the rest of its group only; other groups go on. A job with
// no group holds back nothing.
//
// A handler's error is retried after Options.Backoff (by default 5 s, 10 s, 20 s, ... capped
// at 15 min, each shortened by up to a fifth at random so that jobs failed together do not
// retry together). An error wrapped with Permanent (a retry cannot fix it, e.g. a 400) parks
// the job: it is kept and counted apart, and runs again only after Retry; Drop removes it. A
// job whose Kind has no handler is parked too, so a job written by a newer version of the
// app is kept rather than lost. A handler that panics is treated as one that failed.
//
// # Crash safety
//
// Every job is one value in the store, under its own key, written in one fsynced bbolt
// transaction; a process killed while writing leaves the previous value or the new one,
// never half a job. From that:
//
//   - Enqueue returns only once the job is on disk.
//   - A job is deleted only after its handler returned nil, and only if it was not replaced
//     while the handler ran (a replacement is run again, with its new payload).
//   - After a handler fails, the job's new state (attempts, next attempt time, last error,
//     parked) is written before the next job starts, and the next job of the same group
//     starts only after the earlier one is deleted.
//   - A handler running when the process dies ran "maybe": the job is still there and runs
//     again on the next start. Delivery is therefore at least once, never at most once, and
//     every handler must be idempotent: upsert by alternate key, look before creating, or
//     treat "already done" as success.
//   - EnqueueAll writes its jobs one after the other; a crash part way leaves the first ones.
//     Calling it again with the same keys completes the set without duplicating any job.
//
// # Privacy
//
// Payloads may hold customer data: they are sealed by the store and this package never logs
// them, nor puts them in an error. Job keys and kinds are stored in clear (the store does
// not seal keys), so a key names a record ("session/123456/upsert"), never a person.
// LastError is the handler's error on one line, clipped to 300 characters; handlers should
// keep payload data out of their errors.
//
// # Damaged values
//
// A value in the bucket that does not open or is not a job record of a known version is
// skipped, never run and never deleted by the loop; Counts.Unreadable and Unreadable report
// it, and Drop removes it.
//
// One Outbox owns its bucket: two Outbox values on the same bucket of one store would each
// number jobs on their own and could run one job twice at the same time. The store's file
// lock already keeps a second process out.
package outbox
