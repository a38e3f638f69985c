package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRunDueRunsJobsAndDeletesThem(t *testing.T) {
	o, _, clk := newTest(t, Options{})
	var got []Job
	handlers := map[string]Handler{
		"upsert-session": func(_ context.Context, j Job) error { got = append(got, j); return nil },
	}
	mustEnqueue(t, o, Job{
		Key: "session/1/upsert", Kind: "upsert-session", Group: "session/1",
		Payload: json.RawMessage(`{"sessionId": 1, "summary": "printer"}`),
	})

	if done := runDue(t, o, handlers); done != 1 {
		t.Fatalf("RunDue did %d jobs, want 1", done)
	}
	want := Job{
		Key: "session/1/upsert", Kind: "upsert-session", Group: "session/1",
		Payload: json.RawMessage(`{"sessionId":1,"summary":"printer"}`), Created: clk.Now(),
	}
	if len(got) != 1 || !sameJob(got[0], want) {
		t.Fatalf("handler got %+v, want %+v", got, want)
	}
	if jobs := mustList(t, o); len(jobs) != 0 {
		t.Fatalf("after success the outbox holds %v", keysOf(jobs))
	}
	if done := runDue(t, o, handlers); done != 0 || len(got) != 1 {
		t.Fatalf("second pass did %d jobs, handler calls %d; want nothing", done, len(got))
	}
}

func sameJob(a, b Job) bool {
	return a.Key == b.Key && a.Kind == b.Kind && a.Group == b.Group &&
		string(a.Payload) == string(b.Payload) && a.Attempts == b.Attempts &&
		a.NextAt.Equal(b.NextAt) && a.LastError == b.LastError && a.Parked == b.Parked &&
		a.Created.Equal(b.Created)
}

func TestSameKeyIsOneJob(t *testing.T) {
	o, _, clk := newTest(t, Options{})
	rec := &recorder{}
	mustEnqueue(t, o, job("a", ""), job("b", ""))
	rec.setFail("a", errOffline)
	rec.setFail("b", errOffline)
	runDue(t, o, rec.handlers())
	failed := mustJob(t, o, "a")

	clk.Advance(10 * time.Second)
	replacement := Job{
		Key: "a", Kind: "note", Group: "g", Payload: json.RawMessage(`"second"`),
		NextAt: clk.Now().Add(time.Hour),
	}
	mustEnqueue(t, o, replacement)

	jobs := mustList(t, o)
	if !slices.Equal(keysOf(jobs), []string{"a", "b"}) {
		t.Fatalf("jobs after re-enqueueing a: %v, want [a b] (one a, in its first place)", keysOf(jobs))
	}
	want := failed
	want.Kind, want.Group, want.Payload = "note", "g", json.RawMessage(`"second"`)
	if !sameJob(jobs[0], want) {
		t.Fatalf("replaced job = %+v, want the new kind, group and payload with the old state %+v", jobs[0], want)
	}
}

