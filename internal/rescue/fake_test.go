package rescue

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	fake "github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
)

var ctx = context.Background()

func TestRequestAuthCode(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	jordan := e.tech(t, "jordan")
	code, err := e.client.RequestAuthCode(ctx, jordan.Email, jordan.Password)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 40 {
		t.Fatalf("authcode %d characters, want the fake's 40", len(code))
	}
	if _, err := e.client.Account(ctx, code); err != nil {
		t.Fatalf("the authcode does not work: %v", err)
	}

	_, err = e.client.RequestAuthCode(ctx, jordan.Email, "wrong")
	if wantCode(t, err, CodeInvalid).NeedsSignIn() {
		t.Error("INVALID is a wrong password, not a lost authcode")
	}
	if err := e.fake.SetUserState("jordan", fake.UserDisabled); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.RequestAuthCode(ctx, jordan.Email, jordan.Password)
	wantCode(t, err, CodeInvalid)

	e.fake.FailNext("requestAuthCode", 1)
	_, err = e.client.RequestAuthCode(ctx, "camille@contoso-helpdesk.example", "sandbox-camille")
	wantCode(t, err, CodeError)
	if n := countMethod(e.calls.methods(), "requestAuthCode"); n != 4 {
		t.Fatalf("%d requestAuthCode calls, want 4: ERROR is not retried", n)
	}
}

func TestRequestAuthCodeSSO(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	org := e.world.Org
	company := strconv.Itoa(org.RescueCompanyID)
	code, err := e.client.RequestAuthCodeSSO(ctx, "sso-camille", org.SSOPassword, company)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := e.client.Account(ctx, code)
	if err != nil || acct.TechID != e.tech(t, "camille").RescueNodeID {
		t.Fatalf("account %+v, %v", acct, err)
	}
	for _, tc := range []struct {
		name, sso, pwd, company string
		want                    Code
	}{
		{"company not a number", "sso-camille", org.SSOPassword, "ACME", CodeInvalidParamCompany},
		{"wrong master password", "sso-camille", "nope", company, CodeInvalid},
		{"unknown SSO ID", "sso-nobody", org.SSOPassword, company, CodeInvalid},
		{"other company", "sso-camille", org.SSOPassword, "42", CodeInvalid},
		{"unspecified error", "sso-camille", org.SSOPassword, company, CodeError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == CodeError {
				e.fake.FailNext("requestAuthCodeSSO", 1)
			}
			_, err := e.client.RequestAuthCodeSSO(ctx, tc.sso, tc.pwd, tc.company)
			wantCode(t, err, tc.want)
		})
	}
}

