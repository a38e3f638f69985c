package rescue

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const sessionHeader = "ID|Status|Entry ID|Entry|Technician ID|Technician|Start Time|Waiting Time|" +
	"Custom Field 0|Custom Field 1|Custom Field 2|Custom Field 3|Custom Field 4|Custom Field 5|" +
	"Language|Transferred To|Transferred Comment|Is Lead Technician|HandingOff|"

func sessionTable(rows ...string) string {
	out := "OK\n\n" + sessionHeader + "\n"
	for _, r := range rows {
		out += r + "\n"
	}
	return out
}

func TestSessionLifeCycle(t *testing.T) {
	s, clk := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	pin := pinOf(t, post(t, s, "requestPINCode", kv("authcode", code, "cfield0", "Zoë O'Connor",
		"cfield1", "zoe.oconnor@fabrikam.example", "cfield5", "rc-7f3a", "tracking0", "CAS-01001-ABCDEF")))
	ss, ok := s.SessionByPIN(pin)
	if !ok || ss.ID < 100_000_000 || ss.ID > 1<<31-1 {
		t.Fatalf("session %+v", ss)
	}
	row := func(status string, waited int) string {
		return fmt.Sprintf("%d|%s|||4310022|Jordan O'Neill|3/14/2025 9:30 AM|%d|Zoë O'Connor|"+
			"zoe.oconnor@fabrikam.example||||rc-7f3a|en|||yes||", ss.ID, status, waited)
	}
	list := func() string {
		return get(t, s, "getSession_v3", kv("authcode", code, "node", "4310022", "noderef", "NODE"))
	}
	steps := []struct {
		after time.Duration
		want  string
		busy  bool
		chat  int
	}{
		{0, row("Connecting", 0), false, 0},
		{7 * time.Second, row("Connecting", 7), false, 0},
		{3 * time.Second, row("Waiting", 0), false, 0},
		{4 * time.Second, row("Waiting", 4), false, 0},
		{6 * time.Second, row("Active", 0), true, 0},
		{5 * time.Second, row("Active", 5), true, 5},
		{5 * time.Second, row("Closed by technician", 0), false, 7},
		{20*time.Minute - time.Second, row("Closed by technician", 1199), false, 7},
	}
	for i, st := range steps {
		clk.Add(st.after)
		if got, want := list(), sessionTable(st.want); got != want {
			t.Fatalf("step %d:\ngot  %q\nwant %q", i, got, want)
		}
		user := get(t, s, "getUser_v3", kv("authcode", code, "node", "4310022"))
		if strings.HasSuffix(user, "STATUS: Busy") != st.busy {
			t.Errorf("step %d: %q", i, user)
		}
		snap, _ := s.Session(ss.ID)
		if len(snap.Chat) != st.chat {
			t.Errorf("step %d: %d chat lines, want %d", i, len(snap.Chat), st.chat)
		}
	}
	clk.Add(time.Second)
	if got := list(); got != sessionTable() {
		t.Fatalf("after the retention: %q", got)
	}
	snap, _ := s.Session(ss.ID)
	if snap.Stage != StageClosed || snap.Status != StatusClosedByTechnician || !snap.Resolved ||
		!snap.Started.Equal(t0) || !snap.WaitingSince.Equal(t0.Add(10*time.Second)) ||
		!snap.PickedUp.Equal(t0.Add(20*time.Second)) || !snap.Closed.Equal(t0.Add(30*time.Second)) ||
		snap.Tracking0 != "CAS-01001-ABCDEF" || snap.Platform == "" {
		t.Errorf("snapshot %+v", snap)
	}
}

