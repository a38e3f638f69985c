package rescue

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// UserState is what the Admin Center has done to a Rescue user.
type UserState int

// User states. Only UserActive may use the API fully.
const (
	UserActive        UserState = iota
	UserDisabled                // authcode answers USER_DELETED_OR_DISABLED; sign-in answers INVALID
	UserDeleted                 // requestPINCode answers USER_IS_DELETED, other methods USER_DELETED_OR_DISABLED
	UserNotTechnician           // no technician seat: requestPINCode answers NOTTECHNICIAN, getAccount TechID:0
)

var userStateNames = []string{"active", "disabled", "deleted", "nottechnician"}

func (u UserState) String() string {
	if u < 0 || int(u) >= len(userStateNames) {
		return fmt.Sprintf("UserState(%d)", int(u))
	}
	return userStateNames[u]
}

// ParseUserState reads a state by its String name, ignoring case.
func ParseUserState(s string) (UserState, error) {
	for i, n := range userStateNames {
		if strings.EqualFold(s, n) {
			return UserState(i), nil
		}
	}
	return 0, fmt.Errorf("rescue: unknown user state %q", s)
}

// Stage is where a PIN session is in its life: Connecting (the customer entered the PIN and is
// downloading the applet), Waiting (in the technician's queue), Active (picked up), Closed.
type Stage int

// Session stages, in order.
const (
	StageConnecting Stage = iota
	StageWaiting
	StageActive
	StageClosed
)

var stageNames = []string{"Connecting", "Waiting", "Active", "Closed"}

func (st Stage) String() string {
	if st < 0 || int(st) >= len(stageNames) {
		return fmt.Sprintf("Stage(%d)", int(st))
	}
	return stageNames[st]
}

// MarshalText writes the stage's name, so JSON snapshots read well.
func (st Stage) MarshalText() ([]byte, error) { return []byte(st.String()), nil }

// Status is a session status, named as the SOAP bStatus enum names it. Its display text depends on
// the account's language.
type Status string

// The statuses the simulation produces.
const (
	StatusConnecting              Status = "SESSION_CONNECTING"
	StatusWaiting                 Status = "SESSION_WAITING"
	StatusActive                  Status = "SESSION_PICKEDUP"
	StatusClosedByTechnician      Status = "SESSION_CLOSEDBYTECHNICIAN"
	StatusClosedByCustomer        Status = "SESSION_CLOSEDBYCUSTOMER"
	StatusClosedByWaitingCustomer Status = "SESSION_CLOSEDBYWAITINGCUSTOMER"
	StatusClosedByActiveCustomer  Status = "SESSION_CLOSEDBYACTIVECUSTOMER"
	StatusTimedOut                Status = "SESSION_WAITINGTIMEOUT_NOTPICKEDUP"
	StatusTimedOutByTechnician    Status = "SESSION_TIMEOUT_SESSIONIDLETECHSIDE"
	StatusDisconnected            Status = "SESSION_CONNECTIONPROBLEM"
	StatusOnHold                  Status = "SESSION_ONHOLD"
	// The two statuses of a transferred session on the node of the technician who handed it over,
	// after and before that technician picked it up.
	StatusTransferred              Status = "SESSION_CLOSED_TRANSFERREDANOTHERTECH"
	StatusTransferredWithoutPickup Status = "SESSION_CLOSED_TRANSFERREDANOTHERTECH_WITHOUTPICKUP"
)

// ChatLine is one line of a session's chat.
type ChatLine struct {
	At   time.Time `json:"at"`
	From string    `json:"from"`
	Text string    `json:"text"`
}

// String is the line as getChat writes it: "[h:mm:ss AM] Name: text", in UTC.
func (l ChatLine) String() string {
	return "[" + l.At.UTC().Format(chatTimeLayout) + "] " + l.From + ": " + l.Text
}

