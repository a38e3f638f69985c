package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// testKey returns a fixed 32-byte key whose bytes all equal b, so tests can name two
// different keys.
func testKey(b byte) []byte {
	return bytes.Repeat([]byte{b}, KeySize)
}

func openAt(t *testing.T, path string, key []byte) *Store {
	t.Helper()
	s, err := Open(path, key, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func tempPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "state", "store.db")
}

func TestRoundTripBytes(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	values := map[string][]byte{
		"empty":  {},
		"small":  []byte("PIN 123456"),
		"binary": {0, 1, 2, 255, 0},
		"large":  bytes.Repeat([]byte("overflow page "), 2000),
	}
	for key, value := range values {
		if err := s.Put("cases", key, value); err != nil {
			t.Fatalf("Put(%s): %v", key, err)
		}
	}
	for key, want := range values {
		got, found, err := s.Get("cases", key)
		if err != nil || !found {
			t.Fatalf("Get(%s) = found %v, err %v", key, found, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Get(%s) = %q, want %q", key, got, want)
		}
	}
}

func TestPutOverwritesAndDeleteRemoves(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	mustPut(t, s, "cases", "CAS-1", "first")
	mustPut(t, s, "cases", "CAS-1", "second")
	if got := mustGet(t, s, "cases", "CAS-1"); got != "second" {
		t.Fatalf("after overwrite Get = %q, want second", got)
	}
	if err := s.Delete("cases", "CAS-1"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Get("cases", "CAS-1"); found || err != nil {
		t.Fatalf("after Delete Get = found %v, err %v", found, err)
	}
	for _, c := range []struct{ bucket, key string }{{"cases", "CAS-1"}, {"nobucket", "x"}} {
		if err := s.Delete(c.bucket, c.key); err != nil {
			t.Errorf("Delete(%s/%s) of nothing: %v", c.bucket, c.key, err)
		}
	}
}

type caseRecord struct {
	ID       string    `json:"id"`
	Number   string    `json:"number"`
	Title    string    `json:"title"`
	Customer string    `json:"customer"`
	Email    string    `json:"email"`
	Owner    string    `json:"owner"`
	Status   string    `json:"status"`
	Priority int       `json:"priority"`
	Modified time.Time `json:"modified"`
	Summary  string    `json:"summary"`
}

type snapshot struct {
	TakenAt time.Time    `json:"taken_at"`
	Cases   []caseRecord `json:"cases"`
}

func TestRoundTripJSON(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	want := makeSnapshot(3)
	if err := s.PutJSON("cache", "my-open-cases", want); err != nil {
		t.Fatal(err)
	}
	var got snapshot
	found, err := s.GetJSON("cache", "my-open-cases", &got)
	if err != nil || !found {
		t.Fatalf("GetJSON = found %v, err %v", found, err)
	}
	if !got.TakenAt.Equal(want.TakenAt) || !slices.EqualFunc(got.Cases, want.Cases, sameCase) {
		t.Errorf("GetJSON = %+v, want %+v", got, want)
	}
}

func sameCase(a, b caseRecord) bool {
	return a.Modified.Equal(b.Modified) && a.ID == b.ID && a.Number == b.Number && a.Title == b.Title &&
		a.Customer == b.Customer && a.Email == b.Email && a.Owner == b.Owner && a.Status == b.Status &&
		a.Priority == b.Priority && a.Summary == b.Summary
}

func TestJSONErrors(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	if err := s.PutJSON("cache", "bad", make(chan int)); err == nil {
		t.Error("PutJSON of a channel: no error")
	}
	mustPut(t, s, "cache", "not-json", "{")
	var v map[string]any
	found, err := s.GetJSON("cache", "not-json", &v)
	if err == nil || !found {
		t.Errorf("GetJSON of invalid JSON = found %v, err %v; want found and an error", found, err)
	}
	untouched := map[string]any{"kept": true}
	found, err = s.GetJSON("cache", "missing", &untouched)
	if found || err != nil || untouched["kept"] != true {
		t.Errorf("GetJSON of missing key = found %v, err %v, v %v", found, err, untouched)
	}
}

func TestGetMissing(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	mustPut(t, s, "cases", "present", "x")
	for _, c := range []struct{ bucket, key string }{
		{"cases", "absent"},
		{"no-such-bucket", "present"},
	} {
		value, found, err := s.Get(c.bucket, c.key)
		if value != nil || found || err != nil {
			t.Errorf("Get(%s, %s) = (%v, %v, %v), want (nil, false, nil)", c.bucket, c.key, value, found, err)
		}
	}
	keys, err := s.Keys("no-such-bucket")
	if keys != nil || err != nil {
		t.Errorf("Keys(missing) = (%v, %v), want (nil, nil)", keys, err)
	}
}

func TestKeysSorted(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	names := []string{"CAS-0300", "CAS-0002", "b", "CAS-0010", "a", "Z"}
	for _, n := range names {
		mustPut(t, s, "cases", n, "v")
	}
	got, err := s.Keys("cases")
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(names)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
}

func TestValuesAreNotInTheFile(t *testing.T) {
	path := tempPath(t)
	s := openAt(t, path, testKey(1))
	const secret = "Jeanne-Dupont-4411-secret-note"
	mustPut(t, s, "history", "session-77", secret)
	if err := s.PutJSON("cache", "my-open-cases", map[string]string{"customer": secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append("outbox", []byte(secret)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Errorf("plaintext %q found in the raw file", secret)
	}
	// Record names are documented as stored in clear; finding one shows the search works.
	if !bytes.Contains(raw, []byte("session-77")) {
		t.Error("key session-77 not found in the raw file: the plaintext search proves nothing")
	}
}

func TestWrongKey(t *testing.T) {
	path := tempPath(t)
	s, err := Open(path, testKey(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "cases", "CAS-1", "x")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, testKey(2), Options{}); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
	}
	// The failed Open must have released the file and left it as it was.
	s = openAt(t, path, testKey(1))
	if got := mustGet(t, s, "cases", "CAS-1"); got != "x" {
		t.Errorf("after a wrong-key Open, Get = %q", got)
	}
}

func TestInvalidKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := Open(tempPath(t), make([]byte, n), Options{}); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open with a %d-byte key: %v, want ErrInvalidKey", n, err)
		}
	}
}

