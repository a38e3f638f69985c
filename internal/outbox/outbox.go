package outbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/store"
)

// Store is the part of *store.Store the outbox uses.
type Store interface {
	PutJSON(bucket, key string, v any) error
	GetJSON(bucket, key string, v any) (bool, error)
	Delete(bucket, key string) error
	Keys(bucket string) ([]string, error)
}

var _ Store = (*store.Store)(nil)

// Errors a caller can test with errors.Is.
var (
	// ErrInvalidJob means a job given to Enqueue has no key, no kind, or a payload that is
	// not JSON.
	ErrInvalidJob = errors.New("outbox: invalid job")
	// ErrNotFound means Retry was given a key with no readable job.
	ErrNotFound = errors.New("outbox: no such job")
)

// Job is one write waiting in the outbox.
type Job struct {
	// Key names the job; one key is one job (see the package comment on replacing). It is
	// stored in clear: a record name, never customer data.
	Key string
	// Kind names the handler that runs the job, e.g. "upsert-session".
	Kind string
	// Group orders jobs: those of one group run one at a time, in enqueue order. Empty means
	// the job waits for no other.
	Group string
	// Payload is the handler's input, any JSON value (stored compacted; empty means null).
	Payload json.RawMessage
	// Attempts counts the failures since the job was enqueued or last retried by hand.
	Attempts int
	// NextAt is when the job may run next; the zero time means at once. Enqueue honours it
	// for a new job, so a write can be delayed.
	NextAt time.Time
	// LastError is the last failure, on one line, for the window and `sync`.
	LastError string
	// Parked means the job failed in a way a retry cannot fix (or has no handler) and waits
	// for Retry or Drop.
	Parked bool
	// Created is when the job was first enqueued.
	Created time.Time
}

// Handler runs one job. It must be idempotent: a job whose handler was cut short by a crash
// runs again. Returning nil deletes the job; an error wrapped with Permanent parks it; any
// other error retries it after a backoff.
type Handler func(ctx context.Context, j Job) error

// Options tune an Outbox. The zero value is ready to use.
type Options struct {
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Backoff is the wait after the attempt-th failure in a row (attempt >= 1);
	// DefaultBackoff by default.
	Backoff func(attempt int) time.Duration
	// HandlerTimeout bounds one handler call; 2 minutes by default. Running out counts as a
	// failure, retried later.
	HandlerTimeout time.Duration
	// OnChange is called after every change to the jobs (enqueued, done, failed, parked,
	// retried, dropped), from the goroutine that made it, with no lock held. It must not
	// block; reading Pending from it is fine.
	OnChange func()
	// OnError receives the store errors that Run meets; Run then waits and tries again. The
	// errors name buckets and keys, never payloads.
	OnError func(error)
	// After is the timer of Run; time.After by default. Tests hand in their own.
	After func(time.Duration) <-chan time.Time
}

// Run's defaults.
const (
	defaultHandlerTimeout = 2 * time.Minute
	// storeRetryDelay is Run's wait after a store error, unless Wake comes first.
	storeRetryDelay = time.Minute
)

// Outbox is a durable job queue in one bucket of a store. Its methods are safe for
// concurrent use.
type Outbox struct {
	st     Store
	bucket string
	opts   Options
	wake   chan struct{}

	// mu serialises the read-modify-write of job values and guards nextSeq.
	mu      sync.Mutex
	nextSeq uint64 // 0 until read from the bucket
	// running keeps passes of RunDue apart, so that no job runs twice at once.
	running sync.Mutex
}

// New returns the outbox kept in bucket of st.
func New(st Store, bucket string, opts Options) *Outbox {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.HandlerTimeout <= 0 {
		opts.HandlerTimeout = defaultHandlerTimeout
	}
	if opts.After == nil {
		opts.After = time.After
	}
	return &Outbox{st: st, bucket: bucket, opts: opts, wake: make(chan struct{}, 1)}
}

// Enqueue adds j, or replaces the job with j's key (see the package comment). The job is on
// disk when Enqueue returns nil. Only Key, Kind, Group, Payload and, for a new job, NextAt
// are read from j.
func (o *Outbox) Enqueue(j Job) error {
	return o.EnqueueAll([]Job{j})
}

// EnqueueAll enqueues jobs one after the other, in order. All are checked before any is
// written; a failure part way leaves the earlier ones enqueued, and calling EnqueueAll again
// with the same jobs completes the set.
func (o *Outbox) EnqueueAll(jobs []Job) error {
	for _, j := range jobs {
		if err := validate(j); err != nil {
			return err
		}
	}
	written := 0
	defer func() {
		if written > 0 {
			o.changed()
			o.Wake()
		}
	}()
	for _, j := range jobs {
		if err := o.put(j); err != nil {
			return err
		}
		written++
	}
	return nil
}

func validate(j Job) error {
	switch {
	case j.Key == "":
		return fmt.Errorf("%w: no key", ErrInvalidJob)
	case j.Kind == "":
		return fmt.Errorf("%w: %s: no kind", ErrInvalidJob, j.Key)
	case len(j.Payload) > 0 && !json.Valid(j.Payload):
		return fmt.Errorf("%w: %s: payload is not JSON", ErrInvalidJob, j.Key)
	}
	return nil
}

// put writes j as a new job, or as the new payload of the job already under its key.
func (o *Outbox) put(j Job) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	payload := j.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	r, found, err := o.read(j.Key)
	if err != nil && !errors.Is(err, errBadRecord) {
		return err
	}
	if found {
		r.Rev++
	} else { // absent, or unreadable: a whole new job replaces the damaged value
		seq, err := o.takeSeq()
		if err != nil {
			return err
		}
		r = record{V: recordVersion, Seq: seq, Rev: 1, NextAt: j.NextAt, Created: o.opts.Now()}
	}
	r.Kind, r.Group, r.Payload = j.Kind, j.Group, payload
	return o.write(j.Key, r)
}

