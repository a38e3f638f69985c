package rescue

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// nodeRow writes a getSession_v3 row of a session whose customer is Zoë O'Connor.
func nodeRow(id int, status, node, tech string, waited int, to, comment, lead string) string {
	return fmt.Sprintf("%d|%s|||%s|%s|3/14/2025 9:30 AM|%d|Zoë O'Connor||||||en|%s|%s|%s||",
		id, status, node, tech, waited, to, comment, lead)
}

const (
	jordanNode, jordanName   = "4310022", "Jordan O'Neill"
	camilleNode, camilleName = "4310021", "Camille Lefèvre"
	priyaNode, priyaName     = "4310023", "Priya Natarajan"
)

// listNode is getSession_v3 for a node, as the caller's authcode sees it.
func listNode(t *testing.T, s *Server, code, node string) string {
	t.Helper()
	return get(t, s, "getSession_v3", kv("authcode", code, "node", node))
}

// zoeSession issues one of jordan's PINs for Zoë O'Connor.
func zoeSession(t *testing.T, s *Server, code string) Session {
	t.Helper()
	pin := pinOf(t, post(t, s, "requestPINCode", kv("authcode", code, "cfield0", "Zoë O'Connor")))
	ss, ok := s.SessionByPIN(pin)
	if !ok {
		t.Fatalf("no session for PIN %s", pin)
	}
	return ss
}

// reportRows runs an XML report over the morning of t0 for a node ("-2" with EXTERNALROOT is
// everyone).
func reportRows(t *testing.T, s *Server, code, node, nodetype string) []map[string]string {
	t.Helper()
	setAll(t, s, code,
		[]string{"setReportDate_v2", "bdate", "3/14/2025 9:00:00", "edate", "3/14/2025 12:00:00"},
		[]string{"setOutput", "output", "XML"},
	)
	return parseXMLReport(t, get(t, s, "getReport_v2", kv("authcode", code, "node", node, "nodetype", nodetype)))
}

func checkFields(t *testing.T, what string, row map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, ok := row[k]; !ok || got != v {
			t.Errorf("%s: %s = %q (present %v), want %q", what, k, got, ok, v)
		}
	}
}

func isBusy(t *testing.T, s *Server, code, node string) bool {
	t.Helper()
	return strings.HasSuffix(get(t, s, "getUser_v3", kv("authcode", code, "node", node)), "STATUS: Busy")
}

func TestAbandonedPINTimesOutWhenItExpires(t *testing.T) {
	s, clk := newServer(t, Options{})
	jordan, camille := signIn(t, s, "jordan"), signIn(t, s, "camille")
	s.AbandonNext(1)
	ss := zoeSession(t, s, jordan)
	if !ss.Abandoned || !ss.PINExpires.Equal(t0.Add(20*time.Minute)) {
		t.Fatalf("snapshot %+v", ss)
	}
	steps := []struct {
		after    time.Duration
		en, fr   string
		waited   int
		isListed bool
	}{
		{0, "Connecting", "Connexion en cours", 0, true},
		{20*time.Minute - time.Second, "Connecting", "Connexion en cours", 1199, true},
		{time.Second, "Timed out", "Expirée", 0, true},
		{20*time.Minute - time.Second, "Timed out", "Expirée", 1199, true},
		{time.Second, "", "", 0, false},
	}
	for i, st := range steps {
		clk.Add(st.after)
		wantEN, wantFR := sessionTable(), sessionTable()
		if st.isListed {
			wantEN = sessionTable(nodeRow(ss.ID, st.en, jordanNode, jordanName, st.waited, "", "", "yes"))
			wantFR = sessionTable(nodeRow(ss.ID, st.fr, jordanNode, jordanName, st.waited, "", "", "oui"))
		}
		if got := listNode(t, s, jordan, jordanNode); got != wantEN {
			t.Errorf("step %d, English:\ngot  %q\nwant %q", i, got, wantEN)
		}
		if got := listNode(t, s, camille, jordanNode); got != wantFR {
			t.Errorf("step %d, French:\ngot  %q\nwant %q", i, got, wantFR)
		}
	}
	got, _ := s.Session(ss.ID)
	if got.Stage != StageClosed || got.Status != StatusTimedOut || !got.Closed.Equal(t0.Add(20*time.Minute)) ||
		!got.WaitingSince.IsZero() || !got.PickedUp.IsZero() || got.Resolved || got.Note != "" || len(got.Chat) != 0 {
		t.Errorf("closed snapshot %+v", got)
	}
	rows := reportRows(t, s, jordan, jordanNode, "NODE")
	if len(rows) != 1 {
		t.Fatalf("%d report rows", len(rows))
	}
	checkFields(t, "report", rows[0], map[string]string{
		"Session ID": fmt.Sprint(ss.ID), "Status": "Timed out", "Technician Name": jordanName,
		"Start Time": "3/14/2025 9:30:00 AM", "End Time": "3/14/2025 9:50:00 AM",
		"Connecting Time": "0:20:00", "Waiting Time": "0:00:00", "Active Time": "0:00:00",
		"Work Time": "0:00:00", "Total Time": "0:20:00", "Resolved Unresolved": "Unresolved",
		"Incident Tools Used": "",
	})
	if note := get(t, s, "getNote", kv("authcode", jordan, "session", fmt.Sprint(ss.ID))); note != "OK NOTE:" {
		t.Errorf("note %q", note)
	}
	if chat := get(t, s, "getChat", kv("authcode", jordan, "session", fmt.Sprint(ss.ID))); chat != "OK CHATLOG:" {
		t.Errorf("chat %q", chat)
	}
	// Only the next n PINs are abandoned.
	next := zoeSession(t, s, jordan)
	clk.Add(30 * time.Second)
	if got, _ := s.Session(next.ID); got.Abandoned || got.Status != StatusClosedByTechnician {
		t.Errorf("the PIN after: %+v", got)
	}
}

