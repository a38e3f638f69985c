package companion

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/rescue"
)

// TrackState is where a followed session is.
type TrackState string

// The states of a followed session, from its PIN to its details.
const (
	TrackConnecting   TrackState = "connecting"   // PIN issued; the customer has not joined the queue
	TrackWaiting      TrackState = "waiting"      // the customer waits in a technician's queue
	TrackActive       TrackState = "active"       // picked up
	TrackOnHold       TrackState = "onhold"       // put on hold by the technician
	TrackTransferring TrackState = "transferring" // on its way to another technician
	TrackClosed       TrackState = "closed"       // ended; the details are fetched next
	TrackExpired      TrackState = "expired"      // the PIN expired and Rescue never listed a session for it
)

// Tracked is one PIN followed to the end of its session. It is kept in the store, so following
// survives a restart of the app.
type Tracked struct {
	PIN          PIN        `json:"pin"`
	SessionID    int        `json:"session_id,omitempty"`
	State        TrackState `json:"state"`
	StatusText   string     `json:"status_text,omitempty"`
	Technician   string     `json:"technician,omitempty"`    // who has the session now
	TechnicianID int        `json:"technician_id,omitempty"` // their node: where the session is listed
	PickedUpBy   []int      `json:"picked_up_by,omitempty"`  // every technician who picked it up, in order
	Since        time.Time  `json:"since"`                   // when State began
	LastSeen     time.Time  `json:"last_seen,omitzero"`      // last time Rescue listed the session
	ClosedAt     time.Time  `json:"closed_at,omitzero"`
	Warned       bool       `json:"warned,omitempty"` // the technician was told the unused PIN is about to expire
	Done         bool       `json:"done,omitempty"`   // details kept and the writes queued: nothing left to follow
}

// finished reports a state after which only the details remain to be fetched.
func (t Tracked) finished() bool { return t.State == TrackClosed || t.State == TrackExpired }

// Polling rhythm: a few seconds while something happens, backing off to a minute while nothing does.
const (
	pollFast      = 5 * time.Second
	pollSlow      = time.Minute
	expiryWarning = 2 * time.Minute  // before an unused PIN expires
	vanishGrace   = 30 * time.Second // a listed session unlisted this long (not closed) is taken as closed
)

const trackedBucket = "tracked"

// SessionEvents are told what the tracker sees, for the write-back and the screens. Each may be nil.
type SessionEvents struct {
	Changed  func(t Tracked)                   // any change of a followed session
	PickedUp func(t Tracked, technicianID int) // a technician picked the session up
	Closed   func(t Tracked, d Details) error  // the details are in: queue the writes (an error retries later)
	Problem  func(t Tracked, err error)        // something the technician should know
}

// Tracker follows every issued PIN through getSession_v3 until its session closes, then fetches its
// details once: a report row, the note and the chat.
type Tracker struct {
	r      *Rescue
	store  Journal
	events SessionEvents
	now    func() time.Time
	report *reportGate

	mu      sync.Mutex
	tracked map[string]*Tracked // by correlation token
	delay   time.Duration       // the current polling interval
	minPoll time.Duration
	wake    chan struct{}  // a new PIN: look at once
	nodes   map[string]int // technicians' node IDs by name, from the hierarchy
}

// TrackerOptions are the tracker's knobs; zero values take the defaults.
type TrackerOptions struct {
	MinPoll     time.Duration // the fastest polling interval (default 5 s); scripts and tests lower it
	ReportEvery time.Duration // the shortest interval between two reports (default a minute, Rescue's rate)
}

// NewTracker loads the PINs still followed from the store.
func NewTracker(r *Rescue, events SessionEvents, o TrackerOptions) *Tracker {
	if o.MinPoll <= 0 {
		o.MinPoll = pollFast
	}
	t := &Tracker{
		r: r, store: r.store, events: events, now: r.now, report: newReportGate(r.store, r.now, o.ReportEvery),
		tracked: map[string]*Tracked{}, delay: o.MinPoll, minPoll: o.MinPoll, wake: make(chan struct{}, 1),
	}
	if t.store != nil {
		for _, tr := range mustList[Tracked](t.store, trackedBucket) {
			tr := tr
			if !tr.Done {
				t.tracked[tr.PIN.Correlation] = &tr
			}
		}
	}
	return t
}

