package rescue

import (
	"strings"
	"testing"
)

func TestRequestAuthCode(t *testing.T) {
	s, _ := newServer(t, Options{})
	if err := s.SetUserState("priya", UserDisabled); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		email, pw string
		want      string // "" means an authcode
	}{
		{"ok", "jordan@contoso-helpdesk.example", "sandbox-jordan", ""},
		{"e-mail ignores case", "Jordan@Contoso-Helpdesk.EXAMPLE", "sandbox-jordan", ""},
		{"wrong password", "jordan@contoso-helpdesk.example", "sandbox-camille", "INVALID"},
		{"password is case-sensitive", "jordan@contoso-helpdesk.example", "Sandbox-jordan", "INVALID"},
		{"unknown e-mail", "nobody@contoso-helpdesk.example", "sandbox-jordan", "INVALID"},
		{"missing", "", "", "INVALID"},
		{"disabled user", "priya@contoso-helpdesk.example", "sandbox-priya", "INVALID"},
	}
	for _, c := range cases {
		body := get(t, s, "requestAuthCode", kv("email", c.email, "pwd", c.pw))
		if c.want == "" && !authCodeReply.MatchString(body) || c.want != "" && body != c.want {
			t.Errorf("%s: %q", c.name, body)
		}
	}
	s.FailNext("requestauthcode", 1)
	if body := get(t, s, "requestAuthCode", kv("email", "jordan@contoso-helpdesk.example", "pwd", "sandbox-jordan")); body != "ERROR" {
		t.Errorf("fault: %q", body)
	}
	if body := get(t, s, "requestAuthCode", kv("email", "jordan@contoso-helpdesk.example", "pwd", "sandbox-jordan")); !authCodeReply.MatchString(body) {
		t.Errorf("after the fault: %q", body)
	}
}

func TestRequestAuthCodeSSO(t *testing.T) {
	s, _ := newServer(t, Options{})
	cases := []struct {
		name, ssoid, pwd, company string
		want                      string
	}{
		{"ok", "sso-camille", "sandbox-sso-master", "1482207", ""},
		{"company with spaces", "sso-camille", "sandbox-sso-master", " 1482207 ", ""},
		{"company not numeric", "sso-camille", "sandbox-sso-master", "contoso", "INVALIDPARAM_COMPANY"},
		{"company missing", "sso-camille", "sandbox-sso-master", "", "INVALIDPARAM_COMPANY"},
		{"other company", "sso-camille", "sandbox-sso-master", "1482208", "INVALID"},
		{"wrong master password", "sso-camille", "sandbox-camille", "1482207", "INVALID"},
		{"unknown SSO ID", "sso-nobody", "sandbox-sso-master", "1482207", "INVALID"},
	}
	for _, c := range cases {
		body := post(t, s, "requestAuthCodeSSO", kv("ssoid", c.ssoid, "pwd", c.pwd, "company", c.company))
		if c.want == "" && !authCodeReply.MatchString(body) || c.want != "" && body != c.want {
			t.Errorf("%s: %q", c.name, body)
		}
	}
}

func TestNewAuthCodeInvalidatesThePrevious(t *testing.T) {
	s, _ := newServer(t, Options{})
	first := signIn(t, s, "jordan")
	other := signIn(t, s, "camille")
	second := signIn(t, s, "jordan")
	if first == second {
		t.Fatal("the same authcode twice")
	}
	if body := get(t, s, "getAccount", kv("authcode", first)); body != "INVALID_SECRETAUTHCODE" {
		t.Errorf("old authcode: %q", body)
	}
	for _, code := range []string{second, other} {
		if body := get(t, s, "getAccount", kv("authcode", code)); body[:3] != "OK " {
			t.Errorf("live authcode: %q", body)
		}
	}
	m := authCodeReply.FindStringSubmatch(post(t, s, "requestAuthCodeSSO",
		kv("ssoid", "sso-jordan", "pwd", "sandbox-sso-master", "company", "1482207")))
	if m == nil {
		t.Fatal("SSO sign-in failed")
	}
	if body := get(t, s, "getAccount", kv("authcode", second)); body != "INVALID_SECRETAUTHCODE" {
		t.Errorf("an SSO authcode must invalidate the password one: %q", body)
	}
}

func TestGetAccount(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	want := "OK AccountID:1482207 Organization:Contoso Helpdesk AdminID:0 TechID:4310022 Email:jordan@contoso-helpdesk.example"
	if body := get(t, s, "getAccount", kv("authcode", code)); body != want {
		t.Errorf("got  %q\nwant %q", body, want)
	}
	if body := get(t, s, "getAccount", nil); body != "NOTLOGGEDIN" {
		t.Errorf("no authcode: %q", body)
	}
	if body := get(t, s, "getAccount", kv("authcode", "nope")); body != "INVALID_SECRETAUTHCODE" {
		t.Errorf("bad authcode: %q", body)
	}
	_ = s.SetUserState("jordan", UserNotTechnician)
	want = "OK AccountID:1482207 Organization:Contoso Helpdesk AdminID:0 TechID:0 Email:jordan@contoso-helpdesk.example"
	if body := get(t, s, "getAccount", kv("authcode", code)); body != want {
		t.Errorf("no technician seat: %q", body)
	}
	for _, st := range []UserState{UserDisabled, UserDeleted} {
		_ = s.SetUserState("jordan", st)
		if body := get(t, s, "getAccount", kv("authcode", code)); body != "USER_DELETED_OR_DISABLED" {
			t.Errorf("%v: %q", st, body)
		}
	}
}