func TestJobsOfAGroupRunInEnqueueOrder(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	rec := &recorder{}
	// Keys sort in the opposite order, so the order must come from enqueueing.
	mustEnqueue(t, o, job("z-upsert", "s1"), job("y-other", "s2"))
	mustEnqueue(t, o, job("x-deactivate", "s1"), job("w-note", "s1"))

	if done := runDue(t, o, rec.handlers()); done != 4 {
		t.Fatalf("RunDue did %d jobs, want 4", done)
	}
	if got, want := rec.took(), []string{"z-upsert", "y-other", "x-deactivate", "w-note"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

func TestFailingJobBacksOffAndHoldsOnlyItsGroup(t *testing.T) {
	o, _, clk := newTest(t, Options{})
	rec := &recorder{}
	mustEnqueue(t, o, job("s1-upsert", "s1"), job("s1-deactivate", "s1"), job("s2-upsert", "s2"), job("loose", ""))
	rec.setFail("s1-upsert", fmt.Errorf("dynamics: 503 Service Unavailable"))

	if done := runDue(t, o, rec.handlers()); done != 2 {
		t.Fatalf("RunDue did %d jobs, want 2", done)
	}
	if got, want := rec.took(), []string{"s1-upsert", "s2-upsert", "loose"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v (s1-deactivate held behind the failure)", got, want)
	}
	failed := mustJob(t, o, "s1-upsert")
	if failed.Attempts != 1 || !failed.NextAt.Equal(clk.Now().Add(time.Minute)) ||
		failed.LastError != "dynamics: 503 Service Unavailable" || failed.Parked {
		t.Fatalf("failed job = %+v, want 1 attempt, next in 1 min, the error, not parked", failed)
	}

	clk.Advance(59 * time.Second)
	if runDue(t, o, rec.handlers()); len(rec.took()) != 0 {
		t.Fatal("a job ran before its backoff ended")
	}
	clk.Advance(time.Second)
	if runDue(t, o, rec.handlers()); !slices.Equal(rec.took(), []string{"s1-upsert"}) {
		t.Fatal("the failing job did not run again after its backoff")
	}
	if j := mustJob(t, o, "s1-upsert"); j.Attempts != 2 || !j.NextAt.Equal(clk.Now().Add(2*time.Minute)) {
		t.Fatalf("after a second failure: %d attempts, next at %v; want 2 and +2 min", j.Attempts, j.NextAt)
	}

	rec.setFail("s1-upsert", nil)
	clk.Advance(2 * time.Minute)
	if runDue(t, o, rec.handlers()); !slices.Equal(rec.took(), []string{"s1-upsert", "s1-deactivate"}) {
		t.Fatal("the group did not resume in order once its first job succeeded")
	}
	if jobs := mustList(t, o); len(jobs) != 0 {
		t.Fatalf("left %v", keysOf(jobs))
	}
}

func TestPermanentErrorParksUntilRetry(t *testing.T) {
	o, _, clk := newTest(t, Options{})
	rec := &recorder{}
	mustEnqueue(t, o, job("upsert", "s1"), job("deactivate", "s1"))
	rec.setFail("upsert", fmt.Errorf("upsert: %w", Permanent(errors.New("400 Bad Request"))))

	runDue(t, o, rec.handlers())
	parked := mustJob(t, o, "upsert")
	if !parked.Parked || parked.LastError != "upsert: 400 Bad Request" || parked.Attempts != 0 {
		t.Fatalf("job after a permanent error = %+v, want parked with its error", parked)
	}
	clk.Advance(24 * time.Hour)
	if runDue(t, o, rec.handlers()); len(rec.took()) != 1 {
		t.Fatal("a parked job ran again by itself, or its group went past it")
	}
	if c := mustCounts(t, o); c != (Counts{Parked: 1, Waiting: 1}) {
		t.Fatalf("counts = %+v, want 1 parked and 1 waiting behind it", c)
	}

	rec.setFail("upsert", nil)
	if err := o.Retry("upsert"); err != nil {
		t.Fatal(err)
	}
	if c := mustCounts(t, o); c != (Counts{Due: 1, Waiting: 1}) {
		t.Fatalf("counts after Retry = %+v, want 1 due, 1 waiting", c)
	}
	if runDue(t, o, rec.handlers()); !slices.Equal(rec.took(), []string{"upsert", "deactivate"}) {
		t.Fatal("Retry did not release the job and its group")
	}
}

func TestDropReleasesTheGroup(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	rec := &recorder{}
	mustEnqueue(t, o, job("upsert", "s1"), job("deactivate", "s1"))
	rec.setFail("upsert", Permanent(errors.New("400")))
	runDue(t, o, rec.handlers())
	rec.took()

	if err := o.Drop("upsert"); err != nil {
		t.Fatal(err)
	}
	if runDue(t, o, rec.handlers()); !slices.Equal(rec.took(), []string{"deactivate"}) {
		t.Fatal("the group did not go on after its parked job was dropped")
	}
	if err := o.Drop("upsert"); err != nil {
		t.Fatalf("Drop of a key no longer there: %v", err)
	}
}

func TestRetryMakesAWaitingJobDueAndRestartsItsBackoff(t *testing.T) {
	o, _, clk := newTest(t, Options{})
	rec := &recorder{}
	mustEnqueue(t, o, job("a", ""))
	rec.setFail("a", errOffline)
	for range 3 {
		runDue(t, o, rec.handlers())
		clk.Advance(time.Hour)
	}
	if j := mustJob(t, o, "a"); j.Attempts != 3 {
		t.Fatalf("attempts = %d, want 3", j.Attempts)
	}
	mustEnqueue(t, o, Job{Key: "a", Kind: "write"}) // a new payload keeps the attempt count
	runDue(t, o, rec.handlers())
	if j := mustJob(t, o, "a"); j.Attempts != 4 || !j.NextAt.Equal(clk.Now().Add(4*time.Minute)) {
		t.Fatalf("job = %+v, want 4 attempts, next in 4 min", j)
	}
	if err := o.Retry("a"); err != nil {
		t.Fatal(err)
	}
	if j := mustJob(t, o, "a"); j.Attempts != 0 || !j.NextAt.IsZero() || j.LastError == "" {
		t.Fatalf("after Retry = %+v, want 0 attempts, due now, last error kept", j)
	}
	runDue(t, o, rec.handlers())
	if j := mustJob(t, o, "a"); j.Attempts != 1 || !j.NextAt.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("after Retry and a failure = %+v, want the first backoff step again", j)
	}
}

func TestRetryUnknownKey(t *testing.T) {
	o, st, _ := newTest(t, Options{})
	st.putRaw(testBucket, "garbage", []byte("{"))
	for _, key := range []string{"nothing", "garbage"} {
		if err := o.Retry(key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Retry(%q) = %v, want ErrNotFound", key, err)
		}
	}
}

func TestJobWithoutHandlerIsParked(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	mustEnqueue(t, o, Job{Key: "k", Kind: "from-a-newer-version"})
	if done := runDue(t, o, map[string]Handler{}); done != 0 {
		t.Fatalf("done = %d", done)
	}
	j := mustJob(t, o, "k")
	if !j.Parked || j.LastError != `no handler for kind "from-a-newer-version"` {
		t.Fatalf("job = %+v, want parked with a no-handler error", j)
	}
}

func TestPendingCounts(t *testing.T) {
	o, _, clk := newTest(t, Options{})
	rec := &recorder{}
	mustEnqueue(t, o,
		job("s1-a", "s1"), job("s1-b", "s1"), // s1-a will back off; s1-b waits behind it
		job("s2-a", "s2"),                    // will be parked
		job("s3-a", "s3"), job("s3-b", "s3"), // s3-a due, s3-b behind it
		job("loose", ""), // due
		Job{Key: "later", Kind: "write", NextAt: clk.Now().Add(time.Hour)}, // waiting
	)
	if c := mustCounts(t, o); c != (Counts{Due: 4, Waiting: 3}) {
		t.Fatalf("counts before any run = %+v", c)
	}
	rec.setFail("s1-a", errOffline)
	rec.setFail("s2-a", Permanent(errors.New("400")))
	rec.setFail("s3-a", errOffline)
	rec.setFail("loose", errOffline)
	runDue(t, o, rec.handlers())

	want := Counts{Due: 0, Waiting: 6, Parked: 1}
	if c := mustCounts(t, o); c != want || c.Pending() != 7 {
		t.Fatalf("counts = %+v (pending %d), want %+v (7)", c, c.Pending(), want)
	}
	clk.Advance(time.Minute) // the backoffs end; "later" still waits
	if c := mustCounts(t, o); c != (Counts{Due: 3, Waiting: 3, Parked: 1}) {
		t.Fatalf("counts after the backoff = %+v", c)
	}
}

func TestOnChangeFiresOnEveryChange(t *testing.T) {
	var calls atomic.Int32
	var o *Outbox
	o, _, _ = newTest(t, Options{OnChange: func() {
		calls.Add(1)
		if _, err := o.Pending(); err != nil { // reading from OnChange must not deadlock
			t.Errorf("Pending from OnChange: %v", err)
		}
	}})
	rec := &recorder{}
	step := func(name string, want int32, do func()) {
		t.Helper()
		calls.Store(0)
		do()
		if got := calls.Load(); got != want {
			t.Errorf("%s: OnChange called %d times, want %d", name, got, want)
		}
	}
	step("enqueue", 1, func() { mustEnqueue(t, o, job("a", ""), job("b", ""), job("c", "")) })
	rec.setFail("a", errOffline)
	rec.setFail("b", Permanent(errors.New("400")))
	step("pass: a fails, b parks, c done", 3, func() { runDue(t, o, rec.handlers()) })
	step("pass with nothing due", 0, func() { runDue(t, o, rec.handlers()) })
	step("retry", 1, func() {
		if err := o.Retry("b"); err != nil {
			t.Fatal(err)
		}
	})
	step("drop", 1, func() {
		if err := o.Drop("a"); err != nil {
			t.Fatal(err)
		}
	})
	step("invalid enqueue", 0, func() { _ = o.Enqueue(Job{Key: "x"}) })
}

func TestLastErrorIsOneClippedLine(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		name, err, want string
	}{
		{"plain", "409 Conflict", "409 Conflict"},
		{"lines", "first line\nsecond\r\n\tthird\n", "first line second   third"},
		{"invalid utf-8", "bad \xff byte", "bad \uFFFD byte"},
		{"long", long, strings.Repeat("é", 299) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, _, _ := newTest(t, Options{})
			mustEnqueue(t, o, job("a", ""))
			rec := &recorder{fail: map[string]error{"a": errors.New(tc.err)}}
			runDue(t, o, rec.handlers())
			got := mustJob(t, o, "a").LastError
			if got != tc.want {
				t.Fatalf("LastError = %q, want %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > maxLastError {
				t.Fatalf("LastError has %d characters", n)
			}
		})
	}
}