func TestAbandonedPINsWithManualPace(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1, PINValidity: 5 * time.Minute})
	code := signIn(t, s, "jordan")
	s.AbandonNext(2)
	first := zoeSession(t, s, code)
	clk.Add(time.Second)
	second := zoeSession(t, s, code)
	// The PIN expires by the clock even when sessions move only by hand.
	clk.Add(5*time.Minute - time.Second)
	if got, _ := s.Session(first.ID); got.Status != StatusTimedOut || !got.Closed.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("first: %s at %v", got.Status, got.Closed)
	}
	if got, _ := s.Session(second.ID); got.Stage != StageConnecting {
		t.Errorf("second: %v", got.Stage)
	}
	// Advance lets the PIN run out at once.
	mustAdvance(t, s, second.ID, 1)
	if got, _ := s.Session(second.ID); got.Status != StatusTimedOut || !got.Closed.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("second after Advance: %s at %v", got.Status, got.Closed)
	}
	// AbandonNext replaces the pending count, and zero cancels it.
	s.AbandonNext(3)
	s.AbandonNext(0)
	clk.Add(time.Second)
	if third := zoeSession(t, s, code); third.Abandoned {
		t.Error("AbandonNext(0) did not cancel")
	}
}

func TestTransferOfAnActiveSession(t *testing.T) {
	s, clk := newServer(t, Options{})
	jordan, camille := signIn(t, s, "jordan"), signIn(t, s, "camille")
	ss := zoeSession(t, s, jordan)
	clk.Add(25 * time.Second) // picked up by jordan at +20 s
	if err := s.Transfer(ss.ID, "camille", "Needs level 2 | printer"); err != nil {
		t.Fatal(err)
	}
	const comment = "Needs level 2 | printer"
	transferredEN := func(waited int) string {
		return nodeRow(ss.ID, "Transferred", jordanNode, jordanName, waited, camilleName, comment, "no")
	}
	transferredFR := func(waited int) string {
		return nodeRow(ss.ID, "Transférée", jordanNode, jordanName, waited, camilleName, comment, "non")
	}
	camilleRow := func(en, fr string, waited int) (string, string) {
		return nodeRow(ss.ID, en, camilleNode, camilleName, waited, "", "", "yes"),
			nodeRow(ss.ID, fr, camilleNode, camilleName, waited, "", "", "oui")
	}
	steps := []struct {
		after          time.Duration
		jordanListed   bool
		enStatus       string
		frStatus       string
		waited         int
		camilleListed  bool
		jordanBusy     bool
		camilleBusy    bool
		transferWaited int
	}{
		{0, true, "Waiting", "En attente", 0, true, false, false, 0},
		{10 * time.Second, true, "Active", "Active", 0, true, false, true, 10},
		{10 * time.Second, true, "Closed by technician", "Fermée par le technicien", 0, true, false, false, 20},
		{20*time.Minute - 21*time.Second, true, "Closed by technician", "Fermée par le technicien", 1179, true, false, false, 1199},
		{time.Second, false, "Closed by technician", "Fermée par le technicien", 1180, true, false, false, 0},
		{20 * time.Second, false, "", "", 0, false, false, false, 0},
	}
	for i, st := range steps {
		clk.Add(st.after)
		wantJordanEN, wantJordanFR := sessionTable(), sessionTable()
		if st.jordanListed {
			wantJordanEN, wantJordanFR = sessionTable(transferredEN(st.transferWaited)), sessionTable(transferredFR(st.transferWaited))
		}
		wantCamilleEN, wantCamilleFR := sessionTable(), sessionTable()
		if st.camilleListed {
			en, fr := camilleRow(st.enStatus, st.frStatus, st.waited)
			wantCamilleEN, wantCamilleFR = sessionTable(en), sessionTable(fr)
		}
		for _, c := range []struct{ code, node, want string }{
			{jordan, jordanNode, wantJordanEN},
			{camille, jordanNode, wantJordanFR},
			{jordan, camilleNode, wantCamilleEN},
			{camille, camilleNode, wantCamilleFR},
		} {
			if got := listNode(t, s, c.code, c.node); got != c.want {
				t.Errorf("step %d, node %s:\ngot  %q\nwant %q", i, c.node, got, c.want)
			}
		}
		if isBusy(t, s, jordan, jordanNode) != st.jordanBusy || isBusy(t, s, jordan, camilleNode) != st.camilleBusy {
			t.Errorf("step %d: presence", i)
		}
	}

	got, _ := s.Session(ss.ID)
	wantTransfer := Transfer{
		From: "jordan", To: "camille", At: t0.Add(25 * time.Second), Comment: comment,
		Status: StatusTransferred,
	}
	if got.TechKey != "camille" || got.TechNodeID != 4310021 || got.TransferredFrom != "jordan" ||
		got.TransferredTo != "camille" || len(got.Transfers) != 1 || got.Transfers[0] != wantTransfer ||
		got.Status != StatusClosedByTechnician || !got.Resolved || !got.PickedUp.Equal(t0.Add(35*time.Second)) ||
		!got.WaitingSince.Equal(t0.Add(10*time.Second)) {
		t.Errorf("snapshot %+v", got)
	}
	// What jordan said before the transfer stays; what follows is camille's, in French.
	var from []string
	for _, l := range got.Chat {
		from = append(from, strings.Fields(l.From)[0])
	}
	wantFrom := "Jordan Zoë Jordan Zoë Jordan Camille Zoë Camille Zoë Camille Zoë Camille"
	if strings.Join(from, " ") != wantFrom || !strings.HasPrefix(got.Chat[5].Text, "Bonjour Zoë, ici Camille") ||
		got.Chat[4].At.After(wantTransfer.At) || got.Chat[5].At.Before(t0.Add(35*time.Second)) {
		t.Errorf("chat by %q: %+v", from, got.Chat)
	}
	if !strings.HasPrefix(got.Note, "Contrôle à distance accordé") {
		t.Errorf("note %q", got.Note)
	}

	rows := reportRows(t, s, camille, camilleNode, "NODE")
	if len(rows) != 1 {
		t.Fatalf("%d report rows on the receiving node", len(rows))
	}
	checkFields(t, "report", rows[0], map[string]string{
		"Session ID": fmt.Sprint(ss.ID), "Technician Name": camilleName, "Technician ID": camilleNode,
		"Technician Email": "camille@contoso-helpdesk.example", "Status": "Fermée par le technicien",
		"Resolved Unresolved": "Résolue", "Connecting Time": "0:00:10", "Waiting Time": "0:00:10",
		"Active Time": "0:00:15", "Work Time": "0:00:15", "Hold Time": "0:00:00",
		"Time in Transfer": "0:00:10", "Total Time": "0:00:45", "End Time": "3/14/2025 9:30:45 AM",
	})
	if rows := reportRows(t, s, signIn(t, s, "priya"), jordanNode, "NODE"); len(rows) != 0 {
		t.Errorf("the handing technician's node reports %d rows", len(rows))
	}
}

