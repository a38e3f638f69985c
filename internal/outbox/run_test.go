package outbox

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// stuck bounds each wait of these tests for something that should already be under way; it
// only turns a hang into a failure and never decides a pass.
const stuck = 20 * time.Second

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(stuck):
		t.Fatalf("%s never happened", what)
		panic("unreachable")
	}
}

// fakeTimers stands in for time.After: each request is announced on requests (so a test
// knows Run is about to sleep, and for how long), and fireAll fires every timer handed out so
// far, whichever one Run is waiting on (a Wake may have started an extra pass).
type fakeTimers struct {
	requests chan time.Duration
	mu       sync.Mutex
	pending  []chan time.Time
}

func newFakeTimers() *fakeTimers { return &fakeTimers{requests: make(chan time.Duration, 64)} }

func (f *fakeTimers) After(d time.Duration) <-chan time.Time {
	fire := make(chan time.Time, 1)
	f.mu.Lock()
	f.pending = append(f.pending, fire)
	f.mu.Unlock()
	f.requests <- d
	return fire
}

func (f *fakeTimers) fireAll(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fire := range f.pending {
		fire <- now
	}
	f.pending = nil
}

// waitFor returns once Run asks for a timer of d, failing on a request for another length.
func (f *fakeTimers) waitFor(t *testing.T, d time.Duration, what string) {
	t.Helper()
	if got := receive(t, f.requests, what); got != d {
		t.Fatalf("%s: Run sleeps %v, want %v", what, got, d)
	}
}

// startRun runs o.Run in a goroutine; stop cancels it and checks it returned ctx's error.
func startRun(t *testing.T, o *Outbox, handlers map[string]Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- o.Run(ctx, handlers) }()
	stopped := false
	stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := receive(t, errc, "Run returning after cancel"); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// signalling is a "write" handler that reports each call on a channel and returns the next
// result from results (nil once they run out).
func signalling(calls chan<- string, results ...error) map[string]Handler {
	return map[string]Handler{"write": func(_ context.Context, j Job) error {
		var err error
		if len(results) > 0 {
			err, results = results[0], results[1:]
		}
		calls <- j.Key
		return err
	}}
}

func TestRunRunsWhatIsEnqueuedAndStopsWithItsContext(t *testing.T) {
	timers := newFakeTimers()
	o, _, _ := newTest(t, Options{After: timers.After})
	calls := make(chan string, 4)
	stop := startRun(t, o, signalling(calls))

	mustEnqueue(t, o, job("a", ""))
	if key := receive(t, calls, "the enqueued job running"); key != "a" {
		t.Fatalf("ran %q", key)
	}
	mustEnqueue(t, o, job("b", ""))
	if key := receive(t, calls, "the second job running"); key != "b" {
		t.Fatalf("ran %q", key)
	}
	stop()
	if jobs := mustList(t, o); len(jobs) != 0 {
		t.Fatalf("left %v", keysOf(jobs))
	}
	if len(timers.requests) != 0 {
		t.Fatalf("Run asked for a timer (%v) with no job waiting", <-timers.requests)
	}
}

func TestRunSleepsUntilTheNextJobIsDue(t *testing.T) {
	timers := newFakeTimers()
	o, _, clk := newTest(t, Options{After: timers.After})
	calls := make(chan string, 4)
	startRun(t, o, signalling(calls, errOffline))

	mustEnqueue(t, o, job("a", ""))
	receive(t, calls, "the first attempt")
	timers.waitFor(t, time.Minute, "the sleep after the failure")
	clk.Advance(time.Minute)
	timers.fireAll(clk.Now())
	receive(t, calls, "the second attempt when the timer fired")
}

func TestRunWakesOnWake(t *testing.T) {
	timers := newFakeTimers()
	o, _, clk := newTest(t, Options{After: timers.After})
	mustEnqueue(t, o, Job{Key: "a", Kind: "write", NextAt: clk.Now().Add(time.Hour)})
	calls := make(chan string, 4)
	startRun(t, o, signalling(calls))

	timers.waitFor(t, time.Hour, "the sleep until the job is due")
	clk.Advance(time.Hour)
	o.Wake() // the timer never fires: only Wake can start the pass
	receive(t, calls, "the job running after Wake")
}

func TestRunReportsStoreErrorsAndTriesAgain(t *testing.T) {
	timers := newFakeTimers()
	reported := make(chan error, 4)
	o, st, _ := newTest(t, Options{After: timers.After, OnError: func(err error) { reported <- err }})
	broken := errors.New("store: damaged store")
	st.setFailures(nil, nil, broken)
	calls := make(chan string, 4)
	startRun(t, o, signalling(calls))

	if err := receive(t, reported, "the store error reported"); !errors.Is(err, broken) {
		t.Fatalf("OnError got %v", err)
	}
	timers.waitFor(t, storeRetryDelay, "the wait after the store error")
	st.setFailures(nil, nil, nil)
	mustEnqueue(t, o, job("a", "")) // Enqueue wakes the loop before the minute is up
	receive(t, calls, "the job running once the store works")
}

func TestUntilNextDue(t *testing.T) {
	now := newClock().Now()
	at := func(d time.Duration) time.Time { return now.Add(d) }
	rec := func(seq uint64, group string, next time.Time, parked bool) entry {
		return entry{key: group, rec: record{Seq: seq, Group: group, NextAt: next, Parked: parked}}
	}
	tests := []struct {
		name    string
		entries []entry
		want    time.Duration
	}{
		{"empty", nil, noJobDue},
		{"due now", []entry{rec(1, "", time.Time{}, false)}, 0},
		{"due a moment ago", []entry{rec(1, "g", at(-time.Second), false)}, 0},
		{"earliest of two", []entry{rec(1, "a", at(time.Hour), false), rec(2, "b", at(time.Minute), false)}, time.Minute},
		{"only parked", []entry{rec(1, "", time.Time{}, true)}, noJobDue},
		{"behind a parked job", []entry{rec(1, "g", time.Time{}, true), rec(2, "g", time.Time{}, false)}, noJobDue},
		{"behind a waiting job", []entry{rec(1, "g", at(time.Hour), false), rec(2, "g", time.Time{}, false)}, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := untilNextDue(tc.entries, now); got != tc.want {
				t.Fatalf("untilNextDue = %v, want %v", got, tc.want)
			}
		})
	}
}
