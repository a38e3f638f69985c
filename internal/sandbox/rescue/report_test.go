package rescue

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"
)

type xmlField struct {
	ID    int    `xml:"id,attr"`
	Value string `xml:",chardata"`
}

type xmlReport struct {
	XMLName xml.Name   `xml:"report"`
	Header  []xmlField `xml:"header>field"`
	Rows    []struct {
		Fields []xmlField `xml:"field"`
	} `xml:"data>row"`
}

// parseXMLReport splits the status line from the payload and joins each row's fields to the
// header's by id, as a client must.
func parseXMLReport(t *testing.T, body string) []map[string]string {
	t.Helper()
	status, payload, ok := strings.Cut(body, "\n\n")
	if !ok || status != "OK" {
		t.Fatalf("report: %q", body)
	}
	var r xmlReport
	if err := xml.Unmarshal([]byte(payload), &r); err != nil {
		t.Fatalf("report XML: %v\n%s", err, payload)
	}
	names := map[int]string{}
	for _, h := range r.Header {
		names[h.ID] = h.Value
	}
	var out []map[string]string
	for _, row := range r.Rows {
		m := map[string]string{}
		for _, f := range row.Fields {
			name, ok := names[f.ID]
			if !ok {
				t.Fatalf("field id %d has no header", f.ID)
			}
			m[name] = f.Value
		}
		out = append(out, m)
	}
	return out
}

// finishedSession runs one of jordan's sessions to its close on a 10-second pace.
func finishedSession(t *testing.T, s *Server, clk *clock, code string, args ...string) Session {
	t.Helper()
	pin := pinOf(t, post(t, s, "requestPINCode", kv(append([]string{"authcode", code}, args...)...)))
	clk.Add(30 * time.Second)
	ss, _ := s.SessionByPIN(pin)
	if ss.Stage != StageClosed {
		t.Fatalf("stage %v", ss.Stage)
	}
	return ss
}

func setAll(t *testing.T, s *Server, code string, settings ...[]string) {
	t.Helper()
	for _, st := range settings {
		if got := get(t, s, st[0], kv(append([]string{"authcode", code}, st[1:]...)...)); got != "OK" {
			t.Fatalf("%v: %q", st, got)
		}
	}
}