// mustList lists a bucket kept with PutJSON, skipping what does not decode.
func mustList[T any](j Journal, bucket string) []T {
	keys, err := j.Keys(bucket)
	if err != nil {
		return nil
	}
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		var v T
		if ok, err := j.GetJSON(bucket, k, &v); ok && err == nil {
			out = append(out, v)
		}
	}
	return out
}

// Follow starts following a PIN just issued. It is kept before it returns.
func (t *Tracker) Follow(p PIN) error {
	tr := &Tracked{PIN: p, State: TrackConnecting, Since: p.IssuedAt}
	t.mu.Lock()
	t.tracked[p.Correlation] = tr
	t.delay = t.minPoll
	t.mu.Unlock()
	err := t.keep(*tr)
	t.changed(*tr)
	select {
	case t.wake <- struct{}{}:
	default:
	}
	return err
}

// Live is every PIN still followed, oldest first.
func (t *Tracker) Live() []Tracked {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Tracked, 0, len(t.tracked))
	for _, tr := range t.tracked {
		out = append(out, *tr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PIN.IssuedAt.Before(out[j].PIN.IssuedAt) })
	return out
}

// Idle reports that nothing is followed.
func (t *Tracker) Idle() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.tracked) == 0
}

// Delay is how long to wait before the next Poll.
func (t *Tracker) Delay() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.delay
}

// Poll looks at Rescue once: the sessions of every node where a followed PIN may be listed, then the
// details of those that finished. It returns the delay until the next poll.
func (t *Tracker) Poll(ctx context.Context) (time.Duration, error) {
	live := t.Live()
	if len(live) == 0 {
		return pollSlow, nil
	}
	code, err := t.r.code(ctx)
	if err != nil {
		return pollSlow, err
	}
	lists, err := t.listNodes(ctx, code, live)
	changed := false
	for _, tr := range live {
		if tr.finished() {
			continue
		}
		next := t.observe(tr, lists)
		if next.State == TrackTransferring && next.TechnicianID == tr.TechnicianID {
			next = t.followTransfer(ctx, code, next)
		}
		if next.State != tr.State || next.SessionID != tr.SessionID || next.Technician != tr.Technician || next.Warned != tr.Warned {
			changed = true
			t.update(tr, next)
		}
	}
	if derr := t.fetchDetails(ctx, code); derr != nil && err == nil {
		err = derr
	}
	return t.nextDelay(changed), err
}

// listNodes asks getSession_v3 once per node where a followed session may be listed.
func (t *Tracker) listNodes(ctx context.Context, code string, live []Tracked) (map[int][]rescue.Session, error) {
	nodes := map[int]bool{}
	for _, tr := range live {
		if tr.finished() {
			continue
		}
		nodes[tr.PIN.TechnicianID] = true
		if tr.TechnicianID != 0 {
			nodes[tr.TechnicianID] = true
		}
	}
	lists := map[int][]rescue.Session{}
	var errs []error
	for node := range nodes {
		sessions, err := t.r.api.Sessions(ctx, code, node)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lists[node] = sessions
	}
	return lists, errors.Join(errs...)
}

// observe works out a followed session's new state from what the nodes list.
func (t *Tracker) observe(tr Tracked, lists map[int][]rescue.Session) Tracked {
	now := t.now()
	row, found, complete := t.find(tr, lists)
	switch {
	case found:
		tr = applyRow(tr, row, now)
	case !complete:
		// A node could not be read: nothing can be concluded from its silence.
	case tr.SessionID == 0 && now.After(tr.PIN.ExpiresAt):
		tr.State, tr.Since, tr.ClosedAt = TrackExpired, now, now
	case tr.SessionID != 0 && now.Sub(tr.LastSeen) > vanishGrace:
		// Listed once, unlisted since: the session ended and its retention passed unseen.
		tr.State, tr.Since, tr.ClosedAt = TrackClosed, now, tr.LastSeen
	}
	if tr.State == TrackConnecting && !tr.Warned && now.After(tr.PIN.ExpiresAt.Add(-expiryWarning)) {
		tr.Warned = true
	}
	return tr
}