// takeSeq returns the next sequence number, reading the highest one in the bucket the first
// time so that the order holds across restarts. Caller holds mu.
func (o *Outbox) takeSeq() (uint64, error) {
	if o.nextSeq == 0 {
		entries, err := o.load()
		if err != nil {
			return 0, err
		}
		o.nextSeq = 1
		for _, e := range entries {
			o.nextSeq = max(o.nextSeq, e.rec.Seq+1)
		}
	}
	seq := o.nextSeq
	o.nextSeq++
	return seq, nil
}

// Retry makes the job with key due at once, releasing it if parked and restarting its
// backoff from the first step. It returns ErrNotFound if no readable job has that key.
func (o *Outbox) Retry(key string) error {
	err := o.update(key, func(r *record) {
		r.Parked = false
		r.Attempts = 0
		r.NextAt = time.Time{}
	})
	if err != nil {
		return err
	}
	o.changed()
	o.Wake()
	return nil
}

// update applies change to the job with key and writes it back.
func (o *Outbox) update(key string, change func(*record)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, found, err := o.read(key)
	if errors.Is(err, errBadRecord) || err == nil && !found {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return err
	}
	change(&r)
	return o.write(key, r)
}

// Drop removes the job with key, readable or not, without running it. Dropping a key that
// is not there is not an error. A handler already running for it is not stopped, but its
// result no longer brings the job back.
func (o *Outbox) Drop(key string) error {
	o.mu.Lock()
	err := o.st.Delete(o.bucket, key)
	o.mu.Unlock()
	if err != nil {
		return err
	}
	o.changed()
	return nil
}

// List returns the readable jobs in the order they run.
func (o *Outbox) List() ([]Job, error) {
	entries, err := o.load()
	if err != nil {
		return nil, err
	}
	jobs := make([]Job, len(entries))
	for i, e := range entries {
		jobs[i] = e.rec.job(e.key)
	}
	return jobs, nil
}

// Unreadable returns the keys of the values in the bucket that are not readable jobs.
func (o *Outbox) Unreadable() ([]string, error) {
	keys, err := o.st.Keys(o.bucket)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, key := range keys {
		if _, _, err := o.read(key); errors.Is(err, errBadRecord) {
			bad = append(bad, key)
		} else if err != nil {
			return nil, err
		}
	}
	return bad, nil
}

// Counts is how many jobs are in each state.
type Counts struct {
	// Due jobs would run if a pass started now: at most one per group, the group's first.
	Due int
	// Waiting jobs wait for their backoff or for an earlier job of their group.
	Waiting int
	// Parked jobs wait for Retry or Drop.
	Parked int
	// Unreadable values are damaged or of an unknown format; they never run.
	Unreadable int
}

// Pending is the number of jobs still to be written: Due + Waiting + Parked.
func (c Counts) Pending() int { return c.Due + c.Waiting + c.Parked }

// Pending counts the jobs by state at the current time.
func (o *Outbox) Pending() (Counts, error) {
	entries, bad, err := o.scan()
	if err != nil {
		return Counts{}, err
	}
	c := Counts{Unreadable: bad}
	for _, s := range classify(entries, o.opts.Now()) {
		switch s {
		case stateDue:
			c.Due++
		case stateWaiting:
			c.Waiting++
		case stateParked:
			c.Parked++
		}
	}
	return c, nil
}

// entry is one readable job with its key.
type entry struct {
	key string
	rec record
}

// load returns the readable jobs in run order.
func (o *Outbox) load() ([]entry, error) {
	entries, _, err := o.scan()
	return entries, err
}

// scan reads every value of the bucket: the readable jobs in run order (by sequence number)
// and the number of unreadable values. A value deleted between listing and reading is
// simply not there.
func (o *Outbox) scan() (entries []entry, unreadable int, err error) {
	keys, err := o.st.Keys(o.bucket)
	if err != nil {
		return nil, 0, err
	}
	for _, key := range keys {
		r, found, err := o.read(key)
		switch {
		case errors.Is(err, errBadRecord):
			unreadable++
		case err != nil:
			return nil, 0, err
		case found:
			entries = append(entries, entry{key, r})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.rec.Seq, b.rec.Seq), cmp.Compare(a.key, b.key))
	})
	return entries, unreadable, nil
}

// read returns the job under key. A value that does not open, or is not a job record, gives
// an error wrapping errBadRecord; other store failures are returned as they are.
func (o *Outbox) read(key string) (record, bool, error) {
	var raw json.RawMessage
	found, err := o.st.GetJSON(o.bucket, key, &raw)
	switch {
	case found && err != nil: // stored bytes that are not JSON
		return record{}, false, fmt.Errorf("%w: %s: malformed JSON", errBadRecord, key)
	case errors.Is(err, store.ErrCorrupt): // sealed value that fails to open
		return record{}, false, fmt.Errorf("%w: %s: damaged value", errBadRecord, key)
	case err != nil || !found:
		return record{}, false, err
	}
	r, err := decodeRecord(raw)
	if err != nil {
		return record{}, false, fmt.Errorf("%s: %w", key, err)
	}
	return r, true, nil
}

func (o *Outbox) write(key string, r record) error {
	return o.st.PutJSON(o.bucket, key, r)
}

func (o *Outbox) changed() {
	if o.opts.OnChange != nil {
		o.opts.OnChange()
	}
}

// Wake makes a waiting Run start a pass now. Enqueue and Retry call it themselves; the app
// calls it when the network or the sign-in comes back.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}
