package rescue

import (
	"strconv"
	"testing"
	"time"

	fake "github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
)

func TestSessionReport(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	jordan := e.tech(t, "jordan")
	from := e.clk.Now()
	s := e.pin(t, code, PINRequest{
		CustomFields:   [6]string{"O'Brien & Sons Plumbing", "office@obrien-sons.example", "", "", "", "corr-9"},
		Tracking:       "CAS-01004-ABCDEF",
		RequireConsole: true,
	})
	advance(t, e, s.ID, 2)
	e.clk.Add(3 * time.Minute)
	if err := e.fake.CloseSession(s.ID, "technician"); err != nil {
		t.Fatal(err)
	}
	other := e.pin(t, code, PINRequest{RequireConsole: true}) // started after the window
	if err := e.fake.CloseSession(other.ID, "customer"); err != nil {
		t.Fatal(err)
	}
	fs, _ := e.fake.Session(s.ID)
	e.calls.reset()

	rows, err := e.client.SessionReport(ctx, code, jordan.RescueNodeID, from, fs.Started.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want the one session in the window", len(rows))
	}
	r := rows[0]
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("SessionID", r.SessionID, s.ID)
	check("TechnicianID", r.TechnicianID, jordan.RescueNodeID)
	check("TechnicianName", r.TechnicianName, "Jordan O'Neill")
	check("TechnicianEmail", r.TechnicianEmail, jordan.Email)
	check("Start", r.Start, fs.Started.Truncate(time.Second))
	check("End", r.End, fs.Closed.Truncate(time.Second))
	check("Status", r.Status, StatusClosedByTechnician)
	check("StatusText", r.StatusText, "Closed by technician")
	check("Resolved", r.Resolved, true)
	check("ResolvedText", r.ResolvedText, "Resolved")
	check("ToolsUsed", r.ToolsUsed, "Chat, Remote Control")
	check("Platform", r.Platform, fs.Platform)
	check("WaitingTime", r.WaitingTime, fs.PickedUp.Sub(fs.WaitingSince))
	check("ActiveTime", r.ActiveTime, fs.Closed.Sub(fs.PickedUp))
	check("TotalTime", r.TotalTime, fs.Closed.Sub(fs.Started))
	check("TrackingID", r.TrackingID, "CAS-01004-ABCDEF")
	check("Name", r.Name(), "O'Brien & Sons Plumbing")
	check("CustomFields", r.CustomFields, fs.CustomFields)
	check("CustomFieldLabels", r.CustomFieldLabels,
		[6]string{"Customer name:", "E-mail:", "Problem description:", "Phone:", "Company:", "Reference:"})
	check("Columns[Host Name]", r.Columns["Host Name"] != "", true)
	check("Columns[Customer name:]", r.Columns["Customer name:"], "O'Brien & Sons Plumbing")

	// The sequence, in order, with its parameters.
	wantSteps := []struct {
		method string
		params map[string]string
	}{
		{"setReportArea", map[string]string{"area": "0"}},
		{"setReportDate_v2", map[string]string{
			"bdate": "3/14/2025 9:30:00",
			"edate": "3/14/2025 9:30:03", // the session started at 9:30:02, the window ends a second later
		}},
		{"setTimezone", map[string]string{"timezone": "0"}},
		{"setOutput", map[string]string{"output": "XML"}},
		{"getReport_v2", map[string]string{"node": strconv.Itoa(jordan.RescueNodeID), "nodetype": "NODE"}},
	}
	calls := e.calls.all()
	if len(calls) != len(wantSteps) {
		t.Fatalf("calls %v", e.calls.methods())
	}
	for i, w := range wantSteps {
		c := calls[i]
		form := c.Form()
		if c.Method != w.method || form.Get("authcode") != code || c.RawQuery != "" {
			t.Errorf("step %d: %s %q", i, c.Method, c.RawQuery)
		}
		for k, v := range w.params {
			if form.Get(k) != v {
				t.Errorf("%s: %s=%q, want %q", w.method, k, form.Get(k), v)
			}
		}
	}

	// One report a minute.
	_, err = e.client.SessionReport(ctx, code, jordan.RescueNodeID, from, e.clk.Now())
	wantCode(t, err, CodePollRateExceeded)
	e.clk.Add(time.Minute)
	rows, err = e.client.SessionReport(ctx, code, jordan.RescueNodeID, from, e.clk.Now())
	if err != nil || len(rows) != 2 || rows[1].SessionID != other.ID || rows[1].Status != StatusClosedByWaitingCustomer && rows[1].Status != StatusClosedByCustomer {
		t.Fatalf("wider window: %+v, %v", rows, err)
	}
	if rows[1].Resolved {
		t.Error("a session closed by the customer is not resolved")
	}
}

func TestSessionReportInFrenchWithHistory(t *testing.T) {
	e := newEnv(t, fake.Options{}, Options{})
	code := e.signIn(t, "camille")
	camille := e.tech(t, "camille")
	var want []fake.Session
	for _, s := range e.fake.Sessions() {
		if s.TechKey == "camille" {
			want = append(want, s)
		}
	}
	rows, err := e.client.SessionReport(ctx, code, camille.RescueNodeID, t0.Add(-8*24*time.Hour), t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) || len(rows) == 0 {
		t.Fatalf("%d rows, the fake has %d sessions of camille", len(rows), len(want))
	}
	for i, r := range rows {
		w := want[i]
		if r.SessionID != w.ID || r.TrackingID != w.Tracking0 || r.Resolved != w.Resolved || !r.Status.Closed() {
			t.Errorf("row %d: %+v\nwant %+v", i, r, w)
		}
		if r.Status == StatusUnknown || (r.ResolvedText != "Résolue" && r.ResolvedText != "Non résolue") {
			t.Errorf("row %d: French texts %q %q not read", i, r.StatusText, r.ResolvedText)
		}
	}
}

func TestSessionReportRefusesAnEmptyWindow(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	for _, w := range [][2]time.Time{{t0, t0}, {t0, t0.Add(-time.Second)}, {t0, t0.Add(400 * 24 * time.Hour)}} {
		if _, err := e.client.SessionReport(ctx, "code", 1, w[0], w[1]); err == nil {
			t.Errorf("window %v accepted", w)
		}
	}
	if n := len(e.calls.all()); n != 0 {
		t.Fatalf("%d calls for an invalid window", n)
	}
}

func TestSessionReportStopsAtTheFirstRefusedStep(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	e.calls.reset()
	e.fake.FailNext("setTimezone", 1)
	_, err := e.client.SessionReport(ctx, code, e.tech(t, "jordan").RescueNodeID, t0.Add(-time.Hour), t0)
	wantCode(t, err, CodeError)
	got := e.calls.methods()
	if len(got) != 3 || got[2] != "setTimezone" {
		t.Fatalf("calls %v", got)
	}
	node := e.tech(t, "jordan").RescueNodeID
	_, err = e.client.SessionReport(ctx, code, 99, t0.Add(-time.Hour), t0)
	wantCode(t, err, CodeInvalidParamNode)
	// The service's dates start in 1753: its INVALIDFORMAT comes back as it is.
	old := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = e.client.SessionReport(ctx, code, node, old, old.Add(time.Hour))
	wantCode(t, err, CodeInvalidFormat)
	testAuthErrors(t, e, "jordan", code, func(code string) error {
		e.clk.Add(time.Minute) // past the report rate limit
		_, err := e.client.SessionReport(ctx, code, node, t0.Add(-time.Hour), t0)
		return err
	})
}