func TestReportXMLJoinsRowsToHeaders(t *testing.T) {
	s, clk := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	ss := finishedSession(t, s, clk, code, "cfield0", "O'Brien & <Sons>", "cfield1", "office@obrien-sons.example",
		"tracking0", "CAS-01006-QWERTY")
	setAll(t, s, code,
		[]string{"setReportArea", "area", "0"},
		[]string{"setReportDate_v2", "bdate", "3/14/2025 10:00:00", "edate", "3/14/2025 11:00:00"},
		[]string{"setTimezone", "timezone", "60"},
		[]string{"setOutput", "output", "XML"},
	)
	rows := parseXMLReport(t, get(t, s, "getReport_v2", kv("authcode", code, "node", "4310022", "nodetype", "NODE")))
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	want := map[string]string{
		"Start Time": "3/14/2025 10:30:00 AM", "End Time": "3/14/2025 10:30:30 AM",
		"Last Action Time": "3/14/2025 10:30:30 AM", "Technician Name": "Jordan O'Neill",
		"Technician ID": "4310022", "Session ID": fmt.Sprint(ss.ID), "Session Type": "PIN Code",
		"Status": "Closed by technician", "Customer name:": "O'Brien & <Sons>",
		"E-mail:": "office@obrien-sons.example", "Problem description:": "", "Reference:": "",
		"Tracking ID": "CAS-01006-QWERTY", "Resolved Unresolved": "Resolved", "Channel ID": "",
		"Channel Name": "", "Connecting Time": "0:00:10", "Waiting Time": "0:00:10",
		"Active Time": "0:00:10", "Work Time": "0:00:10", "Total Time": "0:00:30", "Hold Time": "0:00:00",
		"Platform": ss.Platform, "Technician Email": "jordan@contoso-helpdesk.example",
		"Technician Group": "Helpdesk",
	}
	for k, v := range want {
		got, ok := rows[0][k]
		if !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	if len(rows[0]) != len(reportColumns) {
		t.Errorf("%d columns, want %d", len(rows[0]), len(reportColumns))
	}
}

func TestReportXMLBytes(t *testing.T) {
	s, _ := newServer(t, Options{NoHistory: true})
	code := signIn(t, s, "jordan")
	setAll(t, s, code, []string{"setOutput", "output", "xml"})
	body := get(t, s, "getReport_v2", kv("authcode", code, "node", "4310022"))
	var want strings.Builder
	want.WriteString("OK\n\n<report><header>")
	for i, name := range reportHeader() {
		fmt.Fprintf(&want, `<field id="%d">%s</field>`, i, name)
	}
	want.WriteString("</header><data></data></report>")
	if body != want.String() {
		t.Fatalf("got  %q\nwant %q", body, want.String())
	}
	if !strings.Contains(body, `<field id="8">Customer name:</field>`) {
		t.Fatal("field 0 must carry the account's label")
	}
}

func TestReportText(t *testing.T) {
	s, clk := newServer(t, Options{NoHistory: true})
	code := signIn(t, s, "jordan")
	ss := finishedSession(t, s, clk, code, "cfield0", "Åsa Lindström", "tracking0", "CAS-01003-ZZZZZZ")
	setAll(t, s, code,
		[]string{"setReportDate_v2", "bdate", "3/14/2025 0:00:00", "edate", "3/14/2025 23:59:59"},
		[]string{"setDelimiter", "delimiter", ";"},
	)
	body := get(t, s, "getReport_v2", kv("authcode", code, "node", "4310022", "nodetype", "NODE"))
	d := deviceFor(ss.ID)
	want := "OK\n\n" + strings.Join(reportHeader(), ";") + ";\n" +
		"3/14/2025 9:30:00 AM;3/14/2025 9:30:30 AM;3/14/2025 9:30:30 AM;Jordan O'Neill;4310022;" +
		fmt.Sprint(ss.ID) + ";PIN Code;Closed by technician;Åsa Lindström;;;;;;CAS-01003-ZZZZZZ;" + d.customerIP +
		";;Chat, Remote Control;Resolved;;;;0:00:10;0:00:10;0:00:30;0:00:10;0:00:10;0:00:00;0:00:00;0:00:00;" +
		"0:00:00;" + d.platform + ";jordan@contoso-helpdesk.example;;" + d.hostName + ";Helpdesk;\n"
	if body != want {
		t.Fatalf("got  %q\nwant %q", body, want)
	}
}

func TestReportRateLimit(t *testing.T) {
	s, clk := newServer(t, Options{NoHistory: true})
	jordan, camille := signIn(t, s, "jordan"), signIn(t, s, "camille")
	report := func(code string, node string) string {
		return get(t, s, "getReport_v2", kv("authcode", code, "node", node))
	}
	if got := report(jordan, "4310099"); got != "INVALIDPARAM_NODE" {
		t.Fatalf("bad node: %q", got)
	}
	if got := report(jordan, "4310022"); !strings.HasPrefix(got, "OK\n\n") {
		t.Fatalf("first report after a refused one: %q", got)
	}
	clk.Add(59 * time.Second)
	if got := report(jordan, "4310022"); got != "POLLRATEEXCEEDED" {
		t.Fatalf("second report within a minute: %q", got)
	}
	if got := report(camille, "4310022"); !strings.HasPrefix(got, "OK\n\n") {
		t.Fatalf("the limit is per user: %q", got)
	}
	clk.Add(time.Second)
	if got := report(jordan, "4310022"); !strings.HasPrefix(got, "OK\n\n") {
		t.Fatalf("after a minute: %q", got)
	}
	s2, clk2 := newServer(t, Options{NoHistory: true, ReportInterval: 5 * time.Second})
	code := signIn(t, s2, "jordan")
	for i, want := range []string{"OK", "POLLRATEEXCEEDED", "OK"} {
		if got := get(t, s2, "getReport_v2", kv("authcode", code, "node", "4310022")); !strings.HasPrefix(got, want) {
			t.Fatalf("interval option, request %d: %q", i, got)
		}
		clk2.Add(2500 * time.Millisecond)
	}
}

func TestReportWindowScopeAndLanguage(t *testing.T) {
	s, clk := newServer(t, Options{ReportInterval: time.Nanosecond})
	camille := signIn(t, s, "camille")
	setAll(t, s, camille,
		[]string{"setOutput", "output", "XML"},
		[]string{"setReportDate_v2", "bdate", "3/6/2025 0:00:00", "edate", "3/14/2025 9:30:00"},
	)
	count := func(args ...string) []map[string]string {
		t.Helper()
		clk.Add(time.Millisecond)
		return parseXMLReport(t, get(t, s, "getReport_v2", kv(append([]string{"authcode", camille}, args...)...)))
	}
	all := count("node", "-2", "nodetype", "EXTERNALROOT")
	if len(all) != historySize {
		t.Fatalf("whole account: %d rows", len(all))
	}
	mine := count("node", "4310021")
	if len(mine) == 0 || len(mine) >= len(all) {
		t.Fatalf("camille's node: %d rows", len(mine))
	}
	statuses := map[string]bool{}
	for _, r := range all {
		statuses[r["Status"]+"/"+r["Resolved Unresolved"]] = true
	}
	for _, want := range []string{
		"Fermée par le technicien/Résolue", "Fermée par le client actif/Non résolue",
		"Fermée par le client en attente/Non résolue",
	} {
		if !statuses[want] {
			t.Errorf("no %q in %v", want, statuses)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i]["Session ID"] <= all[i-1]["Session ID"] {
			t.Errorf("rows not oldest first at %d", i)
		}
	}
	for _, bad := range [][]string{
		{"node", "4310021", "nodetype", "CHANNEL"},
		{"node", "4310021", "nodetype", "EXTERNALTECH"},
		{"node", "x", "nodetype", "EXTERNALROOT"},
		{"nodetype", "NODE"},
	} {
		if got := get(t, s, "getReport_v2", kv(append([]string{"authcode", camille}, bad...)...)); got != "INVALIDPARAM_NODE" {
			t.Errorf("%v: %q", bad, got)
		}
	}
	// A narrower window, then a time-of-day filter, drop rows.
	setAll(t, s, camille, []string{"setReportDate_v2", "bdate", "3/12/2025", "edate", "3/14/2025 9:30:00"})
	recent := count("node", "-2", "nodetype", "EXTERNALROOT")
	if len(recent) == 0 || len(recent) >= len(all) {
		t.Fatalf("narrow window: %d rows", len(recent))
	}
	setAll(t, s, camille,
		[]string{"setReportDate", "bdate", "03/06/2025", "edate", "03/14/2025"},
		[]string{"setReportTime", "btime", "00:00:00", "etime", "11:59:59"},
	)
	morning := count("node", "-2", "nodetype", "EXTERNALROOT")
	for _, r := range morning {
		if !strings.HasSuffix(r["Start Time"], " AM") {
			t.Errorf("afternoon row %q", r["Start Time"])
		}
	}
	if len(morning) == 0 || len(morning) >= len(all) {
		t.Errorf("morning rows: %d of %d", len(morning), len(all))
	}
	setAll(t, s, camille, []string{"setReportArea", "area", "5"})
	clk.Add(time.Millisecond)
	if got := get(t, s, "getReport_v2", kv("authcode", camille, "node", "4310021")); got != "OK\n\n<report><header></header><data></data></report>" {
		t.Errorf("other area: %q", got)
	}
	setAll(t, s, camille, []string{"setOutput", "output", "TEXT"})
	clk.Add(time.Millisecond)
	if got := get(t, s, "getReport_v2", kv("authcode", camille, "node", "4310021")); got != "OK\n\n" {
		t.Errorf("other area, TEXT: %q", got)
	}
}

func TestReportDefaultsToToday(t *testing.T) {
	s, clk := newServer(t, Options{NoHistory: true, ReportInterval: time.Nanosecond})
	code := signIn(t, s, "jordan")
	finishedSession(t, s, clk, code)
	report := func() string {
		clk.Add(time.Second)
		return get(t, s, "getReport_v2", kv("authcode", code, "node", "4310022"))
	}
	if got := strings.Count(report(), "\n"); got != 4 { // status, blank, header, one row
		t.Fatalf("today: %d lines", got)
	}
	clk.Add(15 * time.Hour) // the next day in UTC
	if got := strings.Count(report(), "\n"); got != 3 {
		t.Fatalf("tomorrow: %d lines", got)
	}
	setAll(t, s, code, []string{"setTimezone", "timezone", "-60"}) // still the 14th in UTC-1
	if got := strings.Count(report(), "\n"); got != 4 {
		t.Fatalf("tomorrow in UTC-1: %d lines", got)
	}
}

func TestReportSetters(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	cases := []struct {
		method string
		args   []string
		want   string
	}{
		{"setReportArea", []string{"area", "0"}, "OK"},
		{"setReportArea", []string{"area", "10"}, "OK"},
		{"setReportArea", []string{"area", "11"}, "INVALIDFORMAT"},
		{"setReportArea", []string{"area", "-1"}, "INVALIDFORMAT"},
		{"setReportArea", []string{"area", "session"}, "INVALIDFORMAT"},
		{"setReportArea_v8", []string{"area", "16"}, "OK"},
		{"setReportDate_v2", []string{"bdate", "12/1/2011 8:00:00", "edate", "12/31/2011 17:30:00"}, "OK"},
		{"setReportDate_v2", []string{"bdate", "2/29/2024 0:00:00", "edate", "3/1/2024 12:00 PM"}, "OK"},
		{"setReportDate_v2", []string{"bdate", "2/29/2025 0:00:00", "edate", "3/1/2025 0:00:00"}, "INVALIDFORMAT"},
		{"setReportDate_v2", []string{"bdate", "2025-03-01", "edate", "3/1/2025 0:00:00"}, "INVALIDFORMAT"},
		{"setReportDate_v2", []string{"bdate", "3/1/2025 0:00:00"}, "INVALIDFORMAT"},
		{"setReportDate_v2", []string{"bdate", "3/2/2025 0:00:00", "edate", "3/1/2025 23:59:59"}, "INVALIDDATERANGE"},
		{"setReportDate_v2", []string{"bdate", "3/1/2025 10:00:00", "edate", "3/1/2025 10:00:00"}, "OK"},
		{"setReportDate", []string{"bdate", "01/01/2007", "edate", "12/31/2007"}, "OK"},
		{"setReportDate", []string{"bdate", "01/01/2007", "edate", "01/01/2007"}, "OK"},
		{"setReportDate", []string{"bdate", "13/01/2007", "edate", "12/31/2007"}, "INVALIDFORMAT"},
		{"setReportTime", []string{"btime", "08:00:00", "etime", "17:00:00"}, "OK"},
		{"setReportTime", []string{"btime", "17:00:00", "etime", "08:00:00"}, "INVALIDDATERANGE"},
		{"setReportTime", []string{"btime", "8", "etime", "17:00:00"}, "INVALIDFORMAT"},
		{"setTimezone", []string{"timezone", "0"}, "OK"},
		{"setTimezone", []string{"timezone", "-240"}, "OK"},
		{"setTimezone", []string{"Timezone", "-720"}, "OK"},
		{"setTimezone", []string{"timezone", "840"}, "OK"},
		{"setTimezone", []string{"timezone", "841"}, "INVALIDFORMAT"},
		{"setTimezone", []string{"timezone", "UTC"}, "INVALIDFORMAT"},
		{"setOutput", []string{"output", "XML"}, "OK"},
		{"setOutput", []string{"output", "text"}, "OK"},
		{"setOutput", []string{"output", "CSV"}, "INVALIDFORMAT"},
		{"setDelimiter", []string{"delimiter", "|"}, "OK"},
		{"setDelimiter", []string{"delimiter", ""}, "INVALIDFORMAT"},
	}
	for _, c := range cases {
		if got := get(t, s, c.method, kv(append([]string{"authcode", code}, c.args...)...)); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.method, c.args, got, c.want)
		}
	}
	for _, m := range []string{"setReportArea", "setReportDate_v2", "setReportTime", "setTimezone", "setOutput", "setDelimiter", "getReport_v2"} {
		if got := get(t, s, m, nil); got != "NOTLOGGEDIN" {
			t.Errorf("%s without authcode: %q", m, got)
		}
		if got := get(t, s, m, kv("authcode", "stale")); got != "INVALID_SECRETAUTHCODE" {
			t.Errorf("%s with a stale authcode: %q", m, got)
		}
	}
}