func TestPanickingHandlerCountsAsAFailure(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	mustEnqueue(t, o, job("a", "g"), job("b", "g"), job("c", ""))
	var ran []string
	handlers := map[string]Handler{"write": func(_ context.Context, j Job) error {
		ran = append(ran, j.Key)
		if j.Key == "a" {
			panic("nil map")
		}
		return nil
	}}
	if done := runDue(t, o, handlers); done != 1 || !slices.Equal(ran, []string{"a", "c"}) {
		t.Fatalf("done %d, ran %v; want 1 and [a c]", done, ran)
	}
	if j := mustJob(t, o, "a"); j.Attempts != 1 || j.LastError != `handler for "write" panicked: nil map` {
		t.Fatalf("job = %+v", j)
	}
}

func TestJobReplacedWhileRunningRunsAgainFirst(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	mustEnqueue(t, o, job("upsert", "s1"), job("deactivate", "s1"))
	var ran []string
	handlers := map[string]Handler{"write": func(_ context.Context, j Job) error {
		ran = append(ran, j.Key+"="+string(j.Payload))
		if j.Key == "upsert" && string(j.Payload) != `"edited"` {
			// The technician edits the summary while the first write is in flight.
			mustEnqueue(t, o, Job{Key: "upsert", Kind: "write", Group: "s1", Payload: json.RawMessage(`"edited"`)})
		}
		return nil
	}}
	if done := runDue(t, o, handlers); done != 0 {
		t.Fatalf("first pass done = %d, want 0: the replaced job stays and holds its group", done)
	}
	if j := mustJob(t, o, "upsert"); string(j.Payload) != `"edited"` || j.Attempts != 0 {
		t.Fatalf("job after the pass = %+v, want the edited payload, due", j)
	}
	runDue(t, o, handlers)
	want := []string{`upsert={"k":"upsert"}`, `upsert="edited"`, `deactivate={"k":"deactivate"}`}
	if !slices.Equal(ran, want) {
		t.Fatalf("ran %v, want %v", ran, want)
	}
	if jobs := mustList(t, o); len(jobs) != 0 {
		t.Fatalf("left %v", keysOf(jobs))
	}
}

