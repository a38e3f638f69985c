package rescue

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		body, payload string
		code          Code // empty: OK
	}{
		{"OK PINCODE:012345", "PINCODE:012345", ""},
		{"OK\n\nID|Status|\n", "ID|Status|\n", ""},
		{"OK\r\n\r\nID|Status|\r\n", "ID|Status|\r\n", ""},
		{"\uFEFFOK AUTHCODE: abc", "AUTHCODE: abc", ""},
		{"OK", "", ""},
		{"NOTECHCONSOLERUNNING", "", CodeNoTechConsoleRunning},
		{"INVALID_SECRETAUTHCODE\r\n", "", CodeInvalidSecretAuthCode},
		{"  POLLRATEEXCEEDED extra words", "", CodePollRateExceeded},
	} {
		payload, err := parseReply("m", tc.body)
		if tc.code == "" {
			if err != nil || payload != tc.payload {
				t.Errorf("%q: payload %q, %v", tc.body, payload, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Method != "m" {
			t.Errorf("%q: %v", tc.body, err)
		}
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Method: "requestPINCode", Code: CodeNoTechConsoleRunning}
	if got := e.Error(); got != "rescue: requestPINCode: NOTECHCONSOLERUNNING (the Technician Console is not running)" {
		t.Fatalf("%q", got)
	}
	for _, c := range []Code{CodeInvalidSecretAuthCode, CodeUserDeletedOrDisabled, CodeUserIsDeleted, CodeNotLoggedIn} {
		if !(&Error{Code: c}).NeedsSignIn() {
			t.Errorf("%s needs a sign-in", c)
		}
	}
	for _, c := range []Code{
		CodeError, CodeInvalid, CodeNotTechnician, CodeNoTechConsoleRunning, CodeOutOfPINCodes,
		CodePollRateExceeded, CodeInvalidParamCompany, CodeInvalidParamNode, CodeInvalidParamSession,
		CodeInvalidFormat, CodeInvalidDateRange, CodeLimitReached, "SOMETHING_NEW",
	} {
		if (&Error{Code: c}).NeedsSignIn() {
			t.Errorf("%s does not need a sign-in", c)
		}
	}
	he := &HTTPError{Method: "getReport_v2", Status: 429, RetryAfter: 15 * time.Second}
	if got := he.Error(); got != "rescue: getReport_v2: HTTP 429 Too Many Requests (retry after 15s)" {
		t.Fatalf("%q", got)
	}
}

func TestParsePINAndAuthCode(t *testing.T) {
	for payload, want := range map[string]string{
		"PINCODE:012345": "012345", "PINCODE:12345": "012345", "PINCODE: 7": "000007",
		"pincode:654321\r\n": "654321", "PINCODE:123456 SMS_RESULT: sendInvitationForMobileSession_OK": "123456",
	} {
		if got, err := parsePIN(payload); err != nil || got != want {
			t.Errorf("%q: %q, %v", payload, got, err)
		}
	}
	for payload, want := range map[string]string{
		"AUTHCODE: 4ahx99abcu0": "4ahx99abcu0", "AUTHCODE:4ahx99abcu0\r\n": "4ahx99abcu0",
	} {
		if got, err := parseAuthCode("m", payload); err != nil || got != want {
			t.Errorf("%q: %q, %v", payload, got, err)
		}
	}
	if _, err := parseAuthCode("m", "AUTHCODE: é"); !errors.Is(err, ErrMalformed) {
		t.Errorf("non-ASCII authcode: %v", err)
	}
}

func TestParseAccount(t *testing.T) {
	got, err := parseAccount("AccountID:560961 Organization:Company AdminID:337365 TechID:337366 Email:jo@example.com")
	want := Account{AccountID: 560961, Organization: "Company", AdminID: 337365, TechID: 337366, Email: "jo@example.com"}
	if err != nil || got != want {
		t.Fatalf("%+v, %v", got, err)
	}
	got, err = parseAccount("AccountID:1 Organization:L'Étoile d'Or Lyon AdminID: TechID:0 Email:")
	want = Account{AccountID: 1, Organization: "L'Étoile d'Or Lyon"}
	if err != nil || got != want {
		t.Fatalf("%+v, %v", got, err)
	}
}

func TestParseUser(t *testing.T) {
	for _, tc := range []struct {
		payload string
		want    User
	}{
		{
			// The API guide's sample (D11).
			"NODEID: 337366 NAME: John Doe NICK: EMAIL: jd@example.com SSOID: DESCRIPTION: TYPE: Technician " +
				"HASMOBILEADDON: False HASRPATADDON: True ISACCOUNTHOLDER: True STATUS: Online",
			User{
				NodeID: 337366, Name: "John Doe", Email: "jd@example.com", Type: "Technician",
				Status: PresenceOnline, StatusText: "Online",
			},
		},
		{
			// A description holding a colon and a later label's name: only the first label counts.
			"NODEID: 5 NAME: A NICK: ace EMAIL: a@x.example SSOID: sso-a DESCRIPTION: Note: level 2, NAME: B TYPE: Technician " +
				"HASMOBILEADDON: False ISACCOUNTHOLDER: False STATUS: Lunch break",
			User{
				NodeID: 5, Name: "A", Nick: "ace", Email: "a@x.example", SSOID: "sso-a",
				Description: "Note: level 2, NAME: B", Type: "Technician", Status: PresenceUnknown, StatusText: "Lunch break",
			},
		},
		{
			"NODEID: 6 NAME: B STATUS: busy",
			User{NodeID: 6, Name: "B", Status: PresenceBusy, StatusText: "busy"},
		},
	} {
		got, err := parseUser(tc.payload)
		if err != nil || got != tc.want {
			t.Errorf("%q:\n got %+v, %v\nwant %+v", tc.payload, got, err, tc.want)
		}
	}
}

// c8Sample is the live getSession_v3 output quoted in rescue-api.md §5.1 (C8), with all its columns.
const c8Sample = "OK\n\nID|Status|Entry ID|Entry|Technician ID|Technician|Start Time|Waiting Time|Custom Field 0|" +
	"Custom Field 1|Custom Field 2|Custom Field 3|Custom Field 4|Custom Field 5|Language|Transferred To|" +
	"Transferred Comment|Is Lead Technician|HandingOff|\n" +
	"1072770019|Encerrado pelo cliente ativo|1927940688|Canal Suporte Tecnico|25581488|Igor Queiroz|" +
	"6/18/2024 12:49 AM|802|LUCAS||||||en|||sim||\n"

func TestParseSessionsC8Sample(t *testing.T) {
	want := []Session{{
		ID: 1072770019, Status: StatusClosedByActiveCustomer, StatusText: "Encerrado pelo cliente ativo",
		TechnicianID: 25581488, Technician: "Igor Queiroz", Start: time.Date(2024, 6, 18, 0, 49, 0, 0, time.UTC),
		WaitingSeconds: 802, CustomFields: [6]string{"LUCAS"}, Language: "en", IsLead: true,
	}}
	for name, body := range map[string]string{
		"LF": c8Sample, "CRLF": strings.ReplaceAll(c8Sample, "\n", "\r\n"),
	} {
		payload, err := parseReply("getSession_v3", body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseSessions(payload)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", name, got, err, want)
		}
		if !got[0].Status.Closed() {
			t.Errorf("%s: closed by the customer is final", name)
		}
	}
}

func TestParseSessionsUnescapedCells(t *testing.T) {
	header := "ID|Status|Technician ID|Technician|Start Time|Waiting Time|Custom Field 0|Custom Field 1|" +
		"Custom Field 2|Custom Field 3|Language|Transferred To|Transferred Comment|IsLead|\n"
	for _, tc := range []struct {
		name string
		rows string
		want []Session
	}{
		{
			"a '|' in the customer's name",
			"7|Waiting|42|Jo|3/14/2025 9:30 AM|5|Smith | Sons|s@x.example||corr-1|fr||||\n",
			[]Session{{
				ID: 7, Status: StatusWaiting, StatusText: "Waiting", TechnicianID: 42, Technician: "Jo",
				Start: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), WaitingSeconds: 5,
				CustomFields: [6]string{"Smith | Sons", "s@x.example", "", "corr-1"}, Language: "fr",
			}},
		},
		{
			"a line break in a comment, then a second row",
			"8|Transferred|42|Jo|3/14/2025 1:05 PM|0|||||en|Sam|line one\r\nline two|no|\n" +
				"9|Active|42|Jo|3/14/2025 1:06 PM|1|||||en|||yes|\n",
			[]Session{
				{
					ID: 8, Status: StatusTransferred, StatusText: "Transferred", TechnicianID: 42, Technician: "Jo",
					Start: time.Date(2025, 3, 14, 13, 5, 0, 0, time.UTC), Language: "en", TransferredTo: "Sam",
					TransferredComment: "line one\nline two",
				},
				{
					ID: 9, Status: StatusActive, StatusText: "Active", TechnicianID: 42, Technician: "Jo",
					Start: time.Date(2025, 3, 14, 13, 6, 0, 0, time.UTC), WaitingSeconds: 1, Language: "en", IsLead: true,
				},
			},
		},
		{"no rows", "", []Session{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSessions(header + tc.rows)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
	if got, err := parseSessions(""); err != nil || len(got) != 0 {
		t.Errorf("an empty table: %v, %v", got, err)
	}
}

func TestParseNote(t *testing.T) {
	for payload, want := range map[string]string{
		"NOTE:Customer had issue with the VPN": "Customer had issue with the VPN",
		"NOTE:line one\r\nline two\r\n":        "line one\nline two",
		"NOTE:":                                "",
		"":                                     "",
		"note: lower case label":               "lower case label",
	} {
		if got, err := parseNote(payload); err != nil || got != want {
			t.Errorf("%q: %q, %v", payload, got, err)
		}
	}
}

func TestParseChat(t *testing.T) {
	payload := "CHATLOG:\r\n[2:05:07 PM] Camille Lefèvre: Bonjour, ici Camille : merci d'avoir patienté.\r\n" +
		"[2:05:30 PM] Hélène: It's the printer\r\nand the scanner too\r\n\r\n" +
		"[14:06] Session transferred\n[not a time] Jo: [sic]"
	want := []ChatLine{
		{At: "2:05:07 PM", Name: "Camille Lefèvre", Text: "Bonjour, ici Camille : merci d'avoir patienté."},
		{At: "2:05:30 PM", Name: "Hélène", Text: "It's the printer\nand the scanner too"},
		{At: "14:06", Text: "Session transferred\n[not a time] Jo: [sic]"},
	}
	if got := parseChat(payload); !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %+v\nwant %+v", got, want)
	}
	if got := parseChat("CHATLOG:[9:00:00 AM] A: hi"); len(got) != 1 || got[0].Text != "hi" {
		t.Fatalf("a line on the label's line: %+v", got)
	}
	if got := parseChat("CHATLOG:"); len(got) != 0 {
		t.Fatalf("empty chat: %+v", got)
	}
	if got := parseChat("no stamp at all"); len(got) != 1 || got[0] != (ChatLine{Text: "no stamp at all"}) {
		t.Fatalf("unstamped: %+v", got)
	}
}

// reportXML has a different root, non-sequential ids, escaped text, a custom-field label that repeats
// a real column's name ("Status"), and a row that leaves fields out.
const reportXML = `<reportdata><header><field id="10">Start Time</field><field id="11">End Time</field>` +
	`<field id="12">Last Action Time</field><field id="13">Technician Name</field><field id="14">Technician ID</field>` +
	`<field id="15">Session ID</field><field id="16">Session Type</field><field id="17">Status</field>` +
	`<field id="18">Your Name:</field><field id="19">E-mail:</field><field id="20">Problem:</field>` +
	`<field id="21">Status</field><field id="22">Company:</field><field id="23">Ref:</field>` +
	`<field id="24">Tracking ID</field><field id="25">Incident Tools Used</field><field id="26">Resolved Unresolved</field>` +
	`<field id="27">Waiting Time</field><field id="28">Total Time</field><field id="29">Active Time</field>` +
	`<field id="30">Platform</field><field id="31">Technician Email</field></header><data>` +
	`<row><field id="10">3/14/2025 1:02:03 PM</field><field id="11">3/14/2025 1:32:04 PM</field>` +
	`<field id="13">Jordan O&apos;Neill</field><field id="14">4310022</field><field id="15">1093000123</field>` +
	`<field id="17">Closed by technician</field><field id="18">O&apos;Brien &amp; Sons</field>` +
	`<field id="19">office@obrien.example</field><field id="20">&lt;printer&gt;</field><field id="21">VIP</field>` +
	`<field id="24">CAS-01004-ABCDEF</field><field id="25">Chat, Remote Control</field>` +
	`<field id="26">Resolved</field><field id="27">0:01:05</field><field id="28">0:30:01</field>` +
	`<field id="29">0:28:00</field><field id="30">Windows 11</field><field id="31">jordan@example.com</field></row>` +
	`<row><field id="15">1093000124</field><field id="17">Fermée par le client actif</field>` +
	`<field id="26">Non résolue</field><field id="28">123:04:05</field></row></data></reportdata>`

func TestParseReport(t *testing.T) {
	rows, err := parseReport(reportXML)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	cols := r.Columns
	r.Columns = nil
	want := ReportRow{
		SessionID: 1093000123, TechnicianID: 4310022, TechnicianName: "Jordan O'Neill", TechnicianEmail: "jordan@example.com",
		Start: time.Date(2025, 3, 14, 13, 2, 3, 0, time.UTC), End: time.Date(2025, 3, 14, 13, 32, 4, 0, time.UTC),
		Status: StatusClosedByTechnician, StatusText: "Closed by technician", Resolved: true, ResolvedText: "Resolved",
		ToolsUsed: "Chat, Remote Control", Platform: "Windows 11",
		WaitingTime: 65 * time.Second, ActiveTime: 28 * time.Minute, TotalTime: 30*time.Minute + time.Second,
		TrackingID:        "CAS-01004-ABCDEF",
		CustomFields:      [6]string{"O'Brien & Sons", "office@obrien.example", "<printer>", "VIP"},
		CustomFieldLabels: [6]string{"Your Name:", "E-mail:", "Problem:", "Status", "Company:", "Ref:"},
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("\n got %+v\nwant %+v", r, want)
	}
	if cols["Status"] != "Closed by technician" || cols["Your Name:"] != "O'Brien & Sons" || len(cols) != 21 {
		t.Fatalf("columns %v", cols)
	}
	second := rows[1]
	if second.Status != StatusClosedByActiveCustomer || second.Resolved || second.TotalTime != 123*time.Hour+4*time.Minute+5*time.Second ||
		!second.Start.IsZero() || second.Name() != "" {
		t.Fatalf("second row %+v", second)
	}

	for name, bad := range map[string]string{
		"not XML":          "Start Time|End Time|",
		"broken XML":       "<report><header>",
		"no session ID":    `<report><header><field id="0">Status</field></header><data><row><field id="0">Active</field></row></data></report>`,
		"repeated id":      `<report><header><field id="0">A</field><field id="0">B</field></header><data></data></report>`,
		"unparsable entry": `<report><header><field id="0">Session ID</field></header><data><row><field id="0">&bogus;</field></row></data></report>`,
	} {
		if _, err := parseReport(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if rows, err := parseReport(""); err != nil || rows != nil {
		t.Errorf("empty payload: %v, %v", rows, err)
	}
}

func TestParseHMS(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0:00:00": 0, "1:02:03": time.Hour + 2*time.Minute + 3*time.Second, "27:00:00": 27 * time.Hour,
		"02:03": 2*time.Minute + 3*time.Second, " 0:00:09 ": 9 * time.Second,
		"": 0, "1:2:3": 0, "0:60:00": 0, "x:00:00": 0, "1:00:00:00": 0, "-1:00:00": 0, "9999999:00:00": 0,
	} {
		if got := parseHMS(in); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}

func TestInWindowIsHalfOpen(t *testing.T) {
	from := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	rows := []ReportRow{
		{SessionID: 1, Start: from.Add(-time.Second)},
		{SessionID: 2, Start: from},
		{SessionID: 3, Start: to.Add(-time.Second)},
		{SessionID: 4, Start: to},
		{SessionID: 5}, // start not read: kept
	}
	var got []int
	for _, r := range inWindow(rows, from, to) {
		got = append(got, r.SessionID)
	}
	if !reflect.DeepEqual(got, []int{2, 3, 5}) {
		t.Fatalf("%v", got)
	}
	if s := formatReportDate(time.Date(2025, 3, 4, 8, 5, 9, 0, time.UTC)); s != "3/4/2025 8:05:09" {
		t.Fatalf("%q", s)
	}
	b, e := serviceWindow(from.Add(500*time.Millisecond), to.Add(200*time.Millisecond))
	if !b.Equal(from) || !e.Equal(to.Add(time.Second)) {
		t.Fatalf("window rounded to %v, %v", b, e)
	}
	if _, e := serviceWindow(from, to); !e.Equal(to) {
		t.Fatalf("a whole-second end moved to %v", e)
	}
}

// Large replies, shaped to make a careless parser quadratic, are read in one pass.
func TestLargeRepliesAreReadInOnePass(t *testing.T) {
	const n = 1 << 18 // a quarter of a million lines: a quadratic parser would not finish
	lines := strings.Repeat("x\n", n)
	if got := parseChat("CHATLOG:\n[1:00:00 PM] A: start\n" + lines); len(got) != 1 ||
		len(got[0].Text) != len("start")+2*n {
		t.Fatalf("%d chat lines", len(got))
	}
	wide := "ID|Status|" + strings.Repeat("c|", 100) + "\n"
	if _, err := parseSessions(wide + "1|" + lines); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a row that never ends: %v", err)
	}
	if got, err := parseUser("NODEID: 1 NAME: " + strings.Repeat("N ", n)); err != nil || len(got.Name) == 0 {
		t.Fatalf("%v", err)
	}
}