func TestTransferOfAWaitingSessionToAClosedConsole(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	jordan := signIn(t, s, "jordan")
	ss := zoeSession(t, s, jordan)
	mustAdvance(t, s, ss.ID, 1)
	clk.Add(30 * time.Second)
	if err := s.Transfer(ss.ID, "priya", ""); err != nil {
		t.Fatal(err)
	}
	want := sessionTable(nodeRow(ss.ID, "Transferred", jordanNode, jordanName, 0, priyaName, "", "no"))
	if got := listNode(t, s, jordan, jordanNode); got != want {
		t.Errorf("handing node:\ngot  %q\nwant %q", got, want)
	}
	want = sessionTable(nodeRow(ss.ID, "Waiting", priyaNode, priyaName, 0, "", "", "yes"))
	if got := listNode(t, s, jordan, priyaNode); got != want {
		t.Errorf("receiving node:\ngot  %q\nwant %q", got, want)
	}
	if got, _ := s.Session(ss.ID); got.Transfers[0].Status != StatusTransferredWithoutPickup {
		t.Errorf("status on the handing node: %s", got.Transfers[0].Status)
	}
	if err := s.Advance(ss.ID); !errors.Is(err, ErrConsoleClosed) {
		t.Fatalf("pickup with priya's console closed: %v", err)
	}
	_ = s.SetConsole("priya", true)
	clk.Add(time.Minute)
	mustAdvance(t, s, ss.ID, 1)
	if !isBusy(t, s, jordan, priyaNode) || isBusy(t, s, jordan, jordanNode) {
		t.Error("presence after pickup")
	}
	clk.Add(2 * time.Minute)
	mustAdvance(t, s, ss.ID, 1)
	got, _ := s.Session(ss.ID)
	if got.Status != StatusClosedByTechnician || got.TechKey != "priya" || !got.Resolved {
		t.Fatalf("%+v", got)
	}
	for _, l := range got.Chat {
		if l.From == jordanName {
			t.Errorf("jordan never picked the session up, yet said %q", l.Text)
		}
	}
	rows := reportRows(t, s, jordan, "-2", "EXTERNALROOT")
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	checkFields(t, "report", rows[0], map[string]string{
		"Technician Name": priyaName, "Connecting Time": "0:00:00", "Waiting Time": "0:00:30",
		"Time in Transfer": "0:01:00", "Active Time": "0:02:00", "Total Time": "0:03:30",
	})
}