// find looks for the session in the lists: by ID once known, else by the correlation token. A
// transferred session is listed on both nodes; the row of the node that has it now wins.
func (t *Tracker) find(tr Tracked, lists map[int][]rescue.Session) (rescue.Session, bool, bool) {
	field := t.r.settings.CorrelationField
	nodes := []int{tr.PIN.TechnicianID}
	if tr.TechnicianID != 0 && tr.TechnicianID != tr.PIN.TechnicianID {
		nodes = []int{tr.TechnicianID, tr.PIN.TechnicianID}
	}
	complete := true
	var best rescue.Session
	found := false
	for _, node := range nodes {
		sessions, ok := lists[node]
		if !ok {
			complete = false
			continue
		}
		for _, s := range sessions {
			mine := tr.SessionID != 0 && s.ID == tr.SessionID ||
				tr.SessionID == 0 && field >= 2 && field <= 5 && s.CustomFields[field] == tr.PIN.Correlation
			if !mine {
				continue
			}
			if !found || s.Status != rescue.StatusTransferred {
				best, found = s, true
			}
		}
		if found && best.Status != rescue.StatusTransferred {
			break
		}
	}
	return best, found, complete
}

// followTransfer finds the node of the technician a session was transferred to, by name in the
// company's hierarchy, so the next look lists that node too. Until it is found the session stays
// followed on the node it left.
func (t *Tracker) followTransfer(ctx context.Context, code string, tr Tracked) Tracked {
	node, err := t.nodeNamed(ctx, code, tr.Technician)
	if err != nil {
		t.problem(tr, fmt.Errorf("session %d was transferred to %s, who could not be found: %w", tr.SessionID, tr.Technician, err))
		return tr
	}
	tr.TechnicianID = node
	return tr
}

// nodeNamed is the node ID of the technician with that name, from getHierarchy_v2, asked again
// only when the name is not in the last answer.
func (t *Tracker) nodeNamed(ctx context.Context, code, name string) (int, error) {
	t.mu.Lock()
	node, ok := t.nodes[name]
	t.mu.Unlock()
	if ok {
		return node, nil
	}
	nodes, err := t.r.api.Hierarchy(ctx, code)
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nodes = map[string]int{}
	for _, n := range nodes {
		if n.Type == rescue.NodeTechnician {
			t.nodes[n.Name] = n.ID
		}
	}
	if node, ok := t.nodes[name]; ok {
		return node, nil
	}
	return 0, fmt.Errorf("no technician named %q in the company's hierarchy", name)
}

// applyRow takes a listed row's state into the followed session.
func applyRow(tr Tracked, s rescue.Session, now time.Time) Tracked {
	state := stateOf(s.Status)
	if state != tr.State {
		tr.Since = now
	}
	tr.SessionID, tr.StatusText, tr.LastSeen = s.ID, s.StatusText, now
	if state == TrackTransferring {
		tr.Technician = s.TransferredTo
	} else {
		tr.Technician, tr.TechnicianID = s.Technician, s.TechnicianID
	}
	if state == TrackActive && tr.State != TrackActive && tr.State != TrackOnHold {
		tr.PickedUpBy = append(tr.PickedUpBy, s.TechnicianID)
	}
	tr.State = state
	if state == TrackClosed {
		tr.ClosedAt = now
	}
	return tr
}

// stateOf maps Rescue's status to the tracker's states.
func stateOf(s rescue.SessionStatus) TrackState {
	switch s {
	case rescue.StatusConnecting, rescue.StatusOffline:
		return TrackConnecting
	case rescue.StatusWaiting:
		return TrackWaiting
	case rescue.StatusActive, rescue.StatusReconnecting, rescue.StatusRebooting, rescue.StatusRebooted:
		return TrackActive
	case rescue.StatusOnHold:
		return TrackOnHold
	case rescue.StatusTransferring, rescue.StatusTransferred:
		return TrackTransferring
	case rescue.StatusUnknown, rescue.StatusNotAvailable:
		return TrackWaiting // listed but unreadable: still under way; the report settles it
	}
	if s.Closed() {
		return TrackClosed
	}
	return TrackWaiting
}

