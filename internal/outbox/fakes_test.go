package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/store"
)

// memStore is an in-memory Store that keeps values as JSON bytes, like the real one, and can
// be made to fail or to hold damaged values.
type memStore struct {
	mu      sync.Mutex
	buckets map[string]map[string][]byte
	damaged map[string]bool // keys whose sealed value "fails to open"
	failPut error
	failDel error
	failKey error
}

func newMemStore() *memStore {
	return &memStore{buckets: map[string]map[string][]byte{}, damaged: map[string]bool{}}
}

func (m *memStore) PutJSON(bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failPut != nil {
		return m.failPut
	}
	m.putRawLocked(bucket, key, data)
	delete(m.damaged, key)
	return nil
}

func (m *memStore) putRawLocked(bucket, key string, data []byte) {
	if m.buckets[bucket] == nil {
		m.buckets[bucket] = map[string][]byte{}
	}
	m.buckets[bucket][key] = data
}

// putRaw stores data as it is, JSON or not.
func (m *memStore) putRaw(bucket, key string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putRawLocked(bucket, key, data)
}

// damage makes key's value fail to open, as a value sealed under another key does.
func (m *memStore) damage(bucket, key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putRawLocked(bucket, key, []byte("{}"))
	m.damaged[key] = true
}

func (m *memStore) GetJSON(bucket, key string, v any) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.buckets[bucket][key]
	if !ok {
		return false, nil
	}
	if m.damaged[key] {
		return false, fmt.Errorf("%w: value does not open", store.ErrCorrupt)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decoding %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

func (m *memStore) Delete(bucket, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failDel != nil {
		return m.failDel
	}
	delete(m.buckets[bucket], key)
	return nil
}

func (m *memStore) Keys(bucket string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failKey != nil {
		return nil, m.failKey
	}
	var keys []string
	for k := range m.buckets[bucket] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

func (m *memStore) setFailures(put, del, keys error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failPut, m.failDel, m.failKey = put, del, keys
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const testBucket = "outbox"

// fixedBackoff waits attempt minutes, so tests can tell the attempts apart.
func fixedBackoff(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }

// newTest returns an outbox on a fresh memStore with a settable clock and fixedBackoff.
func newTest(t *testing.T, opts Options) (*Outbox, *memStore, *clock) {
	t.Helper()
	st := newMemStore()
	clk := newClock()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Backoff == nil {
		opts.Backoff = fixedBackoff
	}
	return New(st, testBucket, opts), st, clk
}

func job(key, group string) Job {
	return Job{Key: key, Kind: "write", Group: group, Payload: json.RawMessage(`{"k":"` + key + `"}`)}
}

func mustEnqueue(t *testing.T, o *Outbox, jobs ...Job) {
	t.Helper()
	if err := o.EnqueueAll(jobs); err != nil {
		t.Fatalf("EnqueueAll: %v", err)
	}
}

func mustList(t *testing.T, o *Outbox) []Job {
	t.Helper()
	jobs, err := o.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return jobs
}

func mustJob(t *testing.T, o *Outbox, key string) Job {
	t.Helper()
	for _, j := range mustList(t, o) {
		if j.Key == key {
			return j
		}
	}
	t.Fatalf("no job %q in the outbox", key)
	return Job{}
}

func keysOf(jobs []Job) []string {
	keys := make([]string, len(jobs))
	for i, j := range jobs {
		keys[i] = j.Key
	}
	return keys
}

func mustCounts(t *testing.T, o *Outbox) Counts {
	t.Helper()
	c, err := o.Pending()
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return c
}

// recorder is a "write" handler that records the keys it ran and fails the keys in fail.
type recorder struct {
	mu   sync.Mutex
	ran  []string
	fail map[string]error
}

func (r *recorder) handle(_ context.Context, j Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ran = append(r.ran, j.Key)
	return r.fail[j.Key]
}

func (r *recorder) handlers() map[string]Handler { return map[string]Handler{"write": r.handle} }

func (r *recorder) took() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ran := r.ran
	r.ran = nil
	return ran
}

func (r *recorder) setFail(key string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail == nil {
		r.fail = map[string]error{}
	}
	if err == nil {
		delete(r.fail, key)
	} else {
		r.fail[key] = err
	}
}

func runDue(t *testing.T, o *Outbox, handlers map[string]Handler) int {
	t.Helper()
	done, err := o.RunDue(context.Background(), handlers)
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	return done
}

var errOffline = errors.New("dial tcp: connection refused")