// TestMovedValueFailsToOpen copies sealed values with raw bbolt to another key and another
// bucket; the additional data must make both fail.
func TestMovedValueFailsToOpen(t *testing.T) {
	path := tempPath(t)
	s, err := Open(path, testKey(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "cases", "CAS-1", "belongs to CAS-1")
	mustPut(t, s, "other", "placeholder", "x")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		sealed := bytes.Clone(tx.Bucket([]byte("cases")).Get([]byte("CAS-1")))
		if err := tx.Bucket([]byte("cases")).Put([]byte("CAS-2"), sealed); err != nil {
			return err
		}
		return tx.Bucket([]byte("other")).Put([]byte("CAS-1"), sealed)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path, testKey(1))
	if got := mustGet(t, s, "cases", "CAS-1"); got != "belongs to CAS-1" {
		t.Fatalf("original value = %q", got)
	}
	for _, c := range []struct{ bucket, key string }{{"cases", "CAS-2"}, {"other", "CAS-1"}} {
		value, found, err := s.Get(c.bucket, c.key)
		if !errors.Is(err, ErrCorrupt) || value != nil {
			t.Errorf("Get(%s/%s) of a moved value = (%q, %v, %v), want an ErrCorrupt error", c.bucket, c.key, value, found, err)
		}
	}
	// A failed value does not break the store.
	mustPut(t, s, "cases", "CAS-3", "fine")
}