// Session is a snapshot of one session. A held session is at StageActive with StatusOnHold.
type Session struct {
	ID           int       `json:"id"`
	PIN          string    `json:"pin"`
	TechKey      string    `json:"tech_key"` // the technician who has the session now
	TechNodeID   int       `json:"tech_node_id"`
	Stage        Stage     `json:"stage"`
	Status       Status    `json:"status"`
	CustomFields [6]string `json:"custom_fields"` // cfield0..cfield5, as stored (after truncation)
	Tracking0    string    `json:"tracking0"`
	Language     string    `json:"language"`
	Platform     string    `json:"platform"`
	Resolved     bool      `json:"resolved"`
	// Abandoned: the customer never enters the PIN, and the session times out when it expires.
	Abandoned  bool      `json:"abandoned,omitempty"`
	Started    time.Time `json:"started"` // the PIN was issued (the customer enters it at once)
	PINExpires time.Time `json:"pin_expires"`
	// WaitingSince is when the session first entered a queue; PickedUp when the technician who has
	// it now picked it up.
	WaitingSince time.Time `json:"waiting_since,omitzero"`
	PickedUp     time.Time `json:"picked_up,omitzero"`
	HeldSince    time.Time `json:"held_since,omitzero"`
	Closed       time.Time `json:"closed,omitzero"`
	// TransferredFrom and TransferredTo are the technician keys of the latest transfer, if any;
	// Transfers lists every one, oldest first.
	TransferredFrom string     `json:"transferred_from,omitempty"`
	TransferredTo   string     `json:"transferred_to,omitempty"`
	Transfers       []Transfer `json:"transfers,omitempty"`
	StatusChanged   time.Time  `json:"status_changed"`
	Note            string     `json:"note"`
	Chat            []ChatLine `json:"chat"`
}

// Transfer is one hand-over of a session from a technician to another.
type Transfer struct {
	From    string    `json:"from"` // technician keys
	To      string    `json:"to"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment"`
	// Status is what getSession_v3 lists on the From technician's node for the retention period.
	Status Status `json:"status"`
}

// technician is a Rescue user with the state of their Technician Console.
type technician struct {
	world.Technician
	console    bool
	away       bool
	state      UserState
	authcode   string
	lastPIN    time.Time
	report     reportSettings
	lastReport time.Time
}

// consoleOffAtStart are technicians whose console is closed when the sandbox starts, so that the
// NOTECHCONSOLERUNNING path shows from the first run.
var consoleOffAtStart = map[string]bool{"priya": true}

func newTechnician(t world.Technician) *technician {
	return &technician{Technician: t, console: !consoleOffAtStart[t.Key], report: defaultReportSettings()}
}

func (t *technician) canSignIn() bool { return t.state != UserDisabled && t.state != UserDeleted }

// session is the server's record of a PIN session.
type session struct {
	id       int
	pin      string
	tech     *technician
	fields   [6]string
	tracking string
	language string // the customer's language, as getSession_v3's Language column shows it
	device   device

	abandoned bool // the customer never enters the PIN

	stage       Stage
	closeStatus Status
	started     time.Time
	expiresAt   time.Time // the PIN's end of validity
	waitingAt   time.Time // first entry into a queue
	activeAt    time.Time // latest pickup
	heldAt      time.Time // start of the current hold; zero when not on hold
	closedAt    time.Time
	statusAt    time.Time // last status change: getSession_v3's Waiting Time counts from it
	nextAt      time.Time // when the next stage is due; zero when nothing is scheduled
	spans       []span    // the phases the session went through, for the report's durations
	transfers   []transfer

	chat        []ChatLine // scheduled at pickup; each line shows once its time has come
	note        string
	noteAt      time.Time
	earlierNote string // the note as a previous technician left it, until the current one writes theirs
}

func (ss *session) status() Status {
	switch ss.stage {
	case StageConnecting:
		return StatusConnecting
	case StageWaiting:
		return StatusWaiting
	case StageActive:
		if ss.held() {
			return StatusOnHold
		}
		return StatusActive
	}
	return ss.closeStatus
}

func (ss *session) held() bool { return !ss.heldAt.IsZero() }

// resolved: a session the technician picked up and closed themselves counts as resolved.
func (ss *session) resolved() bool {
	return ss.stage == StageClosed && ss.closeStatus == StatusClosedByTechnician && !ss.activeAt.IsZero()
}

// horizon is the latest moment whose chat and notes exist: now, or the close or the start of the
// current hold if earlier. Nothing is said or written while the customer is on hold.
func (ss *session) horizon(now time.Time) time.Time {
	h := now
	if ss.stage == StageClosed && ss.closedAt.Before(h) {
		h = ss.closedAt
	}
	if ss.held() && ss.heldAt.Before(h) {
		h = ss.heldAt
	}
	return h
}

func (ss *session) visibleChat(now time.Time) []ChatLine {
	h := ss.horizon(now)
	var out []ChatLine
	for _, l := range ss.chat {
		if !l.At.After(h) {
			out = append(out, l)
		}
	}
	return out
}