func TestNoteAndChat(t *testing.T) {
	s, clk := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", code, "cfield0", "Zoë O'Connor")))
	ss, _ := s.SessionByPIN(pin)
	id := fmt.Sprint(ss.ID)
	clk.Add(25 * time.Second)
	if got := get(t, s, "getNote", kv("authcode", code, "session", id)); got != "OK NOTE:" {
		t.Errorf("note before it is written: %q", got)
	}
	clk.Add(5 * time.Second)
	wantNote := "OK NOTE:Remote control granted by the customer.\r\nCleared cached credentials and restarted " +
		"the application; customer confirmed the fix."
	if got := get(t, s, "getNote", kv("authcode", code, "session", id)); got != wantNote {
		t.Errorf("note:\ngot  %q\nwant %q", got, wantNote)
	}
	wantChat := "OK CHATLOG:" +
		"\n[9:30:20 AM] Jordan O'Neill: Hi Zoë, this is Jordan from the service desk. Thanks for waiting." +
		"\n[9:30:21 AM] Zoë O'Connor: Hi, thanks. It's the problem I reported on the phone this morning." +
		"\n[9:30:22 AM] Jordan O'Neill: I'm asking for remote control now: please click Allow when the prompt appears." +
		"\n[9:30:23 AM] Zoë O'Connor: Done, I clicked Allow." +
		"\n[9:30:25 AM] Jordan O'Neill: Thanks. I've cleared the cached credentials and restarted the app; can you try again?" +
		"\n[9:30:27 AM] Zoë O'Connor: It works now, thank you so much!" +
		"\n[9:30:28 AM] Jordan O'Neill: Great! I'll add notes to your case and close the session. Have a good day."
	if got := get(t, s, "getChat", kv("authcode", code, "session", id)); got != wantChat {
		t.Errorf("chat:\ngot  %q\nwant %q", got, wantChat)
	}
	cases := []struct{ method, session, want string }{
		{"getNote", "123", "INVALIDPARAM_SESSION"},
		{"getNote", "abc", "INVALIDPARAM_SESSION"},
		{"getNote", "", "INVALIDPARAM_SESSION"},
		{"getChat", "123", "ERROR"},
		{"getChat", "abc", "ERROR"},
	}
	for _, c := range cases {
		if got := get(t, s, c.method, kv("authcode", code, "session", c.session)); got != c.want {
			t.Errorf("%s(%q): %q", c.method, c.session, got)
		}
	}
	for _, m := range []string{"getNote", "getChat"} {
		if got := get(t, s, m, kv("session", id)); got != "NOTLOGGEDIN" {
			t.Errorf("%s without authcode: %q", m, got)
		}
	}
}

func TestFrenchTechnicianSeesFrenchTexts(t *testing.T) {
	s, clk := newServer(t, Options{})
	camille, jordan := signIn(t, s, "camille"), signIn(t, s, "jordan")
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", camille, "cfield0", "Hélène Côté")))
	ss, _ := s.SessionByPIN(pin)
	row := func(status, yes string) string {
		return fmt.Sprintf("%d|%s|||4310021|Camille Lefèvre|3/14/2025 9:30 AM|0|Hélène Côté||||||fr|||%s||",
			ss.ID, status, yes)
	}
	for i, st := range []struct{ fr, en string }{
		{"Connexion en cours", "Connecting"},
		{"En attente", "Waiting"},
		{"Active", "Active"},
		{"Fermée par le technicien", "Closed by technician"},
	} {
		if i > 0 {
			clk.Add(10 * time.Second)
		}
		if got := get(t, s, "getSession_v3", kv("authcode", camille, "node", "4310021")); got != sessionTable(row(st.fr, "oui")) {
			t.Errorf("camille, stage %d: %q", i, got)
		}
		// Texts follow the caller's account, not the session's technician.
		if got := get(t, s, "getSession_v3", kv("authcode", jordan, "node", "4310021")); got != sessionTable(row(st.en, "yes")) {
			t.Errorf("jordan, stage %d: %q", i, got)
		}
	}
	chat := get(t, s, "getChat", kv("authcode", camille, "session", fmt.Sprint(ss.ID)))
	if !strings.Contains(chat, "] Camille Lefèvre: Bonjour Hélène, ici Camille du support. Merci d'avoir patienté.") ||
		!strings.Contains(chat, "] Hélène Côté: Ça marche maintenant, merci beaucoup !") {
		t.Errorf("French chat: %q", chat)
	}
}