func TestParseReportDate(t *testing.T) {
	cases := []struct {
		in   string
		want string // civil.String(), "" when invalid
	}{
		{"12/1/2011 8:00:00", "12/1/2011 8:00:00"},
		{"3/14/2025 23:59:59", "3/14/2025 23:59:59"},
		{"03/04/2025 07:05:09", "3/4/2025 7:05:09"},
		{"3/14/2025", "3/14/2025 0:00:00"},
		{" 3/14/2025 ", "3/14/2025 0:00:00"},
		{"3/14/2025 8:15", "3/14/2025 8:15:00"},
		{"3/14/2025 12:00:00 AM", "3/14/2025 0:00:00"},
		{"3/14/2025 12:30 PM", "3/14/2025 12:30:00"},
		{"3/14/2025 1:30:05 pm", "3/14/2025 13:30:05"},
		{"2/29/2024 0:00:00", "2/29/2024 0:00:00"},
		{"2/29/2025 0:00:00", ""},
		{"4/31/2025", ""},
		{"13/1/2025", ""},
		{"0/1/2025", ""},
		{"1/0/2025", ""},
		{"1/1/25", ""},
		{"1/1/1752", ""},
		{"1/1/2025 24:00:00", ""},
		{"1/1/2025 13:00 PM", ""},
		{"1/1/2025 0:00 AM", ""},
		{"1/1/2025 10:60:00", ""},
		{"1/1/2025 10:00:60", ""},
		{"1/1/2025 10:0:00", ""},
		{"1/1/2025T10:00:00", ""},
		{"2025-01-01 10:00:00", ""},
		{"", ""},
		{"1/1/2025 10:00:00 XM", ""},
	}
	for _, c := range cases {
		got, ok := parseReportDate(c.in)
		if ok != (c.want != "") || ok && got.String() != c.want {
			t.Errorf("parseReportDate(%q) = %v, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