func TestAppendOrderAcrossReopen(t *testing.T) {
	path := tempPath(t)
	var appended []string
	for round := range 3 {
		s, err := Open(path, testKey(1), Options{})
		if err != nil {
			t.Fatal(err)
		}
		// 12 per round crosses 9 -> 10 and 99 -> 100 style boundaries in the padded keys.
		for i := range 12 {
			key, err := s.Append("outbox", fmt.Appendf(nil, "record %d.%d", round, i))
			if err != nil {
				t.Fatal(err)
			}
			appended = append(appended, key)
		}
		if round == 1 { // a deleted number is never handed out again
			if err := s.Delete("outbox", appended[len(appended)-1]); err != nil {
				t.Fatal(err)
			}
			appended = appended[:len(appended)-1]
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s := openAt(t, path, testKey(1))
	keys, err := s.Keys("outbox")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, appended) || !slices.IsSorted(keys) {
		t.Fatalf("Keys = %v\nwant %v (the append order)", keys, appended)
	}
	if keys[0] != SequenceKey(1) || keys[len(keys)-1] != SequenceKey(36) {
		t.Errorf("first/last keys = %s/%s, want %s/%s", keys[0], keys[len(keys)-1], SequenceKey(1), SequenceKey(36))
	}
	if got := mustGet(t, s, "outbox", keys[len(keys)-1]); got != "record 2.11" {
		t.Errorf("last appended value = %q", got)
	}
}

func TestSequenceKeySortsNumerically(t *testing.T) {
	seqs := []uint64{1, 9, 10, 99, 100, 1 << 40, ^uint64(0)}
	var keys []string
	for _, n := range seqs {
		keys = append(keys, SequenceKey(n))
	}
	if !slices.IsSorted(keys) {
		t.Errorf("sequence keys do not sort numerically: %v", keys)
	}
	if SequenceKey(7) != "00000000000000000007" {
		t.Errorf("SequenceKey(7) = %q", SequenceKey(7))
	}
}

func TestAppendJSON(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	key, err := s.AppendJSON("outbox", map[string]int{"n": 7})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if found, err := s.GetJSON("outbox", key, &got); !found || err != nil || got["n"] != 7 {
		t.Errorf("GetJSON(%s) = %v, %v, %v", key, got, found, err)
	}
}

func TestInvalidNames(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	cases := []struct{ bucket, key string }{
		{"", "k"},
		{"a\x00b", "k"},
		{ReservedBucket, "check"},
		{"cases", ""},
	}
	for _, c := range cases {
		if err := s.Put(c.bucket, c.key, []byte("v")); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Put(%q, %q): %v, want ErrInvalidName", c.bucket, c.key, err)
		}
		if _, _, err := s.Get(c.bucket, c.key); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Get(%q, %q): %v, want ErrInvalidName", c.bucket, c.key, err)
		}
		if err := s.Delete(c.bucket, c.key); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Delete(%q, %q): %v, want ErrInvalidName", c.bucket, c.key, err)
		}
	}
	for _, bucket := range []string{"", "a\x00b", ReservedBucket} {
		if _, err := s.Keys(bucket); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Keys(%q): %v, want ErrInvalidName", bucket, err)
		}
		if _, err := s.Append(bucket, nil); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Append(%q): %v, want ErrInvalidName", bucket, err)
		}
	}
	// A key may contain a zero byte: the bucket name ends at the first one.
	mustPut(t, s, "cases", "a\x00b", "zero in key")
	if got := mustGet(t, s, "cases", "a\x00b"); got != "zero in key" {
		t.Errorf("Get of a key with a zero byte = %q", got)
	}
}