func TestTransferBackAndForth(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	jordan := signIn(t, s, "jordan")
	ss := zoeSession(t, s, jordan)
	mustAdvance(t, s, ss.ID, 2)
	if err := s.Transfer(ss.ID, "camille", "fr"); err != nil {
		t.Fatal(err)
	}
	clk.Add(5 * time.Second)
	mustAdvance(t, s, ss.ID, 1)
	clk.Add(5 * time.Second)
	if err := s.Transfer(ss.ID, "jordan", "back"); err != nil {
		t.Fatal(err)
	}
	want := sessionTable(
		nodeRow(ss.ID, "Transferred", jordanNode, jordanName, 10, camilleName, "fr", "no"),
		nodeRow(ss.ID, "Waiting", jordanNode, jordanName, 0, "", "", "yes"),
	)
	if got := listNode(t, s, jordan, jordanNode); got != want {
		t.Errorf("jordan's node:\ngot  %q\nwant %q", got, want)
	}
	want = sessionTable(nodeRow(ss.ID, "Transferred", camilleNode, camilleName, 0, jordanName, "back", "no"))
	if got := listNode(t, s, jordan, camilleNode); got != want {
		t.Errorf("camille's node:\ngot  %q\nwant %q", got, want)
	}
	got, _ := s.Session(ss.ID)
	if len(got.Transfers) != 2 || got.TransferredFrom != "camille" || got.TransferredTo != "jordan" {
		t.Errorf("%+v", got)
	}
}