func TestGetUserV3(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	camille := "OK NODEID: 4310021 NAME: Camille Lefèvre NICK: EMAIL: camille@contoso-helpdesk.example " +
		"SSOID: sso-camille DESCRIPTION: Support niveau 2 – Lyon TYPE: Technician HASMOBILEADDON: False " +
		"HASRPATADDON: True ISACCOUNTHOLDER: False STATUS: "
	priya := "OK NODEID: 4310023 NAME: Priya Natarajan NICK: EMAIL: priya@contoso-helpdesk.example " +
		"SSOID: sso-priya DESCRIPTION: Field support lead TYPE: Technician HASMOBILEADDON: False " +
		"HASRPATADDON: True ISACCOUNTHOLDER: False STATUS: Offline"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"by node", []string{"node", "4310021"}, camille + "Online"},
		{"console closed", []string{"node", "4310023"}, priya},
		{"by e-mail", []string{"email", "PRIYA@contoso-helpdesk.example"}, priya},
		{"node wins", []string{"node", "4310023", "email", "camille@contoso-helpdesk.example"}, priya},
		{"unknown node", []string{"node", "4310099"}, "INVALIDPARAM_NODE"},
		{"node not numeric", []string{"node", "camille"}, "INVALIDPARAM_NODE"},
		{"unknown e-mail", []string{"email", "x@y.example"}, "INVALIDPARAM_NODE"},
		{"neither", nil, "INVALIDPARAM_NODE"},
	}
	for _, c := range cases {
		if body := get(t, s, "getUser_v3", kv(append([]string{"authcode", code}, c.args...)...)); body != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, body, c.want)
		}
	}
	v1 := "OK NODEID: 4310023 NAME: Priya Natarajan NICK: EMAIL: priya@contoso-helpdesk.example " +
		"SSOID: sso-priya DESCRIPTION: Field support lead TYPE: Technician HASMOBILEADDON: False " +
		"ISACCOUNTHOLDER: False STATUS: Offline"
	if body := get(t, s, "getUser", kv("authcode", code, "node", "4310023")); body != v1 {
		t.Errorf("getUser v1: %q", body)
	}
	if body := get(t, s, "getUser_v3", kv("node", "4310021")); body != "NOTLOGGEDIN" {
		t.Errorf("no authcode: %q", body)
	}
}

func TestGetUserStatusFollowsTheConsole(t *testing.T) {
	s, _ := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "camille")
	observer := signIn(t, s, "jordan")
	status := func() string {
		t.Helper()
		body := get(t, s, "getUser_v3", kv("authcode", observer, "node", "4310021"))
		if i := strings.LastIndex(body, " STATUS: "); i >= 0 {
			return body[i+len(" STATUS: "):]
		}
		return body
	}
	if got := status(); got != "Online" {
		t.Fatalf("start: %q", got)
	}
	_ = s.SetAway("camille", true)
	if got := status(); got != "Away" {
		t.Errorf("away: %q", got)
	}
	pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", code)))
	ss, _ := s.SessionByPIN(pin)
	mustAdvance(t, s, ss.ID, 2)
	if got := status(); got != "Busy" {
		t.Errorf("busy: %q", got)
	}
	_ = s.SetConsole("camille", false)
	if got := status(); got != "Offline" {
		t.Errorf("offline: %q", got)
	}
	_ = s.SetUserState("camille", UserDisabled)
	if got := status(); got != "Disabled" {
		t.Errorf("disabled: %q", got)
	}
	_ = s.SetUserState("camille", UserDeleted)
	if got := status(); got != "INVALIDPARAM_NODE" {
		t.Errorf("deleted: %q", got)
	}
}

func TestAPITokenStandsInForAnAuthCodeAndOutlivesNewOnes(t *testing.T) {
	s, _ := newServer(t, Options{})
	token, err := s.IssueAPIToken("jordan")
	if err != nil {
		t.Fatal(err)
	}
	account := func(code string) string { return post(t, s, "getAccount", kv("authcode", code)) }
	if body := account(token); !strings.Contains(body, "Email:jordan@contoso-helpdesk.example") {
		t.Fatalf("getAccount with the token: %q", body)
	}
	get(t, s, "requestAuthCode", kv("email", "jordan@contoso-helpdesk.example", "pwd", "sandbox-jordan"))
	if body := account(token); !strings.HasPrefix(body, "OK ") {
		t.Fatalf("a new authcode revoked the token: %q", body)
	}
	second, _ := s.IssueAPIToken("jordan")
	if body := account(token); body != "INVALID_SECRETAUTHCODE" {
		t.Fatalf("the replaced token still works: %q", body)
	}
	if body := account(second); !strings.HasPrefix(body, "OK ") {
		t.Fatalf("the new token: %q", body)
	}
	if _, err := s.IssueAPIToken("nobody"); err == nil {
		t.Fatal("a token for an unknown technician")
	}
}
