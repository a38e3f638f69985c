// Package store is the app's local durable state, encrypted at rest: the last list of the
// technician's open cases (so the window opens at once, marked "as of HH:MM", and stays usable
// read-only while offline), the outbox of session records waiting to be written to Dynamics,
// and the session history.
//
// # Engine
//
// The store is one go.etcd.io/bbolt file. bbolt is pure Go (no cgo, so the app cross-builds
// for Windows and macOS from any host), keeps everything in a single file, and gives ACID
// transactions that are fsynced before Commit returns. It is crash-safe by design: pages are
// copy-on-write, a commit writes the new B+tree pages first and then switches one of two
// checksummed meta pages, so a process killed mid-write leaves the previous commit intact.
// It is small, has no background goroutines, and is maintained by the etcd project, which
// runs it under heavy production load.
//
// bbolt takes an exclusive file lock; a second process opening the same file gets ErrLocked
// after Options.LockTimeout (2 s by default) instead of waiting for ever.
//
// bbolt trusts the file it maps and can panic (or fault on a page past the end of a cut
// file) when the file is damaged. Open therefore first opens an existing file read-only and,
// with panics and memory faults turned into errors, checks that the file is as long as its
// meta page says, reads every bucket, key and value byte, and opens the key check value;
// only then does it open the file for writing and run bbolt's own consistency check. Damage
// is reported as ErrCorrupt at Open rather than found in the middle of the app's work, and
// never crashes the app. Every later operation is guarded the same way; after a recovered
// panic the Store refuses further work with ErrCorrupt. MoveAside sets a damaged file aside
// so the app can start afresh and keep the old file for diagnosis.
//
// # Encryption
//
// Every value is sealed with AES-256-GCM under the 32-byte key the caller passes to Open (the
// app keeps it in the OS keyring; this package never touches the keyring). A sealed value is
//
//	version (1 byte, 0x01) | nonce (12 random bytes) | ciphertext | GCM tag (16 bytes)
//
// and its additional authenticated data is bucket + "\x00" + key, so a value copied or moved
// to another key or bucket fails to open (ErrCorrupt). Bucket names may not contain "\x00",
// which keeps that split unambiguous.
//
// Bucket names and keys (record names such as a case number or an outbox sequence number)
// are NOT secret: they are stored in clear so that they can be listed and sorted without the
// key. Anything confidential belongs in the value. The sizes of values are visible too.
//
// At creation the store seals a fixed check value into its reserved bucket "_store". Open
// opens it first, so a wrong key gives ErrWrongKey at once instead of garbage or a later
// failure on the first real value.
//
// A key must not seal more than about 2^32 values (random 96-bit nonces); the app writes a
// few thousand a day, far below that.
package store
