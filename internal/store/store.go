package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors a caller can test with errors.Is.
var (
	// ErrWrongKey means the store was created with another encryption key (the keyring entry
	// was replaced or belongs to another user). The file is left untouched.
	ErrWrongKey = errors.New("store: wrong encryption key for this store")
	// ErrLocked means another process holds the store file open (a second copy of the app).
	ErrLocked = errors.New("store: the store file is in use by another process")
	// ErrCorrupt means the file, or one value in it, is damaged, cut short or not a store.
	// It wraps the underlying cause when there is one.
	ErrCorrupt = errors.New("store: damaged store")
	// ErrClosed is returned by operations on a closed Store.
	ErrClosed = errors.New("store: closed")
	// ErrInvalidKey means the encryption key passed to Open is not KeySize bytes.
	ErrInvalidKey = errors.New("store: invalid encryption key")
	// ErrInvalidName means a bucket or key name is empty, a bucket name contains "\x00",
	// or the bucket is the store's reserved one.
	ErrInvalidName = errors.New("store: invalid bucket or key name")
)

// DefaultLockTimeout is how long Open waits for another process to release the file when
// Options.LockTimeout is zero.
const DefaultLockTimeout = 2 * time.Second

// ReservedBucket holds the store's own records (the key check value); callers cannot use it.
const ReservedBucket = "_store"

const (
	checkKey   = "check"
	checkValue = "rescue-companion store v1"
)

// Options tune Open. The zero value is ready to use.
type Options struct {
	// LockTimeout bounds the wait for a file held by another process; Open then returns
	// ErrLocked. Zero or negative means DefaultLockTimeout: Open never waits for ever.
	LockTimeout time.Duration
}

func (o Options) lockTimeout() time.Duration {
	if o.LockTimeout <= 0 {
		return DefaultLockTimeout
	}
	return o.LockTimeout
}

// Store is an open, encrypted store file. It is safe for concurrent use by the goroutines of
// one process; bbolt serialises writers and lets readers run alongside them.
type Store struct {
	db     *bolt.DB
	sealer *sealer
	// broken is set once bbolt has panicked on this file: its in-memory state can no longer
	// be trusted, so every later operation returns ErrCorrupt.
	broken atomic.Bool
}

// Open opens the store at path with the 32-byte key, creating the directory (0700) and the
// file (0600) if needed. A new file gets a sealed check value so that a later Open with
// another key fails with ErrWrongKey. A damaged file gives ErrCorrupt (never a panic), a file
// held by another process ErrLocked after opts.LockTimeout.
//
// An existing file is first opened read-only and checked (see inspect), so a damaged file or
// a wrong key is reported before bbolt opens it for writing.
func Open(path string, key []byte, opts Options) (*Store, error) {
	sl, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := inspect(path, sl, opts.lockTimeout()); err != nil {
		return nil, err
	}
	db, err := openDB(path, opts.lockTimeout(), false)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, sealer: sl}
	if err := s.prepare(); err != nil {
		_, _ = guard(db.Close)
		return nil, err
	}
	if err := tightenMode(path); err != nil {
		_, _ = guard(db.Close)
		return nil, err
	}
	return s, nil
}

// inspect checks an existing file through a read-only bbolt handle: the file is as long as
// its meta page says, every bucket, key and value byte can be read, and the key opens the
// check value. A read-only open does not load the freelist, so a cut or garbled file fails
// here inside guard, where the handle can still be closed, rather than inside the
// read-write bolt.Open, where a panic would leave the file mapped.
func inspect(path string, sl *sealer, timeout time.Duration) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && info.Size() == 0 {
		return nil // bbolt creates or initialises it
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	db, err := openDB(path, timeout, true)
	if err != nil {
		return err
	}
	defer func() { _, _ = guard(db.Close) }() // read-only: nothing to flush
	var sealed []byte
	var fresh bool
	err, _ = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			if err := checkLength(tx, path); err != nil {
				return err
			}
			if err := readAll(tx); err != nil {
				return err
			}
			sealed, fresh = readCheckValue(tx)
			return nil
		})
	})
	if err != nil || fresh {
		return classify(err)
	}
	return verifyCheckValue(sl, sealed)
}