func (ss *session) visibleNote(now time.Time) string {
	if ss.note == "" || ss.noteAt.After(ss.horizon(now)) {
		return ss.earlierNote
	}
	return ss.note
}

func (ss *session) snapshot(now time.Time) Session {
	out := Session{
		ID: ss.id, PIN: ss.pin, TechKey: ss.tech.Key, TechNodeID: ss.tech.RescueNodeID,
		Stage: ss.stage, Status: ss.status(), CustomFields: ss.fields, Tracking0: ss.tracking,
		Language: ss.language, Platform: ss.device.platform, Resolved: ss.resolved(),
		Abandoned: ss.abandoned, Started: ss.started, PINExpires: ss.expiresAt,
		WaitingSince: ss.waitingAt, PickedUp: ss.activeAt, HeldSince: ss.heldAt, Closed: ss.closedAt,
		StatusChanged: ss.statusAt, Note: ss.visibleNote(now), Chat: ss.visibleChat(now),
	}
	for _, tr := range ss.transfers {
		out.Transfers = append(out.Transfers, tr.snapshot())
	}
	if n := len(ss.transfers); n > 0 {
		out.TransferredFrom, out.TransferredTo = ss.transfers[n-1].from.Key, ss.transfers[n-1].to.Key
	}
	return out
}

// newSession is a session whose PIN was issued at start, still Connecting.
func newSession(id int, pin string, t *technician, start time.Time, validity time.Duration) *session {
	return &session{
		id: id, pin: pin, tech: t, language: t.Language, device: deviceFor(id),
		stage: StageConnecting, started: start, expiresAt: start.Add(validity), statusAt: start,
		spans: []span{{phaseConnecting, start}},
	}
}

// openSession records the session a new PIN starts. The simulated customer enters the PIN at once,
// unless AbandonNext said otherwise; then the session waits for the PIN to expire, whatever the pace.
func (s *Server) openSession(t *technician, fields [6]string, tracking string, now time.Time) *session {
	id := s.ids.next()
	ss := newSession(id, s.pins.next(s.pinInUse), t, now, s.pinValidity)
	ss.fields, ss.tracking = fields, tracking
	switch {
	case s.abandonLeft > 0:
		s.abandonLeft--
		ss.abandoned, ss.nextAt = true, ss.expiresAt
	case s.pace > 0:
		ss.nextAt = now.Add(s.pace)
	}
	s.addSession(ss)
	return ss
}

func (s *Server) addSession(ss *session) {
	s.sessions = append(s.sessions, ss)
	s.byID[ss.id] = ss
}

func (s *Server) pinInUse(pin string) bool {
	for _, ss := range s.sessions {
		if ss.pin == pin && ss.stage != StageClosed {
			return true
		}
	}
	return false
}

// settle applies every stage change due by now, each at the moment it fell due, so that the
// statuses and times come out as if a clock had been ticking.
func (s *Server) settle(now time.Time) {
	for _, ss := range s.sessions {
		for ss.stage != StageClosed && !ss.nextAt.IsZero() && !now.Before(ss.nextAt) {
			s.step(ss, ss.nextAt)
		}
	}
}

// step moves a session to its next stage at the given moment.
func (s *Server) step(ss *session, at time.Time) {
	switch ss.stage {
	case StageConnecting:
		if ss.abandoned {
			s.close(ss, at, StatusTimedOut)
			return
		}
		s.toWaiting(ss, at)
	case StageWaiting:
		s.pickUp(ss, at, s.scriptSpan())
		if s.pace > 0 {
			ss.nextAt = at.Add(s.pace)
		}
	case StageActive:
		s.close(ss, at, StatusClosedByTechnician)
	}
}

func (s *Server) toWaiting(ss *session, at time.Time) {
	ss.stage, ss.waitingAt, ss.nextAt = StageWaiting, at, time.Time{}
	ss.enter(phaseWaiting, at)
	// Nobody picks a session up while the technician's console is closed.
	if s.pace > 0 && ss.tech.console {
		ss.nextAt = at.Add(s.pace)
	}
}

// pickUp makes the session active and schedules its conversation over span, after what was said
// before a transfer.
func (s *Server) pickUp(ss *session, at time.Time, span time.Duration) {
	ss.stage, ss.activeAt, ss.nextAt = StageActive, at, time.Time{}
	ss.enter(phaseActive, at)
	var chat []ChatLine
	chat, ss.note, ss.noteAt = conversation(ss, at, span)
	ss.chat = append(ss.chat, chat...)
}

