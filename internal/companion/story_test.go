package companion

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/auth"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/outbox"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/store"
)

// testClock is a stopped clock the test moves by hand; the sandbox and the app read the same one.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// story is the whole after-PIN path on the sandbox: real Rescue and Dataverse clients, a real
// store, a stopped clock.
type story struct {
	t       *testing.T
	clk     *testClock
	sb      *sandbox.Sandbox
	r       *Rescue
	tracker *Tracker
	wb      *WriteBack
	box     *outbox.Outbox
	dyn     *dynamics.Client
	caseRef CaseRef
	pin     PIN
	picked  []int
	errs    []error
}

type storyOptions struct {
	settings WriteBackSettings // options only; the table names are filled in
	store    *store.Store      // reuse a store: a restart
	sb       *sandbox.Sandbox
	clk      *testClock
}

func newStory(t *testing.T, o storyOptions) *story {
	t.Helper()
	s := &story{t: t, clk: o.clk, sb: o.sb}
	if s.clk == nil {
		s.clk = &testClock{t: time.Now().UTC().Truncate(time.Second)}
	}
	if s.sb == nil {
		sb, err := sandbox.Start(sandbox.Options{
			Now: s.clk.Now, Pace: time.Minute, PINInterval: time.Nanosecond, ReportInterval: time.Minute,
			AutoApproveDevice: true, DeviceUser: "camille",
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sb.Close() })
		s.sb = sb
	}
	st := o.store
	if st == nil {
		var err error
		st, err = store.Open(filepath.Join(t.TempDir(), "state.db"), make([]byte, 32), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
	}
	s.dyn = signedInDynamics(t, s.sb)
	api, err := rescue.New(s.sb.RescueURL, rescue.Options{HTTPClient: s.sb.Client(), Now: s.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	keys := secrets.NewMemory()
	s.r = NewRescue(api, keys, st, defaultSettings, RescueOptions{Now: s.clk.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
	settings := o.settings
	settings.Sessions = dynamics.SessionTable{Set: "lmi_sessions", KeyColumn: "lmi_sessionid", CaseNav: "lmi_incidentid"}
	settings.Technicians = dynamics.TechnicianTable{Set: "lmi_usersettings", IDColumn: "lmi_technicianid", SSOColumn: "lmi_ssoid"}
	settings.Prefix = "lmi_"
	s.box = outbox.New(st, "outbox", outbox.Options{Now: s.clk.Now, Backoff: func(int) time.Duration { return time.Second }})
	s.wb = NewWriteBack(s.dyn, s.box, st, settings, s.clk.Now)
	s.wb.Me = func(ctx context.Context) (int, string, error) {
		acct, err := s.r.currentAccount(ctx)
		if err != nil {
			return 0, "", err
		}
		who, err := s.dyn.WhoAmI(ctx)
		return acct.TechID, who.UserID, err
	}
	s.tracker = NewTracker(s.r, SessionEvents{
		PickedUp: func(tr Tracked, tech int) {
			s.picked = append(s.picked, tech)
			if err := s.wb.PickedUp(tr, tech); err != nil {
				s.errs = append(s.errs, err)
			}
		},
		Closed:  s.wb.SessionClosed,
		Problem: func(_ Tracked, err error) { s.errs = append(s.errs, err) },
	}, TrackerOptions{})
	s.caseRef = camilleCase(t, s.dyn)
	return s
}

// signedInDynamics signs camille in through the real MSAL device-code flow against the sandbox.
func signedInDynamics(t *testing.T, sb *sandbox.Sandbox) *dynamics.Client {
	t.Helper()
	a, err := auth.New(auth.Config{
		Authority: sb.AuthorityURL, TenantID: sb.Tenant(), ClientID: sandbox.SampleClientID,
		Resource: sb.DynamicsURL, HTTPClient: sb.Client(), Secrets: secrets.NewMemory(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.SignInWithDeviceCode(ctx, func(auth.DeviceCode) {}); err != nil {
		t.Fatal(err)
	}
	d, err := dynamics.New(sb.DynamicsURL, a, dynamics.Options{HTTPClient: sb.Client(), Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// camilleCase is one of camille's open cases with its customer.
func camilleCase(t *testing.T, d *dynamics.Client) CaseRef {
	t.Helper()
	ctx := context.Background()
	who, err := d.WhoAmI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := d.MyOpenCases(ctx, who.UserID)
	if err != nil || len(cases) == 0 {
		t.Fatalf("no open case: %v", err)
	}
	c := cases[0]
	return CaseRef{ID: c.ID, Number: c.Number, Customer: c.Customer, CustomerEmail: c.CustomerEmail}
}

func (s *story) signInRescue(tech string) {
	s.t.Helper()
	tc, _ := s.sb.World.Technician(tech)
	if _, err := s.r.SignIn(context.Background(), Credentials{Email: tc.Email, Password: tc.Password}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *story) requestPIN() {
	s.t.Helper()
	pin, err := s.r.RequestPIN(context.Background(), s.caseRef)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.tracker.Follow(pin); err != nil {
		s.t.Fatal(err)
	}
	s.pin = pin
}

// step moves the clock, looks at Rescue once and runs the writes that are due.
func (s *story) step(d time.Duration) Tracked {
	s.t.Helper()
	s.clk.Add(d)
	ctx := context.Background()
	if _, err := s.tracker.Poll(ctx); err != nil {
		s.t.Fatalf("poll: %v", err)
	}
	if _, err := s.box.RunDue(ctx, s.wb.Handlers()); err != nil {
		s.t.Fatalf("outbox: %v", err)
	}
	for _, tr := range s.tracker.Live() {
		if tr.PIN.Correlation == s.pin.Correlation {
			return tr
		}
	}
	return Tracked{State: "done"}
}

// records are the session records of the story's case in the fake.
func (s *story) records() []map[string]any {
	var out []map[string]any
	for _, r := range s.sb.Dataverse.Records(dataverse.SessionSet) {
		if r[dataverse.SessionCaseLookup] == s.caseRef.ID {
			out = append(out, r)
		}
	}
	return out
}

func TestTheWholeStoryEndsWithExactlyOneRecordOnTheCase(t *testing.T) {
	s := newStory(t, storyOptions{})
	s.signInRescue("camille")
	s.requestPIN()
	var seen []TrackState
	for i := 0; i < 6; i++ {
		var d time.Duration
		if i > 0 {
			d = time.Minute
		}
		got := s.step(d)
		seen = append(seen, got.State)
		if got.State == "done" {
			break
		}
	}
	// Connecting, waiting and active, one pace apart; then closed, and the same look's report has
	// the row, so following ends there.
	want := []TrackState{TrackConnecting, TrackWaiting, TrackActive, "done"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("states %v, want %v (problems %v)", seen, want, s.errs)
	}
	camille, _ := s.sb.World.Technician("camille")
	if len(s.picked) != 1 || s.picked[0] != camille.RescueNodeID {
		t.Fatalf("picked up by %v", s.picked)
	}
	recs := s.records()
	if len(recs) != 1 {
		t.Fatalf("%d records on the case, want 1", len(recs))
	}
	rec := recs[0]
	sess, _ := s.sb.Rescue.SessionByPIN(s.pin.Code)
	checks := map[string]any{
		"lmi_sessionid": itoa(sess.ID), "lmi_casenumber": s.caseRef.Number, "lmi_technicianid": itoa(camille.RescueNodeID),
		"lmi_technician": camille.Name, "lmi_correlation": s.pin.Correlation, "statecode": 0,
	}
	for k, v := range checks {
		if !same(rec[k], v) {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
	if !same(rec["lmi_activeseconds"], 60) || rec["lmi_resolved"] != true || !strings.Contains(rec["lmi_chatlog"].(string), camille.Name) {
		t.Errorf("details: active %v resolved %v chat %q", rec["lmi_activeseconds"], rec["lmi_resolved"], rec["lmi_chatlog"])
	}
	if d, ok := LocalDetails(s.r.store, sess.ID); !ok || d.Note == "" || len(d.Chat) == 0 {
		t.Errorf("local details %+v", d)
	}
	if !s.wb.Written(sess.ID) {
		t.Error("not marked written")
	}
	// Nothing more happens on later looks: no second record, nothing pending.
	s.step(5 * time.Minute)
	if p, _ := s.box.Pending(); p.Pending() != 0 || len(s.records()) != 1 {
		t.Fatalf("pending %+v, %d records", p, len(s.records()))
	}
}

// same compares a stored value with the expected one as text, whatever number type the fake keeps.
func same(got, want any) bool { return fmt.Sprint(got) == fmt.Sprint(want) }

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func itoa(n int) string { return sessionKey(n) }

func TestCloseTheRequestAtSessionEndDeactivatesTheRecord(t *testing.T) {
	for _, closeAtEnd := range []bool{false, true} {
		s := newStory(t, storyOptions{settings: WriteBackSettings{CloseAtEnd: closeAtEnd}})
		s.signInRescue("camille")
		s.requestPIN()
		sess, _ := s.sb.Rescue.SessionByPIN(s.pin.Code)
		s.step(0)
		if err := s.sb.Rescue.CloseSession(sess.ID, "customer"); err != nil {
			t.Fatal(err)
		}
		s.step(time.Minute)
		s.step(time.Minute)
		recs := s.records()
		if len(recs) != 1 {
			t.Fatalf("close %v: %d records", closeAtEnd, len(recs))
		}
		want := 0
		if closeAtEnd {
			want = 1
		}
		if !same(recs[0]["statecode"], want) {
			t.Fatalf("close %v: statecode %v", closeAtEnd, recs[0]["statecode"])
		}
	}
}

func TestFirstUpsertFailuresAreRetriedIntoOneRecord(t *testing.T) {
	for _, kind := range []fault.Kind{fault.ServerError, fault.DropAfter, fault.StallAfter} {
		t.Run(string(kind), func(t *testing.T) {
			s := newStory(t, storyOptions{})
			s.signInRescue("camille")
			s.requestPIN()
			sess, _ := s.sb.Rescue.SessionByPIN(s.pin.Code)
			s.step(0)
			_ = s.sb.Rescue.CloseSession(sess.ID, "technician")
			// More failures than the client's own attempts, so the outbox has to try again too.
			if err := s.sb.Faults.Add(fault.Rule{Service: fault.Dataverse, PathContains: "lmi_sessions(", Kind: kind, Count: 5, Delay: time.Hour}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s.clk.Add(time.Minute)
			if _, err := s.tracker.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 12 && len(s.sb.Faults.Rules()) > 0; i++ {
				short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
				_, _ = s.box.RunDue(short, s.wb.Handlers())
				stop()
				s.clk.Add(2 * time.Second)
			}
			s.step(time.Second)
			if p, _ := s.box.Pending(); p.Pending() != 0 {
				jobs, _ := s.box.List()
				t.Fatalf("still pending: %+v %+v", p, jobs)
			}
			if n := len(s.records()); n != 1 {
				t.Fatalf("%d records after %s", n, kind)
			}
		})
	}
}

func TestFollowingSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "state.db"), make([]byte, 32), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := newStory(t, storyOptions{store: st})
	first.signInRescue("camille")
	first.requestPIN()
	first.step(time.Minute) // waiting
	_ = st.Close()

	st2, err := store.Open(filepath.Join(dir, "state.db"), make([]byte, 32), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	second := newStory(t, storyOptions{store: st2, sb: first.sb, clk: first.clk})
	second.pin = first.pin
	second.r.keyring = first.r.keyring
	live := second.tracker.Live()
	if len(live) != 1 || live[0].PIN.Correlation != first.pin.Correlation || live[0].State != TrackWaiting {
		t.Fatalf("after restart: %+v", live)
	}
	for i := 0; i < 4; i++ {
		second.step(time.Minute)
	}
	if n := len(second.records()); n != 1 {
		t.Fatalf("%d records", n)
	}
}

func TestAnUnmappedTechnicianIsReportedNotGuessed(t *testing.T) {
	s := newStory(t, storyOptions{settings: WriteBackSettings{ReassignAtStart: true}})
	s.signInRescue("camille")
	_ = s.sb.Rescue.SetConsole("priya", true)
	s.requestPIN()
	sess, _ := s.sb.Rescue.SessionByPIN(s.pin.Code)
	s.step(0)
	s.step(time.Minute) // waiting
	s.step(time.Minute) // active with camille
	// priya, who has no technician settings record, takes the session over.
	if err := s.sb.Rescue.Transfer(sess.ID, "priya", ""); err != nil {
		t.Fatal(err)
	}
	s.step(time.Second)
	s.step(time.Minute) // picked up by priya
	jobs, _ := s.box.List()
	var parked []outbox.Job
	for _, j := range jobs {
		if j.Parked {
			parked = append(parked, j)
		}
	}
	if len(parked) != 1 || !strings.Contains(parked[0].LastError, "no technician settings record") {
		t.Fatalf("jobs %+v", jobs)
	}
	owner, _, _ := s.dyn.CaseState(context.Background(), s.caseRef.ID)
	camille, _ := s.sb.World.Technician("camille")
	if owner != camille.SystemUserID {
		t.Fatalf("the case moved to %s", owner)
	}
	// The session itself still reaches the case.
	for i := 0; i < 4 && s.step(time.Minute).State != "done"; i++ {
	}
	if n := len(s.records()); n != 1 {
		t.Fatalf("%d records", n)
	}
}

func TestWrapUpWritesOneNoteAndResolvesTheCase(t *testing.T) {
	s := newStory(t, storyOptions{})
	s.signInRescue("camille")
	s.requestPIN()
	sess, _ := s.sb.Rescue.SessionByPIN(s.pin.Code)
	s.step(0)
	_ = s.sb.Rescue.CloseSession(sess.ID, "technician")
	s.step(time.Minute)
	s.step(time.Minute)
	d, ok := LocalDetails(s.r.store, sess.ID)
	if !ok {
		t.Fatal("no details")
	}
	summary := "Reset the password with the customer; works again."
	for i := 0; i < 2; i++ { // the technician saves twice: still one note
		if err := s.wb.WrapUp(d, WrapUpDecision{SessionID: sess.ID, AddNote: true, Summary: summary, ResolveCase: true}); err != nil {
			t.Fatal(err)
		}
		s.step(time.Second)
	}
	var notes int
	for _, a := range s.sb.Dataverse.Records("annotations") {
		if a["_objectid_value"] == s.caseRef.ID && strings.Contains(toString(a["subject"]), "rescue-session:"+itoa(sess.ID)) {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("%d notes", notes)
	}
	if _, state, _ := s.dyn.CaseState(context.Background(), s.caseRef.ID); state != dynamics.CaseResolved {
		t.Fatalf("case state %d", state)
	}
	desk := &Desk{Tracker: s.tracker, WriteBack: s.wb, Box: s.box, Records: s.dyn, Settings: s.wb.s}
	team, err := desk.Team(context.Background(), s.clk.Now().Add(-time.Hour))
	if err != nil || len(team) != 1 || team[0].SessionID != sess.ID || !team[0].CaseResolved || team[0].CaseNumber != s.caseRef.Number {
		t.Fatalf("team %+v %v", team, err)
	}
}

func TestRefusedWritesAreParkedNotRetriedForever(t *testing.T) {
	for _, status := range []int{400, 403, 404, 412} {
		if !outbox.IsPermanent(permanentIfRefused(&dynamics.Error{Status: status})) {
			t.Fatalf("%d is retried", status)
		}
	}
	for _, status := range []int{401, 408, 429, 500, 503} {
		if outbox.IsPermanent(permanentIfRefused(&dynamics.Error{Status: status})) {
			t.Fatalf("%d parked", status)
		}
	}
}

func TestATransferReassignsTheCaseToTheTechnicianWhoPicksItUp(t *testing.T) {
	s := transferStory(t, true)
	jordan, _ := s.sb.World.Technician("jordan")
	owner, _, _ := s.dyn.CaseState(context.Background(), s.caseRef.ID)
	if owner != jordan.SystemUserID {
		t.Fatalf("case owner %s, want jordan %s (problems %v)", owner, jordan.SystemUserID, s.errs)
	}
}

func TestWithoutTheOptionATransferLeavesTheCaseWhereItIs(t *testing.T) {
	s := transferStory(t, false)
	camille, _ := s.sb.World.Technician("camille")
	owner, _, _ := s.dyn.CaseState(context.Background(), s.caseRef.ID)
	if jobs, _ := s.box.List(); owner != camille.SystemUserID || len(jobs) != 0 {
		t.Fatalf("case owner %s, jobs %+v", owner, jobs)
	}
}

// transferStory runs a session that camille picks up and transfers to jordan, who closes it.
func transferStory(t *testing.T, reassign bool) *story {
	t.Helper()
	s := newStory(t, storyOptions{settings: WriteBackSettings{ReassignAtStart: reassign}})
	s.signInRescue("camille")
	s.requestPIN()
	sess, _ := s.sb.Rescue.SessionByPIN(s.pin.Code)
	s.step(0)
	s.step(time.Minute) // waiting
	s.step(time.Minute) // active with camille, who owns the case: nothing to reassign
	if err := s.sb.Rescue.Transfer(sess.ID, "jordan", "printer expert"); err != nil {
		t.Fatal(err)
	}
	got := s.step(time.Second)
	jordan, _ := s.sb.World.Technician("jordan")
	if got.State != TrackTransferring || got.Technician != jordan.Name || got.TechnicianID != jordan.RescueNodeID {
		t.Fatalf("after the transfer: %+v (problems %v)", got, s.errs)
	}
	if got := s.step(time.Second); got.State != TrackWaiting || got.TechnicianID != jordan.RescueNodeID {
		t.Fatalf("on jordan's node: %+v", got)
	}
	for i := 0; i < 5 && s.step(time.Minute).State != "done"; i++ {
	}
	camille, _ := s.sb.World.Technician("camille")
	if fmt.Sprint(s.picked) != fmt.Sprint([]int{camille.RescueNodeID, jordan.RescueNodeID}) {
		t.Fatalf("picked up by %v", s.picked)
	}
	recs := s.records()
	if len(recs) != 1 || recs[0]["lmi_technician"] != jordan.Name {
		t.Fatalf("records %v", recs)
	}
	return s
}

func TestACustomerWhoNeverConnects(t *testing.T) {
	s := newStory(t, storyOptions{})
	s.signInRescue("camille")
	s.sb.Rescue.AbandonNext(1)
	s.requestPIN()
	if got := s.step(0); got.State != TrackConnecting || got.Warned {
		t.Fatalf("at first: %+v", got)
	}
	if got := s.step(17 * time.Minute); got.Warned {
		t.Fatal("warned three minutes before expiry")
	}
	if got := s.step(90 * time.Second); !got.Warned || got.State != TrackConnecting {
		t.Fatalf("no warning 90 s before expiry: %+v", got)
	}
	for i := 0; i < 4 && s.step(time.Minute).State != "done"; i++ {
	}
	recs := s.records()
	if len(recs) != 1 || recs[0]["lmi_resolved"] != false || fmt.Sprint(recs[0]["lmi_activeseconds"]) != "0" {
		t.Fatalf("records %v", recs)
	}
	if len(s.picked) != 0 {
		t.Fatalf("picked up by %v", s.picked)
	}
}

func TestPollingIsQuickWhileACustomerWaitsAndBacksOffDuringTheSession(t *testing.T) {
	s := newStory(t, storyOptions{})
	s.signInRescue("camille")
	if d, _ := s.tracker.Poll(context.Background()); d != pollSlow {
		t.Fatalf("nothing followed: next look in %v", d)
	}
	s.requestPIN()
	var delays []time.Duration
	for i := 0; i < 8; i++ {
		s.step(20 * time.Second) // the sandbox moves a stage a minute: waiting at 1 min, active at 2
		delays = append(delays, s.tracker.Delay())
	}
	want := []time.Duration{pollFast, pollFast, pollFast, pollFast, pollFast, pollFast, 2 * pollFast, 4 * pollFast}
	if fmt.Sprint(delays) != fmt.Sprint(want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
}
