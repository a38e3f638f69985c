package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/store"
	bolt "go.etcd.io/bbolt"
)

// testStoreKey is a fixed encryption key for test stores; it protects nothing.
var testStoreKey = bytes.Repeat([]byte{7}, store.KeySize)

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path, testStoreKey, store.Options{})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return st
}

func TestJobsSurviveCloseAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	clk := newClock()
	opts := Options{Now: clk.Now, Backoff: fixedBackoff}

	st := openStore(t, path)
	o := New(st, testBucket, opts)
	mustEnqueue(t, o,
		Job{
			Key: "session/7/upsert", Kind: "upsert-session", Group: "session/7",
			Payload: json.RawMessage(`{"customer":"Émilie Dubois","summary":"VPN"}`),
		},
		Job{Key: "session/7/deactivate", Kind: "deactivate-session", Group: "session/7"},
		Job{Key: "case/CAS-1/note", Kind: "note", Payload: json.RawMessage(`"Printer fixed"`)},
	)
	handlers := map[string]Handler{
		"upsert-session": func(context.Context, Job) error { return errOffline },
		"note":           func(context.Context, Job) error { return Permanent(errOffline) },
	}
	runDue(t, o, handlers)
	before := mustList(t, o)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, path)
	defer func() { _ = st.Close() }()
	o = New(st, testBucket, opts)
	after := mustList(t, o)
	if len(after) != len(before) {
		t.Fatalf("after reopening: %v, want %v", keysOf(after), keysOf(before))
	}
	for i := range before {
		if !sameJob(after[i], before[i]) {
			t.Errorf("job %d after reopening = %+v, want %+v", i, after[i], before[i])
		}
	}
	if !after[0].NextAt.After(clk.Now()) || !after[2].Parked {
		t.Fatalf("the backoff or the parking was lost: %+v", after)
	}

	mustEnqueue(t, o, job("a-later-job", ""))
	if got := keysOf(mustList(t, o)); got[len(got)-1] != "a-later-job" {
		t.Fatalf("order after reopening = %v, want the new job last", got)
	}
	if err := o.Retry("case/CAS-1/note"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	rec := &recorder{}
	all := map[string]Handler{"upsert-session": rec.handle, "deactivate-session": rec.handle, "note": rec.handle, "write": rec.handle}
	if done := runDue(t, o, all); done != 4 {
		t.Fatalf("drained %d jobs, want 4", done)
	}
	if keys, err := st.Keys(testBucket); err != nil || len(keys) != 0 {
		t.Fatalf("bucket after draining: %v, %v", keys, err)
	}
}

func TestDamagedStoreValueIsUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	st := openStore(t, path)
	o := New(st, testBucket, Options{})
	mustEnqueue(t, o, job("good", ""), job("moved", ""))
	if err := st.Put(testBucket, "not-json", []byte("\x00garbage")); err != nil {
		t.Fatal(err)
	}
	if err := st.PutJSON(testBucket, "not-a-job", map[string]int{"v": 1}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	copySealedValue(t, path, "good", "moved") // sealed for another key: fails to open

	st = openStore(t, path)
	defer func() { _ = st.Close() }()
	o = New(st, testBucket, Options{})
	bad, err := o.Unreadable()
	if err != nil || !slices.Equal(bad, []string{"moved", "not-a-job", "not-json"}) {
		t.Fatalf("Unreadable = %v, %v", bad, err)
	}
	if c := mustCounts(t, o); c != (Counts{Due: 1, Unreadable: 3}) {
		t.Fatalf("counts = %+v", c)
	}
	rec := &recorder{}
	if done := runDue(t, o, rec.handlers()); done != 1 || !slices.Equal(rec.took(), []string{"good"}) {
		t.Fatalf("RunDue did %d jobs; want only the readable one", done)
	}
}

// copySealedValue copies the raw bytes of one outbox value over another in the closed store
// file, as a damaged file or a stray write would.
func copySealedValue(t *testing.T, path, from, to string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(testBucket))
		return b.Put([]byte(to), bytes.Clone(b.Get([]byte(from))))
	})
	if err != nil {
		t.Fatal(err)
	}
}