// scriptSpan is how long the scripted conversation takes: the Active stage, or a minute when
// sessions move by hand.
func (s *Server) scriptSpan() time.Duration {
	if s.pace > 0 {
		return s.pace
	}
	return defaultPace
}

func (s *Server) close(ss *session, at time.Time, st Status) {
	if ss.held() {
		ss.chat = linesUpTo(ss.chat, ss.heldAt)
		ss.heldAt = time.Time{}
	}
	ss.stage, ss.closeStatus, ss.closedAt, ss.statusAt, ss.nextAt = StageClosed, st, at, at, time.Time{}
	// A technician who ends the session saves the note they were writing.
	if st == StatusClosedByTechnician && ss.note != "" && ss.noteAt.After(at) {
		ss.noteAt = at
	}
}

func (s *Server) hasActive(t *technician) bool {
	for _, ss := range s.sessions {
		if ss.tech == t && ss.stage == StageActive {
			return true
		}
	}
	return false
}

// presence is getUser's STATUS: a running console is Online, Busy while a session is active or on
// hold, Away when the technician set it.
func (s *Server) presence(t *technician) string {
	switch {
	case t.state == UserDisabled:
		return "Disabled"
	case !t.console:
		return "Offline"
	case s.hasActive(t):
		return "Busy"
	case t.away:
		return "Away"
	}
	return "Online"
}

func (s *Server) techByKey(key string) (*technician, error) {
	for _, t := range s.techs {
		if t.Key == key {
			return t, nil
		}
	}
	return nil, fmt.Errorf("rescue: no technician %q", key)
}

func (s *Server) techByEmail(email string) *technician {
	for _, t := range s.techs {
		if email != "" && strings.EqualFold(t.Email, email) {
			return t
		}
	}
	return nil
}

func (s *Server) techBySSOID(id string) *technician {
	for _, t := range s.techs {
		if id != "" && t.SSOID == id {
			return t
		}
	}
	return nil
}

func (s *Server) techByNode(node int) *technician {
	for _, t := range s.techs {
		if t.RescueNodeID == node {
			return t
		}
	}
	return nil
}

func (s *Server) takeFailure(method string) bool {
	for _, key := range []string{method, ""} {
		if s.failures[key] > 0 {
			s.failures[key]--
			return true
		}
	}
	return false
}

// ---- Control surface ----

// SetConsole starts or closes a technician's Technician Console. Closing it ends the technician's
// active sessions (closed by technician) and holds waiting ones; opening it lets them be picked up
// one Pace later.
func (s *Server) SetConsole(techKey string, running bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.techByKey(techKey)
	if err != nil {
		return err
	}
	now := s.now()
	s.settle(now)
	t.console = running
	for _, ss := range s.sessions {
		if ss.tech != t {
			continue
		}
		switch {
		case ss.stage == StageWaiting && running && s.pace > 0 && ss.nextAt.IsZero():
			ss.nextAt = now.Add(s.pace)
		case ss.stage == StageWaiting && !running:
			ss.nextAt = time.Time{}
		case ss.stage == StageActive && !running:
			s.close(ss, now, StatusClosedByTechnician)
		}
	}
	return nil
}

// ConsoleRunning reports whether a technician's console is running; false for an unknown key.
func (s *Server) ConsoleRunning(techKey string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.techByKey(techKey)
	return err == nil && t.console
}

// SetAway sets the technician's Away flag, which getUser_v3 shows while the console runs and no
// session is active.
func (s *Server) SetAway(techKey string, away bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.techByKey(techKey)
	if err != nil {
		return err
	}
	t.away = away
	return nil
}

// SetUserState disables, deletes or restores a technician, or takes away their technician seat.
func (s *Server) SetUserState(techKey string, state UserState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state < UserActive || state > UserNotTechnician {
		return fmt.Errorf("rescue: invalid user state %d", int(state))
	}
	t, err := s.techByKey(techKey)
	if err != nil {
		return err
	}
	t.state = state
	return nil
}

// SetPINsLeft limits how many more PINs the company can generate; then requestPINCode answers
// OUTOFPINCODES. A negative n lifts the limit (the default).
func (s *Server) SetPINsLeft(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		n = -1
	}
	s.pinsLeft = n
}

// FailNext makes the next n calls of a method (any method when empty; case-insensitive) answer
// ERROR, the service's "unspecified error, e.g. timeout".
func (s *Server) FailNext(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	if n <= 0 {
		delete(s.failures, key)
		return
	}
	s.failures[key] = n
}