func TestJobDroppedWhileRunningStaysDropped(t *testing.T) {
	for _, result := range []error{nil, errOffline, Permanent(errOffline)} {
		o, _, _ := newTest(t, Options{})
		mustEnqueue(t, o, job("a", ""))
		handlers := map[string]Handler{"write": func(context.Context, Job) error {
			if err := o.Drop("a"); err != nil {
				t.Fatal(err)
			}
			return result
		}}
		runDue(t, o, handlers)
		if jobs := mustList(t, o); len(jobs) != 0 {
			t.Errorf("handler result %v brought back a dropped job: %v", result, keysOf(jobs))
		}
	}
}

func TestJobDroppedBeforeItsTurnDoesNotRun(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	mustEnqueue(t, o, job("a", ""), job("b", ""))
	var ran []string
	handlers := map[string]Handler{"write": func(_ context.Context, j Job) error {
		ran = append(ran, j.Key)
		if j.Key == "a" {
			return o.Drop("b")
		}
		return nil
	}}
	if done := runDue(t, o, handlers); done != 1 || !slices.Equal(ran, []string{"a"}) {
		t.Fatalf("done %d, ran %v; want 1, [a]", done, ran)
	}
}

func TestShutdownDuringAHandlerLeavesTheJobAsItWas(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	mustEnqueue(t, o, job("a", ""), job("b", ""))
	ctx, cancel := context.WithCancel(context.Background())
	var ran []string
	handlers := map[string]Handler{"write": func(ctx context.Context, j Job) error {
		ran = append(ran, j.Key)
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}}
	done, err := o.RunDue(ctx, handlers)
	if !errors.Is(err, context.Canceled) || done != 0 || !slices.Equal(ran, []string{"a"}) {
		t.Fatalf("RunDue = %d, %v after running %v; want 0, context.Canceled, [a]", done, err, ran)
	}
	if j := mustJob(t, o, "a"); j.Attempts != 0 || j.LastError != "" || !j.NextAt.IsZero() {
		t.Fatalf("interrupted job = %+v, want it untouched", j)
	}
}