func TestTransferRefusals(t *testing.T) {
	s, _ := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	ss := zoeSession(t, s, code)
	if err := s.Transfer(ss.ID, "camille", ""); !errors.Is(err, ErrWrongStage) {
		t.Errorf("connecting: %v", err)
	}
	mustAdvance(t, s, ss.ID, 1)
	for _, to := range []string{"jordan", "nobody", ""} {
		if err := s.Transfer(ss.ID, to, ""); err == nil {
			t.Errorf("to %q accepted", to)
		}
	}
	_ = s.SetUserState("camille", UserDisabled)
	if err := s.Transfer(ss.ID, "camille", ""); err == nil {
		t.Error("to a disabled technician accepted")
	}
	if err := s.Transfer(1, "priya", ""); !errors.Is(err, ErrNoSession) {
		t.Errorf("unknown session: %v", err)
	}
	_ = s.CloseSession(ss.ID, "")
	if err := s.Transfer(ss.ID, "priya", ""); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("closed: %v", err)
	}
	if got, _ := s.Session(ss.ID); got.TechKey != "jordan" || len(got.Transfers) != 0 {
		t.Errorf("a refused transfer changed the session: %+v", got)
	}
}

func TestHoldPausesTheSessionUntilThePaceClosesIt(t *testing.T) {
	s, clk := newServer(t, Options{})
	jordan, camille := signIn(t, s, "jordan"), signIn(t, s, "camille")
	ss := zoeSession(t, s, jordan)
	clk.Add(23 * time.Second) // picked up at +20 s; three chat lines said
	if err := s.Hold(ss.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Hold(ss.ID, true); err != nil {
		t.Fatalf("holding twice: %v", err)
	}
	clk.Add(4 * time.Second)
	for _, c := range []struct{ code, want string }{
		{jordan, nodeRow(ss.ID, "On Hold", jordanNode, jordanName, 4, "", "", "yes")},
		{camille, nodeRow(ss.ID, "En pause", jordanNode, jordanName, 4, "", "", "oui")},
	} {
		if got := listNode(t, s, c.code, jordanNode); got != sessionTable(c.want) {
			t.Errorf("on hold:\ngot  %q\nwant %q", got, sessionTable(c.want))
		}
	}
	got, _ := s.Session(ss.ID)
	if got.Stage != StageActive || got.Status != StatusOnHold || !got.HeldSince.Equal(t0.Add(23*time.Second)) ||
		len(got.Chat) != 3 || got.Note != "" || !isBusy(t, s, jordan, jordanNode) {
		t.Errorf("on hold: %+v", got)
	}
	clk.Add(time.Second)
	if err := s.Hold(ss.ID, false); err != nil {
		t.Fatal(err)
	}
	want := sessionTable(nodeRow(ss.ID, "Active", jordanNode, jordanName, 0, "", "", "yes"))
	if got := listNode(t, s, jordan, jordanNode); got != want {
		t.Errorf("taken back:\ngot  %q\nwant %q", got, want)
	}
	// The line due at +23.5 s comes 5 s later, at +28.5 s; the pace still closes the session at +30 s.
	clk.Add(400 * time.Millisecond)
	if got, _ := s.Session(ss.ID); len(got.Chat) != 3 {
		t.Errorf("%d lines at +28.4 s", len(got.Chat))
	}
	clk.Add(100 * time.Millisecond)
	if got, _ := s.Session(ss.ID); len(got.Chat) != 4 {
		t.Errorf("%d lines at +28.5 s", len(got.Chat))
	}
	clk.Add(1500 * time.Millisecond)
	got, _ = s.Session(ss.ID)
	if got.Status != StatusClosedByTechnician || !got.Closed.Equal(t0.Add(30*time.Second)) || len(got.Chat) != 5 ||
		!strings.HasPrefix(got.Note, "Remote control granted") || !got.HeldSince.IsZero() {
		t.Errorf("closed: %+v", got)
	}
	rows := reportRows(t, s, jordan, jordanNode, "NODE")
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	checkFields(t, "report", rows[0], map[string]string{
		"Active Time": "0:00:05", "Work Time": "0:00:05", "Hold Time": "0:00:05", "Total Time": "0:00:30",
		"Time in Transfer": "0:00:00",
	})
}

func TestAdvanceClosesFromHold(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	ss := zoeSession(t, s, code)
	mustAdvance(t, s, ss.ID, 2)
	clk.Add(10 * time.Second)
	if err := s.Hold(ss.ID, true); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour) // a manual pace never closes it by itself
	if got, _ := s.Session(ss.ID); got.Status != StatusOnHold {
		t.Fatalf("status %s", got.Status)
	}
	mustAdvance(t, s, ss.ID, 1)
	got, _ := s.Session(ss.ID)
	if got.Status != StatusClosedByTechnician || !got.Closed.Equal(t0.Add(time.Hour+10*time.Second)) {
		t.Fatalf("%+v", got)
	}
	// Nothing said after the hold began; the note being written is saved at the close.
	for _, l := range got.Chat {
		if l.At.After(t0.Add(10 * time.Second)) {
			t.Errorf("line after the hold: %+v", l)
		}
	}
	if len(got.Chat) == 0 || got.Note == "" {
		t.Errorf("chat %d lines, note %q", len(got.Chat), got.Note)
	}
}

