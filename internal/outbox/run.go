package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// permanentError marks an error a retry cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps an error a retry cannot fix (a request Dynamics refuses as malformed, a
// record that cannot exist): the job is parked instead of retried. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, came from Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// state is where a job stands at one moment.
type state int

const (
	stateDue     state = iota // runs in the next pass
	stateWaiting              // backing off, or behind an earlier job of its group
	stateParked               // waits for Retry or Drop
)

// classify gives the state of each job, in run order, at now. A group's first job that is
// not done holds back the rest of the group, whatever its own state.
func classify(entries []entry, now time.Time) []state {
	states := make([]state, len(entries))
	held := map[string]bool{}
	for i, e := range entries {
		switch {
		case e.rec.Parked:
			states[i] = stateParked
		case held[e.rec.Group] || e.rec.NextAt.After(now):
			states[i] = stateWaiting
		default:
			states[i] = stateDue
		}
		if e.rec.Group != "" {
			held[e.rec.Group] = true
		}
	}
	return states
}

// RunDue makes one pass over the jobs, in order, and runs each that is due with the handler
// named by its kind. A job of a group runs only once the earlier jobs of its group are done,
// in this pass or before. Each job's outcome is on disk before the next job starts. done
// counts the jobs that succeeded.
//
// RunDue returns early with ctx's error when ctx ends (the running job is left as it was and
// runs again later), or with a store error, after which the pass stops: an outcome that
// cannot be written must not let later jobs of the group run. Handler errors are not
// returned; they are in each job's LastError.
func (o *Outbox) RunDue(ctx context.Context, handlers map[string]Handler) (done int, err error) {
	o.running.Lock()
	defer o.running.Unlock()
	entries, err := o.load()
	if err != nil {
		return 0, err
	}
	holding := map[string]bool{} // groups whose next job must wait for a later pass
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		if holding[e.rec.Group] {
			continue
		}
		result, err := o.runOne(ctx, e, handlers)
		if err != nil {
			return done, err
		}
		switch result {
		case succeeded:
			done++
		case held:
			if e.rec.Group != "" {
				holding[e.rec.Group] = true
			}
		}
	}
	return done, nil
}

// maxAttempts caps the attempt count, so that a job retried for ever never wraps round to a
// negative count (which would make its record unreadable).
const maxAttempts = 1 << 30

// outcome is what became of one job in a pass.
type outcome int

const (
	held      outcome = iota // still there: not due, parked, failed, or unreadable
	succeeded                // its handler returned nil and it is deleted
	vanished                 // dropped since the pass began
)

// runOne runs the listed job if it is due and records the outcome. err is a store error or
// the end of ctx.
func (o *Outbox) runOne(ctx context.Context, listed entry, handlers map[string]Handler) (outcome, error) {
	// Read it again: it may have been dropped, retried or replaced since the pass began.
	rec, found, err := o.read(listed.key)
	switch {
	case errors.Is(err, errBadRecord):
		return held, nil // damaged meanwhile: its group waits, to be safe
	case err != nil:
		return held, err
	case !found:
		return vanished, nil
	}
	e := entry{listed.key, rec}
	if e.rec.Parked || e.rec.NextAt.After(o.opts.Now()) {
		return held, nil
	}
	handler := handlers[e.rec.Kind]
	if handler == nil {
		return held, o.settle(e, fmt.Errorf("no handler for kind %q", e.rec.Kind), true)
	}
	failure := o.call(ctx, handler, e.rec.job(e.key))
	switch {
	case failure != nil && ctx.Err() != nil:
		return held, ctx.Err() // cut short by shutdown: not the job's fault
	case failure != nil:
		return held, o.settle(e, failure, IsPermanent(failure))
	}
	deleted, err := o.finish(e)
	if !deleted { // replaced while it ran: the new payload runs first, in a later pass
		return held, err
	}
	return succeeded, err
}

// call runs handler under the per-job timeout, turning a panic into an error.
func (o *Outbox) call(ctx context.Context, handler Handler, j Job) (err error) {
	ctx, cancel := context.WithTimeout(ctx, o.opts.HandlerTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler for %q panicked: %v", j.Kind, r)
		}
	}()
	return handler(ctx, j)
}