func TestAccount(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	jordan := e.tech(t, "jordan")
	acct, err := e.client.Account(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	want := Account{
		AccountID: e.world.Org.RescueCompanyID, Organization: "Contoso Helpdesk",
		AdminID: 0, TechID: jordan.RescueNodeID, Email: jordan.Email,
	}
	if acct != want {
		t.Fatalf("got %+v\nwant %+v", acct, want)
	}

	if err := e.fake.SetUserState("jordan", fake.UserNotTechnician); err != nil {
		t.Fatal(err)
	}
	if acct, err := e.client.Account(ctx, code); err != nil || acct.TechID != 0 {
		t.Fatalf("without a seat: %+v, %v", acct, err)
	}
	testAuthErrors(t, e, "jordan", code, func(code string) error {
		_, err := e.client.Account(ctx, code)
		return err
	})
}

// testAuthErrors checks the answers every authenticated read method shares: a missing, wrong,
// disabled or deleted authcode, and the service's unspecified error. It leaves the user active.
func testAuthErrors(t *testing.T, e *env, key, code string, do func(code string) error) {
	t.Helper()
	for _, tc := range []struct {
		name      string
		code      string
		state     fake.UserState
		want      Code
		needsSign bool
	}{
		{"no authcode", "", fake.UserActive, CodeNotLoggedIn, true},
		{"wrong authcode", "0123456789abcdef", fake.UserActive, CodeInvalidSecretAuthCode, true},
		{"disabled", code, fake.UserDisabled, CodeUserDeletedOrDisabled, true},
		{"deleted", code, fake.UserDeleted, CodeUserDeletedOrDisabled, true},
	} {
		if err := e.fake.SetUserState(key, tc.state); err != nil {
			t.Fatal(err)
		}
		err := do(tc.code)
		if got := wantCode(t, err, tc.want); got.NeedsSignIn() != tc.needsSign {
			t.Errorf("%s: NeedsSignIn %v", tc.name, got.NeedsSignIn())
		}
		if MayHaveReached(err) {
			t.Errorf("%s: a business answer may not have reached", tc.name)
		}
	}
	if err := e.fake.SetUserState(key, fake.UserActive); err != nil {
		t.Fatal(err)
	}
	e.calls.reset()
	e.fake.FailNext("", 1)
	if wantCode(t, do(code), CodeError).NeedsSignIn() {
		t.Error("ERROR does not need a sign-in")
	}
	if n := len(e.calls.all()); n != 1 {
		t.Errorf("%d calls after ERROR, want 1: a business error is not retried", n)
	}
	if err := do(code); err != nil {
		t.Fatalf("after the failure: %v", err)
	}
}

func TestUser(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	camille := e.tech(t, "camille")
	u, err := e.client.User(ctx, code, camille.RescueNodeID)
	if err != nil {
		t.Fatal(err)
	}
	want := User{
		NodeID: camille.RescueNodeID, Name: "Camille Lefèvre", Email: camille.Email, SSOID: "sso-camille",
		Description: "Support niveau 2 – Lyon", Type: "Technician", Status: PresenceOnline, StatusText: "Online",
	}
	if u != want {
		t.Fatalf("got %+v\nwant %+v", u, want)
	}

	steps := []struct {
		name string
		set  func() error
		want Presence
	}{
		{"away", func() error { return e.fake.SetAway("camille", true) }, PresenceAway},
		{"console closed", func() error { return e.fake.SetConsole("camille", false) }, PresenceOffline},
		{"console open, back", func() error {
			_ = e.fake.SetAway("camille", false)
			return e.fake.SetConsole("camille", true)
		}, PresenceOnline},
		{"disabled", func() error { return e.fake.SetUserState("camille", fake.UserDisabled) }, PresenceDisabled},
	}
	for _, s := range steps {
		if err := s.set(); err != nil {
			t.Fatal(err)
		}
		u, err := e.client.User(ctx, code, camille.RescueNodeID)
		if err != nil || u.Status != s.want {
			t.Fatalf("%s: %q (%v), want %q", s.name, u.Status, err, s.want)
		}
	}

	_, err = e.client.User(ctx, code, 999)
	wantCode(t, err, CodeInvalidParamNode)
	testAuthErrors(t, e, "jordan", code, func(code string) error {
		_, err := e.client.User(ctx, code, camille.RescueNodeID)
		return err
	})
}

func TestUserIsBusyDuringASession(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	s := e.pin(t, code, PINRequest{RequireConsole: true})
	advance(t, e, s.ID, 2)
	u, err := e.client.User(ctx, code, s.TechNodeID)
	if err != nil || u.Status != PresenceBusy {
		t.Fatalf("%+v, %v", u, err)
	}
}

func advance(t *testing.T, e *env, id, n int) {
	t.Helper()
	for range n {
		e.clk.Add(5 * time.Second)
		if err := e.fake.Advance(id); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRequestPINCode(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	req := PINRequest{
		CustomFields:   [6]string{"Hélène O'Brien & fils", "helene@example.com", "", "", "", "corr-1234"},
		Tracking:       "CAS-01003-K8Q2R7",
		RequireConsole: true,
	}
	pin, err := e.client.RequestPINCode(ctx, code, req)
	if err != nil {
		t.Fatal(err)
	}
	// The fake's first PIN is below 100000: the leading zero must survive.
	if len(pin) != 6 || pin[0] != '0' || !allDigits(pin) {
		t.Fatalf("PIN %q, want six digits with a leading zero", pin)
	}
	s, ok := e.fake.SessionByPIN(pin)
	if !ok {
		t.Fatal("no session for the PIN")
	}
	if s.CustomFields != req.CustomFields || s.Tracking0 != req.Tracking {
		t.Fatalf("the fake stored %q / %q", s.CustomFields, s.Tracking0)
	}
	if got := e.client.JoinURL(pin); got != e.srv.URL+"/R?i=2&Code="+pin {
		t.Fatalf("join URL %q", got)
	}
}

func TestRequestPINCodeFieldsAreCutAsTheServiceWould(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	long := strings.Repeat("é", 300) + "👍"
	req := PINRequest{Tracking: strings.Repeat("x", 63) + "👍"}
	for i := range req.CustomFields {
		req.CustomFields[i] = long
	}
	s := e.pin(t, code, req)
	for i, v := range s.CustomFields {
		if want := Truncate(long, CustomFieldLimits[i]); v != want {
			t.Errorf("cfield%d: the fake kept %d units, the client sent %d", i, FieldLen(v), FieldLen(want))
		}
	}
	if s.Tracking0 != strings.Repeat("x", 63) {
		t.Errorf("tracking0 %q", s.Tracking0)
	}
	body := e.calls.all()[len(e.calls.all())-1].Form()
	for i, limit := range CustomFieldLimits {
		if n := FieldLen(body.Get("cfield" + strconv.Itoa(i))); n > limit {
			t.Errorf("cfield%d sent with %d units, over %d", i, n, limit)
		}
	}
}

func TestRequestPINCodeErrors(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	priya := e.signIn(t, "priya") // her console is closed when the sandbox starts
	jordan := e.signIn(t, "jordan")

	e.clk.Add(2 * time.Second)
	_, err := e.client.RequestPINCode(ctx, priya, PINRequest{RequireConsole: true})
	wantCode(t, err, CodeNoTechConsoleRunning)
	e.clk.Add(2 * time.Second)
	if _, err := e.client.RequestPINCode(ctx, priya, PINRequest{RequireConsole: false}); err != nil {
		t.Fatalf("without the console requirement: %v", err)
	}

	// Two PINs within a second.
	_, err = e.client.RequestPINCode(ctx, priya, PINRequest{})
	wantCode(t, err, CodePollRateExceeded)

	e.fake.SetPINsLeft(0)
	e.clk.Add(2 * time.Second)
	_, err = e.client.RequestPINCode(ctx, jordan, PINRequest{RequireConsole: true})
	wantCode(t, err, CodeOutOfPINCodes)
	e.fake.SetPINsLeft(-1)

	for _, tc := range []struct {
		state     fake.UserState
		want      Code
		needsSign bool
	}{
		{fake.UserNotTechnician, CodeNotTechnician, false},
		{fake.UserDeleted, CodeUserIsDeleted, true},
		{fake.UserDisabled, CodeUserDeletedOrDisabled, true},
	} {
		if err := e.fake.SetUserState("jordan", tc.state); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(2 * time.Second)
		_, err := e.client.RequestPINCode(ctx, jordan, PINRequest{})
		if wantCode(t, err, tc.want).NeedsSignIn() != tc.needsSign {
			t.Errorf("%s: NeedsSignIn wrong", tc.want)
		}
	}
	_ = e.fake.SetUserState("jordan", fake.UserActive)

	_, err = e.client.RequestPINCode(ctx, "", PINRequest{})
	wantCode(t, err, CodeNotLoggedIn)
	_, err = e.client.RequestPINCode(ctx, "not-a-code", PINRequest{})
	wantCode(t, err, CodeInvalidSecretAuthCode)

	e.calls.reset()
	e.fake.FailNext("requestPINCode", 1)
	e.clk.Add(2 * time.Second)
	_, err = e.client.RequestPINCode(ctx, jordan, PINRequest{})
	wantCode(t, err, CodeError)
	if MayHaveReached(err) || len(e.calls.all()) != 1 {
		t.Fatalf("ERROR: MayHaveReached %v after %d calls", MayHaveReached(err), len(e.calls.all()))
	}
}

func TestSessionsFollowALifeCycle(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "jordan")
	jordan := e.tech(t, "jordan")
	fs := e.pin(t, code, PINRequest{
		CustomFields:   [6]string{"Fabrikam, Inc.", "helpdesk@fabrikam.example", "", "corr-77"},
		RequireConsole: true,
	})

	list, err := e.client.Sessions(ctx, code, jordan.RescueNodeID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d sessions", len(list))
	}
	want := Session{
		ID: fs.ID, Status: StatusConnecting, StatusText: "Connecting", TechnicianID: jordan.RescueNodeID,
		Technician: "Jordan O'Neill", Start: fs.Started.Truncate(time.Minute), WaitingSeconds: 0,
		CustomFields: [6]string{"Fabrikam, Inc.", "helpdesk@fabrikam.example", "", "corr-77"},
		Language:     "en", IsLead: true,
	}
	if list[0] != want {
		t.Fatalf("got  %+v\nwant %+v", list[0], want)
	}

	for _, step := range []struct {
		move func() error
		want SessionStatus
		text string
	}{
		{func() error { return e.fake.Advance(fs.ID) }, StatusWaiting, "Waiting"},
		{func() error { return e.fake.Advance(fs.ID) }, StatusActive, "Active"},
		{func() error { return e.fake.CloseSession(fs.ID, "customer") }, StatusClosedByActiveCustomer, "Closed by active customer"},
	} {
		e.clk.Add(7 * time.Second)
		if err := step.move(); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(3 * time.Second)
		list, err := e.client.Sessions(ctx, code, jordan.RescueNodeID)
		if err != nil {
			t.Fatal(err)
		}
		got := list[0]
		if got.Status != step.want || got.StatusText != step.text || got.WaitingSeconds != 3 {
			t.Fatalf("got %q %q waiting %d, want %q", got.Status, got.StatusText, got.WaitingSeconds, step.want)
		}
		if got.Status.Closed() != (step.want == StatusClosedByActiveCustomer) {
			t.Fatalf("%s: Closed() %v", got.Status, got.Status.Closed())
		}
	}

	_, err = e.client.Sessions(ctx, code, 12345)
	wantCode(t, err, CodeInvalidParamNode)
	testAuthErrors(t, e, "jordan", code, func(code string) error {
		_, err := e.client.Sessions(ctx, code, jordan.RescueNodeID)
		return err
	})
	for _, c := range e.calls.all() {
		if c.Method == "getSession_v3" && c.Form().Get("noderef") != "NODE" {
			t.Fatalf("noderef %q", c.Form().Get("noderef"))
		}
	}
}

func TestSessionsInFrench(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "camille")
	camille := e.tech(t, "camille")
	var ids []int
	for range 4 {
		ids = append(ids, e.pin(t, code, PINRequest{RequireConsole: true}).ID)
	}
	advance(t, e, ids[1], 1)
	advance(t, e, ids[2], 3)
	if err := e.fake.CloseSession(ids[3], "timeout"); err != nil {
		t.Fatal(err)
	}
	list, err := e.client.Sessions(ctx, code, camille.RescueNodeID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][2]string{
		ids[0]: {string(StatusConnecting), "Connexion en cours"},
		ids[1]: {string(StatusWaiting), "En attente"},
		ids[2]: {string(StatusClosedByTechnician), "Fermée par le technicien"},
		ids[3]: {string(StatusTimedOut), "Expirée"},
	}
	for _, s := range list {
		if w := want[s.ID]; string(s.Status) != w[0] || s.StatusText != w[1] || !s.IsLead || s.Language != "fr" {
			t.Errorf("session %d: %q %q lead %v %q, want %q", s.ID, s.Status, s.StatusText, s.IsLead, s.Language, w)
		}
		delete(want, s.ID)
	}
	if len(want) != 0 {
		t.Fatalf("missing sessions %v", want)
	}
}

func TestNoteAndChat(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	code := e.signIn(t, "camille")
	s := e.pin(t, code, PINRequest{CustomFields: [6]string{"Hélène Côté"}, RequireConsole: true})
	advance(t, e, s.ID, 2) // active: the conversation is scheduled over the next minute

	note, err := e.client.Note(ctx, code, s.ID)
	if err != nil || note != "" {
		t.Fatalf("note before it is written: %q, %v", note, err)
	}
	e.clk.Add(2 * time.Minute)
	note, err = e.client.Note(ctx, code, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantNote := "Contrôle à distance accordé par le client.\nIdentifiants en cache effacés et application relancée ; le client confirme que c'est réglé."
	if note != wantNote {
		t.Fatalf("note %q", note)
	}

	chat, err := e.client.Chat(ctx, code, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := e.fake.Session(s.ID)
	if len(chat) != len(fs.Chat) || len(chat) == 0 {
		t.Fatalf("%d chat lines, the fake has %d", len(chat), len(fs.Chat))
	}
	for i, l := range chat {
		f := fs.Chat[i]
		want := ChatLine{At: f.At.UTC().Format("3:04:05 PM"), Name: f.From, Text: f.Text}
		if l != want {
			t.Errorf("line %d: %+v, want %+v", i, l, want)
		}
	}
	if chat[0].Name != "Camille Lefèvre" || !strings.HasPrefix(chat[0].Text, "Bonjour Hélène") {
		t.Errorf("first line %+v", chat[0])
	}

	_, err = e.client.Note(ctx, code, 1)
	wantCode(t, err, CodeInvalidParamSession)
	_, err = e.client.Chat(ctx, code, 1)
	wantCode(t, err, CodeError)
	testAuthErrors(t, e, "camille", code, func(code string) error {
		_, err := e.client.Note(ctx, code, s.ID)
		return err
	})
	testAuthErrors(t, e, "camille", code, func(code string) error {
		_, err := e.client.Chat(ctx, code, s.ID)
		return err
	})
}

func countMethod(methods []string, name string) int {
	n := 0
	for _, m := range methods {
		if m == name {
			n++
		}
	}
	return n
}