func TestGetSessionErrors(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"node", "4310022", "noderef", "node"}, sessionTable()},
		{nil, "INVALIDPARAM_NODE"},
		{[]string{"node", "abc"}, "INVALIDPARAM_NODE"},
		{[]string{"node", "4310099"}, "INVALIDPARAM_NODE"},
		{[]string{"node", "4310022", "noderef", "CHANNEL"}, "INVALIDPARAM_NODE"},
		{[]string{"node", "4310022", "noderef", "GROUP"}, "INVALIDPARAM_NODE"},
	}
	for _, c := range cases {
		if got := get(t, s, "getSession_v3", kv(append([]string{"authcode", code}, c.args...)...)); got != c.want {
			t.Errorf("%v: %q", c.args, got)
		}
	}
	if got := get(t, s, "getSession_v3", kv("node", "4310022")); got != "NOTLOGGEDIN" {
		t.Errorf("no authcode: %q", got)
	}
	_ = s.SetUserState("jordan", UserDisabled)
	if got := get(t, s, "getSession_v3", kv("authcode", code, "node", "4310022")); got != "USER_DELETED_OR_DISABLED" {
		t.Errorf("disabled: %q", got)
	}
}

func TestWaitingSessionIsHeldWhileTheConsoleIsClosed(t *testing.T) {
	s, clk := newServer(t, Options{})
	code := signIn(t, s, "priya")
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", code, "notechconsole", "1")))
	ss, _ := s.SessionByPIN(pin)
	clk.Add(5 * time.Minute)
	if got, _ := s.Session(ss.ID); got.Stage != StageWaiting || !got.StatusChanged.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("after five minutes: %v since %v", got.Stage, got.StatusChanged)
	}
	if err := s.Advance(ss.ID); !errors.Is(err, ErrConsoleClosed) {
		t.Fatalf("advance with the console closed: %v", err)
	}
	if err := s.SetConsole("priya", true); err != nil || !s.ConsoleRunning("priya") {
		t.Fatal(err)
	}
	clk.Add(9 * time.Second)
	if got, _ := s.Session(ss.ID); got.Stage != StageWaiting {
		t.Fatalf("picked up too early: %v", got.Stage)
	}
	clk.Add(time.Second)
	if got, _ := s.Session(ss.ID); got.Stage != StageActive || !got.PickedUp.Equal(t0.Add(5*time.Minute+10*time.Second)) {
		t.Fatalf("after the console started: %v at %v", got.Stage, got.PickedUp)
	}
}

func TestClosingTheConsoleEndsActiveSessions(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", code)))
	ss, _ := s.SessionByPIN(pin)
	mustAdvance(t, s, ss.ID, 2)
	clk.Add(time.Hour) // manual pace: nothing moves by itself
	if got, _ := s.Session(ss.ID); got.Stage != StageActive {
		t.Fatalf("stage %v", got.Stage)
	}
	_ = s.SetConsole("jordan", false)
	got, _ := s.Session(ss.ID)
	if got.Stage != StageClosed || got.Status != StatusClosedByTechnician || !got.Closed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("%+v", got)
	}
	if s.ConsoleRunning("jordan") || s.ConsoleRunning("nobody") {
		t.Fatal("console state")
	}
	if err := s.SetConsole("nobody", true); err == nil {
		t.Fatal("unknown technician accepted")
	}
}