// finish deletes the job that ran, unless it was dropped or replaced in the meantime (a
// replacement stays, due, to run with its new payload). deleted reports whether it did.
func (o *Outbox) finish(ran entry) (deleted bool, err error) {
	return o.changeIfUnchanged(ran, func(record) (record, bool) { return record{}, true })
}

// settle records a failure of the job that ran: parked, or due again after the backoff. A
// job dropped or replaced in the meantime is left alone.
func (o *Outbox) settle(ran entry, failure error, park bool) error {
	_, err := o.changeIfUnchanged(ran, func(r record) (record, bool) {
		r.LastError = oneLine(failure.Error())
		if park {
			r.Parked = true
		} else {
			r.Attempts = min(r.Attempts, maxAttempts-1) + 1
			r.NextAt = o.opts.Now().Add(max(o.opts.Backoff(r.Attempts), 0))
		}
		return r, false
	})
	return err
}

// changeIfUnchanged writes change's record over the job that ran (or deletes the job when
// change says so), provided the stored job is still the revision that ran, then calls
// OnChange with no lock held. applied reports whether the stored job was that revision.
func (o *Outbox) changeIfUnchanged(ran entry, change func(record) (next record, remove bool)) (applied bool, err error) {
	o.mu.Lock()
	current, found, err := o.read(ran.key)
	if err != nil || !found || current.Rev != ran.rec.Rev {
		o.mu.Unlock()
		return false, ignoreBadRecord(err)
	}
	next, remove := change(current)
	if remove {
		err = o.st.Delete(o.bucket, ran.key)
	} else {
		err = o.write(ran.key, next)
	}
	o.mu.Unlock()
	if err != nil {
		return false, err
	}
	o.changed()
	return true, nil
}

// ignoreBadRecord drops a damaged-value error: a value damaged while its handler ran is
// reported by Pending and Unreadable, and must not stop the other jobs.
func ignoreBadRecord(err error) error {
	if errors.Is(err, errBadRecord) {
		return nil
	}
	return err
}

// Run runs passes until ctx ends, and returns ctx's error. Between passes it sleeps until
// the next job is due, or Wake is called. A store error goes to Options.OnError and is
// retried after a minute, or at the next Wake.
func (o *Outbox) Run(ctx context.Context, handlers map[string]Handler) error {
	for {
		wait, err := o.pass(ctx, handlers)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			o.reportError(err)
			wait = storeRetryDelay
		}
		if err := o.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// noJobDue is the wait when no job will become due by itself: only Wake ends it.
const noJobDue time.Duration = -1

// pass runs the due jobs and returns how long to wait before the next one is due.
func (o *Outbox) pass(ctx context.Context, handlers map[string]Handler) (time.Duration, error) {
	if _, err := o.RunDue(ctx, handlers); err != nil {
		return 0, err
	}
	entries, err := o.load()
	if err != nil {
		return 0, err
	}
	return untilNextDue(entries, o.opts.Now()), nil
}

// untilNextDue is the wait until a job becomes due (zero if one is due now), or noJobDue.
// Only the first job of each group counts: the others wait for it, not for their time.
func untilNextDue(entries []entry, now time.Time) time.Duration {
	wait := noJobDue
	held := map[string]bool{}
	for _, e := range entries {
		if held[e.rec.Group] {
			continue
		}
		if e.rec.Group != "" {
			held[e.rec.Group] = true
		}
		switch {
		case e.rec.Parked:
		case !e.rec.NextAt.After(now):
			return 0
		case wait == noJobDue || e.rec.NextAt.Sub(now) < wait:
			wait = e.rec.NextAt.Sub(now)
		}
	}
	return wait
}

// sleep waits for wait (for ever if noJobDue), a Wake, or the end of ctx.
func (o *Outbox) sleep(ctx context.Context, wait time.Duration) error {
	var timer <-chan time.Time // nil: never fires
	if wait == 0 {
		return ctx.Err()
	}
	if wait != noJobDue {
		timer = o.opts.After(wait)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-o.wake:
	case <-timer:
	}
	return nil
}

func (o *Outbox) reportError(err error) {
	if o.opts.OnError != nil {
		o.opts.OnError(err)
	}
}