func TestHandlerTimeoutIsAFailure(t *testing.T) {
	o, _, _ := newTest(t, Options{HandlerTimeout: time.Millisecond})
	mustEnqueue(t, o, job("a", ""))
	handlers := map[string]Handler{"write": func(ctx context.Context, _ Job) error {
		<-ctx.Done() // a request that hangs until its deadline
		return ctx.Err()
	}}
	if _, err := o.RunDue(context.Background(), handlers); err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	if j := mustJob(t, o, "a"); j.Attempts != 1 || j.LastError != context.DeadlineExceeded.Error() {
		t.Fatalf("job = %+v, want one failed attempt", j)
	}
}

func TestStoreErrorStopsThePass(t *testing.T) {
	diskFull := errors.New("no space left on device")
	tests := []struct {
		name       string
		handlerErr error
		failPut    bool // the failure of a cannot be recorded
		failDel    bool // the success of a cannot be recorded
	}{
		{name: "failure not recorded", handlerErr: errOffline, failPut: true},
		{name: "success not deleted", failDel: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, st, _ := newTest(t, Options{})
			mustEnqueue(t, o, job("a", ""), job("b", ""))
			var ran []string
			handlers := map[string]Handler{"write": func(_ context.Context, j Job) error {
				ran = append(ran, j.Key)
				var put, del error
				if tc.failPut {
					put = diskFull
				}
				if tc.failDel {
					del = diskFull
				}
				st.setFailures(put, del, nil)
				return tc.handlerErr
			}}
			_, err := o.RunDue(context.Background(), handlers)
			if !errors.Is(err, diskFull) {
				t.Fatalf("RunDue = %v, want the store error", err)
			}
			if !slices.Equal(ran, []string{"a"}) {
				t.Fatalf("ran %v: the pass went on after an outcome could not be written", ran)
			}
			st.setFailures(nil, nil, nil)
			if got := keysOf(mustList(t, o)); !slices.Equal(got, []string{"a", "b"}) {
				t.Fatalf("left %v, want [a b]", got)
			}
			if j := mustJob(t, o, "a"); j.Attempts != 0 {
				t.Fatalf("a = %+v, want it as it was", j)
			}
		})
	}
}

func TestUnreadableValuesAreSkippedAndReported(t *testing.T) {
	o, st, _ := newTest(t, Options{})
	mustEnqueue(t, o, job("good", "g"), job("good-2", "g"))
	st.putRaw(testBucket, "not-json", []byte("\x00\x01garbage"))
	st.putRaw(testBucket, "future", []byte(`{"v":2,"seq":1,"kind":"write","payload":{}}`))
	st.putRaw(testBucket, "no-kind", []byte(`{"v":1,"seq":9,"payload":{}}`))
	st.damage(testBucket, "damaged")

	if c := mustCounts(t, o); c != (Counts{Due: 1, Waiting: 1, Unreadable: 4}) {
		t.Fatalf("counts = %+v, want 1 due, 1 waiting, 4 unreadable", c)
	}
	if got := keysOf(mustList(t, o)); !slices.Equal(got, []string{"good", "good-2"}) {
		t.Fatalf("List = %v", got)
	}
	bad, err := o.Unreadable()
	if err != nil || !slices.Equal(bad, []string{"damaged", "future", "no-kind", "not-json"}) {
		t.Fatalf("Unreadable = %v, %v", bad, err)
	}
	rec := &recorder{}
	if done := runDue(t, o, rec.handlers()); done != 2 {
		t.Fatalf("RunDue did %d jobs, want the 2 readable ones", done)
	}
	if bad, _ := o.Unreadable(); len(bad) != 4 {
		t.Fatalf("the pass removed unreadable values: %v left", bad)
	}

	if err := o.Drop("not-json"); err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, o, job("damaged", "")) // a new job may take the key of a damaged value
	if c := mustCounts(t, o); c != (Counts{Due: 1, Unreadable: 2}) {
		t.Fatalf("counts after Drop and re-enqueue = %+v", c)
	}
}