func TestClosed(t *testing.T) {
	s, err := Open(tempPath(t), testKey(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Put("cases", "k", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v, want ErrClosed", err)
	}
	if _, _, err := s.Get("cases", "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Append("outbox", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v, want ErrClosed", err)
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	path := tempPath(t)
	s, err := Open(path, testKey(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertPerm(t, filepath.Dir(path), 0o700)
	assertPerm(t, path, 0o600)

	// A file someone widened is made owner-only again.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	openAt(t, path, testKey(1))
	assertPerm(t, path, 0o600)
}

func assertPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s mode = %o, want %o", path, got, want)
	}
}

// TestConcurrentUse runs writers, appenders and readers at once; with -race it also checks
// the Store for data races.
func TestConcurrentUse(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	const workers, each = 6, 15
	var wg sync.WaitGroup
	appended := make(chan string, workers*each)
	errs := make(chan error, 3*workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("w%d-%02d", w, i)
				errs <- s.Put("cases", key, []byte(key))
				k, err := s.Append("outbox", []byte(key))
				errs <- err
				appended <- k
				got, _, err := s.Get("cases", key)
				if err == nil && string(got) != key {
					err = fmt.Errorf("Get(%s) = %q", key, got)
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	close(appended)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for k := range appended {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(slices.Compact(slices.Clone(keys))) != workers*each {
		t.Fatalf("Append handed out duplicate keys: %v", keys)
	}
	stored, err := s.Keys("outbox")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored, keys) {
		t.Errorf("outbox keys = %v, want %v", stored, keys)
	}
}

func TestMoveAside(t *testing.T) {
	path := tempPath(t)
	openAt(t, path, testKey(1)).Close()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	first, err := MoveAside(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".corrupt-20260304T040607Z"; first != want {
		t.Errorf("MoveAside = %s, want %s", first, want)
	}
	openAt(t, path, testKey(1)).Close() // a new, empty store takes its place
	second, err := MoveAside(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if second != first+"-2" {
		t.Errorf("second MoveAside in the same second = %s, want %s-2", second, first)
	}
	for _, p := range []string{first, second} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

func mustPut(t *testing.T, s *Store, bucket, key, value string) {
	t.Helper()
	if err := s.Put(bucket, key, []byte(value)); err != nil {
		t.Fatalf("Put(%s/%s): %v", bucket, key, err)
	}
}

func mustGet(t *testing.T, s *Store, bucket, key string) string {
	t.Helper()
	value, found, err := s.Get(bucket, key)
	if err != nil || !found {
		t.Fatalf("Get(%s/%s) = found %v, err %v", bucket, key, found, err)
	}
	return string(value)
}

// makeSnapshot makes up n case-like records of roughly 400 bytes of JSON each.
func makeSnapshot(n int) snapshot {
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	statuses := []string{"In Progress", "On Hold", "Waiting for Details", "Researching"}
	snap := snapshot{TakenAt: base.Add(90 * time.Minute), Cases: make([]caseRecord, n)}
	for i := range snap.Cases {
		snap.Cases[i] = caseRecord{
			ID:       fmt.Sprintf("%08x-1c2d-4e5f-8a9b-%012x", i*7919, i*104729),
			Number:   fmt.Sprintf("CAS-%05d-R%dQ%d", 10000+i, i%10, (i*3)%10),
			Title:    fmt.Sprintf("Printer on floor %d drops jobs after the driver update (ticket %d)", i%12, i),
			Customer: fmt.Sprintf("Customer %d Dupont-Lefèvre", i),
			Email:    fmt.Sprintf("customer.%d@example.com", i),
			Owner:    fmt.Sprintf("Technician %d", i%40),
			Status:   statuses[i%len(statuses)],
			Priority: 1 + i%3,
			Modified: base.Add(time.Duration(i) * time.Minute),
			Summary:  strings.Repeat("Remote session needed to reinstall the driver. ", 2),
		}
	}
	return snap
}

func TestSnapshotRecordSize(t *testing.T) {
	// The benchmarks claim ~400-byte records; keep that claim true.
	data, err := json.Marshal(makeSnapshot(100).Cases)
	if err != nil {
		t.Fatal(err)
	}
	if per := len(data) / 100; per < 350 || per > 450 {
		t.Errorf("made-up case record is %d bytes of JSON, want about 400", per)
	}
}

var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func parentDir(path string) string { return filepath.Dir(path) }