// Errors of the control surface.
var (
	ErrNoSession     = errors.New("rescue: no such session")
	ErrSessionClosed = errors.New("rescue: session already closed")
	ErrConsoleClosed = errors.New("rescue: the technician's console is not running")
	ErrWrongStage    = errors.New("rescue: the session is not at a stage that allows this")
)

// Advance moves a session to its next stage now. A waiting session cannot be picked up while its
// technician's console is closed. A session on hold closes (by the technician); an abandoned one
// times out.
func (s *Server) Advance(sessionID int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	ss := s.byID[sessionID]
	switch {
	case ss == nil:
		return ErrNoSession
	case ss.stage == StageClosed:
		return ErrSessionClosed
	case ss.stage == StageWaiting && !ss.tech.console:
		return ErrConsoleClosed
	}
	s.step(ss, now)
	return nil
}

// CloseSession ends a session now. status is a Status name (e.g. SESSION_CLOSEDBYCUSTOMER), its
// English text (e.g. "Closed by customer"), or one of the words "technician" (also the empty
// string), "customer", "timeout" and "disconnected"; "customer" and "timeout" pick the variant that
// fits the session's stage.
func (s *Server) CloseSession(sessionID int, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	ss := s.byID[sessionID]
	if ss == nil {
		return ErrNoSession
	}
	if ss.stage == StageClosed {
		return ErrSessionClosed
	}
	st, err := closingStatus(status, ss.stage)
	if err != nil {
		return err
	}
	s.close(ss, now, st)
	return nil
}

func closingStatus(name string, stage Stage) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "technician":
		return StatusClosedByTechnician, nil
	case "customer":
		switch stage {
		case StageWaiting:
			return StatusClosedByWaitingCustomer, nil
		case StageActive:
			return StatusClosedByActiveCustomer, nil
		}
		return StatusClosedByCustomer, nil
	case "timeout":
		if stage == StageActive {
			return StatusTimedOutByTechnician, nil
		}
		return StatusTimedOut, nil
	case "disconnected":
		return StatusDisconnected, nil
	}
	for st, text := range statusTexts["en"] {
		if isClosing(st) && (strings.EqualFold(name, string(st)) || strings.EqualFold(name, text)) {
			return st, nil
		}
	}
	return "", fmt.Errorf("rescue: %q is not a closing status", name)
}

func isClosing(st Status) bool {
	switch st {
	case StatusConnecting, StatusWaiting, StatusActive, StatusOnHold, StatusTransferred,
		StatusTransferredWithoutPickup:
		return false
	}
	return true
}

// Sessions returns every session, oldest first, as of now.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	out := make([]Session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		out = append(out, ss.snapshot(now))
	}
	return out
}

// Session returns one session as of now.
func (s *Server) Session(sessionID int) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	ss := s.byID[sessionID]
	if ss == nil {
		return Session{}, false
	}
	return ss.snapshot(now), true
}

// SessionByPIN returns the latest session started with a PIN.
func (s *Server) SessionByPIN(pin string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	for i := len(s.sessions) - 1; i >= 0; i-- {
		if ss := s.sessions[i]; ss.pin == pin {
			return ss.snapshot(now), true
		}
	}
	return Session{}, false
}

// ---- Generators ----

// pinSource deals 6-digit PINs from a seeded generator. The first PIN is always below 100000, so a
// fresh server's first PIN has a leading zero; after that about one in ten does.
type pinSource struct {
	rng    *rand.Rand
	issued int
}

func newPINSource(seed uint64) *pinSource {
	return &pinSource{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

func (p *pinSource) next(inUse func(string) bool) string {
	for {
		limit := 1000000
		if p.issued == 0 {
			limit = 100000
		}
		p.issued++
		pin := fmt.Sprintf("%06d", p.rng.IntN(limit))
		if !inUse(pin) {
			return pin
		}
	}
}

// idSource deals increasing 10-digit session IDs, with gaps for the other companies' sessions on the
// same service, and below 2^31 because the SOAP API types them as int.
type idSource struct {
	rng  *rand.Rand
	last int
}

func newIDSource(seed uint64) *idSource {
	r := rand.New(rand.NewPCG(seed, 0xd1b54a32d192ed03))
	return &idSource{rng: r, last: 1_093_000_000 + r.IntN(1_000_000)}
}

func (q *idSource) next() int {
	q.last += 1 + q.rng.IntN(37)
	return q.last
}