// openDB opens the bbolt file, turning a lock timeout into ErrLocked and a damaged file
// (including one that makes bbolt panic or fault) into ErrCorrupt.
func openDB(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	var file *os.File
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	options := &bolt.Options{Timeout: timeout, ReadOnly: readOnly, OpenFile: openFile}
	var db *bolt.DB
	err, panicked := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, options)
		return err
	})
	switch {
	case panicked:
		if file != nil { // bbolt did not get to clean up; the mapping itself is lost
			releaseLock(file)
			_ = file.Close()
		}
		return nil, err
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	case errors.As(err, new(*fs.PathError)):
		return nil, fmt.Errorf("store: %w", err)
	default:
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
}

// checkLength catches a file cut short: bbolt grows the file before it commits a meta page
// that counts the new pages, so a committed file is never shorter than its page count.
func checkLength(tx *bolt.Tx, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if want := tx.Size(); info.Size() < want {
		return fmt.Errorf("%w: file is %d bytes, its header counts %d", ErrCorrupt, info.Size(), want)
	}
	return nil
}

// readAll reads every bucket, key and value byte, so that a page past the end of the file
// or a garbled page fails now (inside guard) instead of in the middle of the app's work.
func readAll(tx *bolt.Tx) error {
	sum := crc32.NewIEEE()
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		return hashBucket(sum, b)
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return nil
}

func hashBucket(sum hash.Hash32, b *bolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		_, _ = sum.Write(k)
		if v != nil {
			_, _ = sum.Write(v)
			return nil
		}
		nested := b.Bucket(k)
		if nested == nil {
			return fmt.Errorf("key %q has neither a value nor a bucket", k)
		}
		return hashBucket(sum, nested)
	})
}

// readCheckValue returns a copy of the sealed check value, or fresh when the file holds no
// bucket at all (new, or its creation stopped before the check value was written).
func readCheckValue(tx *bolt.Tx) (sealed []byte, fresh bool) {
	if b := tx.Bucket([]byte(ReservedBucket)); b != nil {
		return bytes.Clone(b.Get([]byte(checkKey))), false
	}
	first, _ := tx.Cursor().First()
	return nil, first == nil
}

// verifyCheckValue tells a wrong key (the check value fails authentication) from damage (it
// is missing, badly framed or says something else).
func verifyCheckValue(sl *sealer, sealed []byte) error {
	if sealed == nil {
		return fmt.Errorf("%w: no key check value (not a store file, or its header is lost)", ErrCorrupt)
	}
	if err := wellFormed(sealed, sl.aead.Overhead()); err != nil {
		return fmt.Errorf("%w: key check value: %w", ErrCorrupt, err)
	}
	plain, err := sl.open(ReservedBucket, checkKey, sealed)
	if err != nil {
		return ErrWrongKey
	}
	if string(plain) != checkValue {
		return fmt.Errorf("%w: unknown store format %q", ErrCorrupt, plain)
	}
	return nil
}

// prepare runs on the read-write handle: bbolt's consistency check (page reachability, double
// frees; the freelist is loaded by now, inside guard), then the key check, sealing the check
// value into a new file. The key is checked again because another process may have created
// the file between inspect and here.
func (s *Store) prepare() error {
	err := s.view(func(tx *bolt.Tx) error {
		var problems []error
		for err := range tx.Check() {
			problems = append(problems, err)
		}
		if len(problems) > 0 {
			return fmt.Errorf("%w: %w", ErrCorrupt, errors.Join(problems...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.checkKey()
}

// checkKey opens the sealed check value; a file with no buckets at all is new and gets one.
func (s *Store) checkKey() error {
	var sealed []byte
	var fresh bool
	err := s.view(func(tx *bolt.Tx) error {
		sealed, fresh = readCheckValue(tx)
		return nil
	})
	if err != nil {
		return err
	}
	if !fresh {
		return verifyCheckValue(s.sealer, sealed)
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte(ReservedBucket))
		if err != nil {
			return err
		}
		return b.Put([]byte(checkKey), s.sealer.seal(ReservedBucket, checkKey, []byte(checkValue)))
	})
}

// tightenMode makes an existing file owner-only again if something widened it. Windows has
// no such bits; its per-user profile directory protects the file.
func tightenMode(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if info.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Close releases the file and its lock. Operations after Close return ErrClosed; a second
// Close is a no-op.
func (s *Store) Close() error {
	err, _ := guard(s.db.Close)
	return err
}

// Put seals value and stores it under bucket/key, creating the bucket if needed. The write
// is on disk (fsynced) when Put returns nil.
func (s *Store) Put(bucket, key string, value []byte) error {
	if err := checkNames(bucket, key); err != nil {
		return err
	}
	sealed := s.sealer.seal(bucket, key, value)
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), sealed)
	})
}