// update keeps the new state and tells who listens.
func (t *Tracker) update(before, after Tracked) {
	t.mu.Lock()
	if cur, ok := t.tracked[after.PIN.Correlation]; ok {
		*cur = after
	}
	t.mu.Unlock()
	if err := t.keep(after); err != nil {
		t.problem(after, err)
	}
	if len(after.PickedUpBy) > len(before.PickedUpBy) && t.events.PickedUp != nil {
		t.events.PickedUp(after, after.PickedUpBy[len(after.PickedUpBy)-1])
	}
	t.changed(after)
}

func (t *Tracker) keep(tr Tracked) error {
	if t.store == nil {
		return nil
	}
	return t.store.PutJSON(trackedBucket, tr.PIN.Correlation, tr)
}

func (t *Tracker) changed(tr Tracked) {
	if t.events.Changed != nil {
		t.events.Changed(tr)
	}
}

func (t *Tracker) problem(tr Tracked, err error) {
	if t.events.Problem != nil {
		t.events.Problem(tr, err)
	}
}

// nextDelay is a few seconds while a customer is about to join or waits (the technician wants to
// know at once), and after any change; during a session nothing changes for long, so the interval
// doubles up to a minute; a minute too while only details are awaited (the report's own rate).
func (t *Tracker) nextDelay(changed bool) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	underWay, waiting := false, false
	for _, tr := range t.tracked {
		switch tr.State {
		case TrackConnecting, TrackWaiting, TrackTransferring:
			underWay, waiting = true, true
		case TrackActive, TrackOnHold:
			underWay = true
		}
	}
	switch {
	case !underWay:
		t.delay = pollSlow
	case changed || waiting:
		t.delay = t.minPoll
	default:
		t.delay = min(t.delay*2, pollSlow)
	}
	return t.delay
}

// fetchDetails gets the details of every finished session that lacks them, with one report for
// all of them, then stops following each one whose details are in.
func (t *Tracker) fetchDetails(ctx context.Context, code string) error {
	var waiting []Tracked
	for _, tr := range t.Live() {
		if tr.finished() && !tr.Done {
			waiting = append(waiting, tr)
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	rows, err := t.report.rows(ctx, t.r, code, waiting)
	if err != nil && !errors.Is(err, errReportTooSoon) {
		return err
	}
	for _, tr := range waiting {
		if err := t.settle(ctx, code, tr, rows); err != nil {
			t.problem(tr, err)
		}
	}
	return nil
}

// settle finishes one session: an expired PIN needs nothing; a closed session needs its report
// row, then its note and chat.
func (t *Tracker) settle(ctx context.Context, code string, tr Tracked, rows map[int]rescue.ReportRow) error {
	if tr.State == TrackExpired {
		return t.finish(tr, Details{}, false)
	}
	row, ok := rows[tr.SessionID]
	if !ok {
		return nil // not in a report yet: the next report, a minute on, will have it
	}
	note, err := t.r.api.Note(ctx, code, tr.SessionID)
	if err != nil {
		return fmt.Errorf("the note of session %d: %w", tr.SessionID, err)
	}
	chat, err := t.r.api.Chat(ctx, code, tr.SessionID)
	if err != nil {
		return fmt.Errorf("the chat of session %d: %w", tr.SessionID, err)
	}
	return t.finish(tr, detailsOf(tr, row, note, chat), true)
}

// finish keeps the details, tells the write-back, and stops following the PIN.
func (t *Tracker) finish(tr Tracked, d Details, haveDetails bool) error {
	if haveDetails {
		if err := keepDetails(t.store, d); err != nil {
			return err
		}
		checkpoint("details")
		if t.events.Closed != nil {
			if err := t.events.Closed(tr, d); err != nil {
				return err
			}
		}
	}
	tr.Done = true
	if err := t.keep(tr); err != nil {
		return err
	}
	t.mu.Lock()
	delete(t.tracked, tr.PIN.Correlation)
	t.mu.Unlock()
	t.changed(tr)
	return nil
}

// checkpoint marks a step of the session's story; the app can stop there on request, so tests can
// kill the process between any two steps.
var checkpoint = func(step string) {}

// SetCheckpoint installs the function called at each step ("details", "enqueued", "upsert", …).
func SetCheckpoint(f func(step string)) { checkpoint = f }

// sessionKey is a session ID as the store and Dynamics key it.
func sessionKey(id int) string { return strconv.Itoa(id) }