func TestHoldRefusals(t *testing.T) {
	s, _ := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	ss := zoeSession(t, s, code)
	for i := 0; i < 2; i++ {
		if err := s.Hold(ss.ID, true); !errors.Is(err, ErrWrongStage) {
			t.Errorf("stage %d: %v", i, err)
		}
		mustAdvance(t, s, ss.ID, 1)
	}
	if err := s.Hold(ss.ID, false); err != nil {
		t.Errorf("taking back a session not on hold: %v", err)
	}
	if got, _ := s.Session(ss.ID); got.Status != StatusActive {
		t.Errorf("status %s", got.Status)
	}
	if err := s.Hold(1, true); !errors.Is(err, ErrNoSession) {
		t.Errorf("unknown: %v", err)
	}
	for _, st := range []string{"On Hold", "SESSION_ONHOLD", "Transferred", string(StatusTransferred)} {
		if err := s.CloseSession(ss.ID, st); err == nil {
			t.Errorf("closing as %q accepted", st)
		}
	}
	mustAdvance(t, s, ss.ID, 1)
	if err := s.Hold(ss.ID, true); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("closed: %v", err)
	}
}

func TestTransferEndsAHold(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	ss := zoeSession(t, s, code)
	mustAdvance(t, s, ss.ID, 2)
	clk.Add(10 * time.Second)
	_ = s.Hold(ss.ID, true)
	clk.Add(20 * time.Second)
	if err := s.Transfer(ss.ID, "priya", ""); err != nil {
		t.Fatal(err)
	}
	_ = s.SetConsole("priya", true)
	mustAdvance(t, s, ss.ID, 1)
	clk.Add(time.Minute)
	got, _ := s.Session(ss.ID)
	if got.Status != StatusActive || !got.HeldSince.IsZero() {
		t.Fatalf("%+v", got)
	}
	mustAdvance(t, s, ss.ID, 1)
	rows := reportRows(t, s, code, priyaNode, "NODE")
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	checkFields(t, "report", rows[0], map[string]string{
		"Active Time": "0:01:10", "Hold Time": "0:00:20", "Time in Transfer": "0:00:00", "Total Time": "0:01:30",
	})
}

func TestNoteWrittenBeforeATransferStaysUntilTheNextOne(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1}) // by hand, a conversation takes a minute
	code := signIn(t, s, "jordan")
	ss := zoeSession(t, s, code)
	mustAdvance(t, s, ss.ID, 2)
	clk.Add(40 * time.Second) // jordan's note is written at +36 s
	if err := s.Transfer(ss.ID, "camille", ""); err != nil {
		t.Fatal(err)
	}
	mustAdvance(t, s, ss.ID, 1)
	note := func() string {
		return get(t, s, "getNote", kv("authcode", code, "session", fmt.Sprint(ss.ID)))
	}
	if got := note(); !strings.HasPrefix(got, "OK NOTE:Remote control granted") {
		t.Errorf("before camille writes: %q", got)
	}
	clk.Add(36 * time.Second)
	if got := note(); !strings.HasPrefix(got, "OK NOTE:Contrôle à distance accordé") {
		t.Errorf("after camille writes: %q", got)
	}
}