// Get returns the value at bucket/key. A missing bucket or key gives (nil, false, nil); a
// value that fails to open (damaged, moved from another key) gives an error wrapping
// ErrCorrupt.
func (s *Store) Get(bucket, key string) ([]byte, bool, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, false, err
	}
	var value []byte
	var found bool
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		sealed := b.Get([]byte(key))
		if sealed == nil {
			return nil
		}
		var err error
		value, err = s.sealer.open(bucket, key, sealed)
		found = err == nil
		return err
	})
	if err != nil || !found {
		return nil, false, err
	}
	if value == nil {
		value = []byte{} // an empty value is there; nil would read as absent
	}
	return value, true, nil
}

// Delete removes bucket/key. Deleting what is not there is not an error.
func (s *Store) Delete(bucket, key string) error {
	if err := checkNames(bucket, key); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.Delete([]byte(key))
	})
}

// Keys returns the keys of bucket in byte order (sort.Strings order); nil for a missing or
// empty bucket. Keys are stored in clear, so listing them needs no decryption.
func (s *Store) Keys(bucket string) ([]string, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	var keys []string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if v != nil {
				keys = append(keys, string(k))
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// PutJSON stores v encoded with encoding/json.
func (s *Store) PutJSON(bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encoding %s/%s: %w", bucket, key, err)
	}
	return s.Put(bucket, key, data)
}

// GetJSON decodes the value at bucket/key into v and reports whether it was there; v is left
// alone when it was not.
func (s *Store) GetJSON(bucket, key string, v any) (bool, error) {
	data, found, err := s.Get(bucket, key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("store: decoding %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// Append stores value under the bucket's next sequence number and returns that key. The key
// is the number zero-padded to 20 digits, so Keys lists appended values in the order they
// were appended, across restarts. Numbering and write happen in one transaction, and a
// number is never reused, even after its value is deleted. Do not mix Put and Append keys
// in one bucket.
func (s *Store) Append(bucket string, value []byte) (string, error) {
	if err := checkBucket(bucket); err != nil {
		return "", err
	}
	var key string
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		key = SequenceKey(seq)
		return b.Put([]byte(key), s.sealer.seal(bucket, key, value))
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// AppendJSON is Append of v encoded with encoding/json.
func (s *Store) AppendJSON(bucket string, v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("store: encoding for %s: %w", bucket, err)
	}
	return s.Append(bucket, data)
}

// SequenceKey is the key Append gives sequence number seq: 20 digits, enough for any uint64,
// so that byte order is numeric order.
func SequenceKey(seq uint64) string {
	return fmt.Sprintf("%020d", seq)
}

// MoveAside renames a damaged store file to path.corrupt-<UTC time> so that the next Open
// starts an empty store and the old file stays for diagnosis. It returns the new name. The
// store must not be open.
func MoveAside(path string, now time.Time) (string, error) {
	stamp := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	target := stamp
	for n := 2; ; n++ {
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s-%d", stamp, n)
	}
	if err := os.Rename(path, target); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return target, nil
}

func checkBucket(bucket string) error {
	switch {
	case bucket == "":
		return fmt.Errorf("%w: empty bucket name", ErrInvalidName)
	case strings.IndexByte(bucket, 0) >= 0:
		return fmt.Errorf("%w: bucket name %q contains a zero byte", ErrInvalidName, bucket)
	case bucket == ReservedBucket:
		return fmt.Errorf("%w: bucket %q is reserved", ErrInvalidName, bucket)
	}
	return nil
}

func checkNames(bucket, key string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("%w: empty key in bucket %q", ErrInvalidName, bucket)
	}
	return nil
}