func TestCloseSession(t *testing.T) {
	cases := []struct {
		advances int
		status   string
		want     Status
		resolved bool
	}{
		{2, "", StatusClosedByTechnician, true},
		{2, "technician", StatusClosedByTechnician, true},
		{1, "technician", StatusClosedByTechnician, false},
		{0, "customer", StatusClosedByCustomer, false},
		{1, "customer", StatusClosedByWaitingCustomer, false},
		{2, "customer", StatusClosedByActiveCustomer, false},
		{1, "timeout", StatusTimedOut, false},
		{2, "timeout", StatusTimedOutByTechnician, false},
		{2, "disconnected", StatusDisconnected, false},
		{2, "SESSION_CLOSEDBYCUSTOMER", StatusClosedByCustomer, false},
		{2, "closed by waiting customer", StatusClosedByWaitingCustomer, false},
	}
	for _, c := range cases {
		s, _ := newServer(t, Options{Pace: -1})
		pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", signIn(t, s, "jordan"))))
		ss, _ := s.SessionByPIN(pin)
		mustAdvance(t, s, ss.ID, c.advances)
		if err := s.CloseSession(ss.ID, c.status); err != nil {
			t.Fatalf("%q: %v", c.status, err)
		}
		got, _ := s.Session(ss.ID)
		if got.Status != c.want || got.Resolved != c.resolved {
			t.Errorf("%q after %d: %s resolved=%v", c.status, c.advances, got.Status, got.Resolved)
		}
		if err := s.CloseSession(ss.ID, ""); !errors.Is(err, ErrSessionClosed) {
			t.Errorf("closing twice: %v", err)
		}
		if err := s.Advance(ss.ID); !errors.Is(err, ErrSessionClosed) {
			t.Errorf("advancing a closed session: %v", err)
		}
	}
	s, _ := newServer(t, Options{Pace: -1})
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", signIn(t, s, "jordan"))))
	ss, _ := s.SessionByPIN(pin)
	for _, bad := range []string{"Waiting", "SESSION_PICKEDUP", "whenever"} {
		if err := s.CloseSession(ss.ID, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := s.CloseSession(1, ""); !errors.Is(err, ErrNoSession) {
		t.Errorf("unknown session: %v", err)
	}
	if err := s.Advance(1); !errors.Is(err, ErrNoSession) {
		t.Errorf("unknown session: %v", err)
	}
}

func TestNoteIsSavedWhenTheTechnicianClosesEarly(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", code)))
	ss, _ := s.SessionByPIN(pin)
	mustAdvance(t, s, ss.ID, 3)
	got, _ := s.Session(ss.ID)
	if !strings.HasPrefix(got.Note, "Remote control granted") || len(got.Chat) != 0 {
		t.Fatalf("note %q, %d chat lines", got.Note, len(got.Chat))
	}
	clk.Add(time.Second)
	pin = pinOf(t, get(t, s, "requestPINCode", kv("authcode", code, "cfield0", "x")))
	ss, _ = s.SessionByPIN(pin)
	_ = s.Advance(ss.ID)
	_ = s.Advance(ss.ID)
	_ = s.CloseSession(ss.ID, "customer")
	if got, _ := s.Session(ss.ID); got.Note != "" {
		t.Fatalf("a customer's close leaves no note: %q", got.Note)
	}
}

func TestHistoryIsSeeded(t *testing.T) {
	s, _ := newServer(t, Options{})
	all := s.Sessions()
	if len(all) != historySize {
		t.Fatalf("%d sessions", len(all))
	}
	tracked, picked, keys := 0, 0, map[string]bool{}
	for i, ss := range all {
		if ss.Stage != StageClosed || !ss.Closed.Before(t0) || !ss.Started.After(t0.Add(-8*24*time.Hour)) {
			t.Errorf("session %d: %+v", i, ss)
		}
		if i > 0 && ss.ID <= all[i-1].ID {
			t.Errorf("IDs not increasing at %d", i)
		}
		if ss.Tracking0 != "" {
			tracked++
		}
		if !ss.PickedUp.IsZero() {
			picked++
		}
		keys[ss.TechKey] = true
	}
	if tracked == 0 || tracked == len(all) || picked == len(all) || len(keys) != 3 {
		t.Errorf("tracked %d, picked up %d, technicians %v", tracked, picked, keys)
	}
	s2, _ := newServer(t, Options{NoHistory: true})
	if n := len(s2.Sessions()); n != 0 {
		t.Errorf("NoHistory: %d sessions", n)
	}
}

func TestUserStateParsing(t *testing.T) {
	for _, st := range []UserState{UserActive, UserDisabled, UserDeleted, UserNotTechnician} {
		got, err := ParseUserState(strings.ToUpper(st.String()))
		if err != nil || got != st {
			t.Errorf("%v: %v %v", st, got, err)
		}
	}
	if _, err := ParseUserState("gone"); err == nil {
		t.Error("unknown state accepted")
	}
	s, _ := newServer(t, Options{})
	if err := s.SetUserState("jordan", UserState(9)); err == nil {
		t.Error("invalid state accepted")
	}
	if err := s.SetUserState("nobody", UserDisabled); err == nil {
		t.Error("unknown technician accepted")
	}
}