func TestInvalidJobsAreRefused(t *testing.T) {
	tests := []struct {
		name string
		job  Job
	}{
		{"no key", Job{Kind: "write"}},
		{"no kind", Job{Key: "k"}},
		{"payload not JSON", Job{Key: "k", Kind: "write", Payload: json.RawMessage(`{"a":`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, _, _ := newTest(t, Options{})
			// The valid job first: EnqueueAll checks every job before writing any.
			err := o.EnqueueAll([]Job{job("valid", ""), tc.job})
			if !errors.Is(err, ErrInvalidJob) {
				t.Fatalf("EnqueueAll = %v, want ErrInvalidJob", err)
			}
			if jobs := mustList(t, o); len(jobs) != 0 {
				t.Fatalf("an invalid batch left %v", keysOf(jobs))
			}
		})
	}
}

func TestEmptyPayloadIsNull(t *testing.T) {
	o, _, _ := newTest(t, Options{})
	mustEnqueue(t, o, Job{Key: "k", Kind: "write"})
	if p := mustJob(t, o, "k").Payload; string(p) != "null" {
		t.Fatalf("payload = %q, want null", p)
	}
}

func TestOrderContinuesAcrossOutboxes(t *testing.T) {
	st := newMemStore()
	first := New(st, testBucket, Options{})
	mustEnqueue(t, first, job("z", "s"), job("y", "s"))
	second := New(st, testBucket, Options{}) // the next start of the app
	mustEnqueue(t, second, job("x", "s"))
	if got := keysOf(mustList(t, second)); !slices.Equal(got, []string{"z", "y", "x"}) {
		t.Fatalf("order = %v, want enqueue order z y x", got)
	}
}

func TestStoreErrorsAreReturned(t *testing.T) {
	o, st, _ := newTest(t, Options{})
	mustEnqueue(t, o, job("a", ""))
	broken := errors.New("store: closed")
	st.setFailures(broken, broken, broken)
	checks := map[string]error{
		"Enqueue": o.Enqueue(job("b", "")),
		"Retry":   o.Retry("a"),
		"Drop":    o.Drop("a"),
	}
	_, checks["List"] = o.List()
	_, checks["Pending"] = o.Pending()
	_, checks["Unreadable"] = o.Unreadable()
	_, checks["RunDue"] = o.RunDue(context.Background(), nil)
	for name, err := range checks {
		if !errors.Is(err, broken) {
			t.Errorf("%s = %v, want the store error", name, err)
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		base    time.Duration
	}{
		{0, 5 * time.Second},
		{1, 5 * time.Second},
		{2, 10 * time.Second},
		{3, 20 * time.Second},
		{8, 10*time.Minute + 40*time.Second},
		{9, 15 * time.Minute},
		{64, 15 * time.Minute},
		{1 << 30, 15 * time.Minute},
	}
	for _, tc := range tests {
		for range 50 {
			got := DefaultBackoff(tc.attempt)
			if got > tc.base || got <= tc.base*4/5 {
				t.Fatalf("DefaultBackoff(%d) = %v, want in (%v, %v]", tc.attempt, got, tc.base*4/5, tc.base)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[DefaultBackoff(9)] = true
	}
	if len(seen) < 2 {
		t.Error("DefaultBackoff has no jitter")
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("400 Bad Request")
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	p := Permanent(base)
	if !IsPermanent(p) || !IsPermanent(fmt.Errorf("upsert: %w", p)) || !errors.Is(p, base) || p.Error() != base.Error() {
		t.Errorf("Permanent(%v) = %v: not recognised, or hides its cause", base, p)
	}
	if IsPermanent(base) || IsPermanent(nil) {
		t.Error("a plain error counts as permanent")
	}
}

func TestAttemptCountStopsAtItsCap(t *testing.T) {
	o, st, _ := newTest(t, Options{Backoff: func(int) time.Duration { return 0 }})
	st.putRaw(testBucket, "old", []byte(`{"v":1,"seq":1,"rev":1,"kind":"write","payload":null,"attempts":1073741824}`))
	rec := &recorder{fail: map[string]error{"old": errOffline}}
	runDue(t, o, rec.handlers())
	if j := mustJob(t, o, "old"); j.Attempts != maxAttempts {
		t.Fatalf("attempts = %d, want the cap %d", j.Attempts, maxAttempts)
	}
}
