package dynamics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// sessionTable is the fake's session table under its default schema names.
var sessionTable = SessionTable{Set: dataverse.SessionSet, KeyColumn: dataverse.SessionIDColumn, CaseNav: dataverse.SessionCaseNav}

// openCase returns one of the technician's active cases.
func openCase(t testing.TB, w *world.World, key string) world.Case {
	t.Helper()
	tech := technician(t, w, key)
	for _, c := range w.Cases {
		if c.OwnerID == tech.SystemUserID && c.StateCode == CaseActive {
			return c
		}
	}
	t.Fatalf("%s has no open case", key)
	return world.Case{}
}

// sessionRows returns the fake's session records with the given session ID.
func sessionRows(fx *fixture, sessionID string) []map[string]any {
	var out []map[string]any
	for _, row := range fx.fake.Records(dataverse.SessionSet) {
		if row[dataverse.SessionIDColumn] == sessionID {
			out = append(out, row)
		}
	}
	return out
}

func TestUpsertSessionCreatesThenUpdates(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	camille := technician(t, w, "camille")
	kase := openCase(t, w, "camille")
	ctx := context.Background()

	id, err := c.UpsertSession(ctx, sessionTable, "812345", kase.ID, map[string]any{
		"lmi_technician": camille.Name, "lmi_durationseconds": 300, "lmi_note": "<b>&</b>",
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := sessionRows(fx, "812345")
	if len(rows) != 1 || rows[0][dataverse.SessionPrimaryKey] != id {
		t.Fatalf("records %v, want one with the GUID %s", rows, id)
	}
	want := map[string]any{
		dataverse.SessionCaseLookup: kase.ID, "_ownerid_value": camille.SystemUserID, "statecode": 0,
		"lmi_technician": camille.Name, "lmi_durationseconds": json.Number("300"), "lmi_note": "<b>&</b>",
	}
	for k, v := range want {
		if got := rows[0][k]; got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}

	patch := fx.requests()[0]
	wantBody := `{"lmi_durationseconds":300,"lmi_incidentid@odata.bind":"/incidents(` + kase.ID + `)",` +
		`"lmi_note":"<b>&</b>","lmi_technician":"Camille Lefèvre"}`
	if patch.method != http.MethodPatch || patch.path != "/api/data/v9.2/lmi_sessions(lmi_sessionid='812345')" || string(patch.body) != wantBody {
		t.Errorf("sent %s %s %s\nwant PATCH lmi_sessions(lmi_sessionid='812345') %s", patch.method, patch.path, patch.body, wantBody)
	}
	if v := patch.header.Values("If-Match"); len(v) != 0 {
		t.Errorf("an upsert carries If-Match %q", v)
	}
	if v := patch.header.Values("If-None-Match"); len(v) != 1 || v[0] != "null" {
		t.Errorf("an upsert carries If-None-Match %q, want only the usual null", v)
	}

	fx.advance(time.Minute)
	again, err := c.UpsertSession(ctx, sessionTable, "812345", kase.ID, map[string]any{"lmi_durationseconds": 420})
	if err != nil || again != id {
		t.Fatalf("second upsert = %q, %v; want the same record %s", again, err, id)
	}
	rows = sessionRows(fx, "812345")
	if len(rows) != 1 || rows[0]["lmi_technician"] != camille.Name || rows[0]["modifiedon"] == rows[0]["createdon"] {
		t.Fatalf("after the update: %v, want one record, updated, keeping its other columns", rows)
	}
	if n := len(fx.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if told, _ := ws.snapshot(); len(told) != 0 {
		t.Errorf("waited: %+v", told)
	}
}

func TestUpsertSessionOddIDsAndNoCase(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-priya"}, Options{})
	for _, sid := range []string{"O'Hara 12", "é#1;2@x=y", "sess-1_2.3~4"} {
		id, err := c.UpsertSession(context.Background(), sessionTable, sid, "", map[string]any{"lmi_durationseconds": 1})
		if err != nil {
			t.Errorf("%q: %v", sid, err)
			continue
		}
		rows := sessionRows(fx, sid)
		if len(rows) != 1 || rows[0][dataverse.SessionPrimaryKey] != id || rows[0][dataverse.SessionCaseLookup] != nil {
			t.Errorf("%q: records %v, want one without a case", sid, rows)
		}
	}
	first := fx.requests()[0]
	if want := "/api/data/v9.2/lmi_sessions(lmi_sessionid='O''Hara 12')"; first.path != want {
		t.Errorf("path %q, want %q", first.path, want)
	}
}

func TestUpsertSessionRetried(t *testing.T) {
	tests := []struct {
		name string
		rule fault.Rule
	}{
		{"500 before the write", fault.Rule{Kind: fault.ServerError}},
		{"reply dropped after the write", fault.Rule{Kind: fault.DropAfter}},
		{"reply held after the write", fault.Rule{Kind: fault.StallAfter, Delay: 10 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := world.New(testNow)
			fx := newFixture(t, w)
			fx.addFault(t, tt.rule)
			kase := openCase(t, w, "jordan")
			// A short wait for the reply's headers turns the held reply into a timeout; the
			// stall ends as soon as the client gives up, so no test waits the whole Delay.
			tr := fx.srv.Client().Transport.(*http.Transport).Clone()
			tr.ResponseHeaderTimeout = 300 * time.Millisecond
			c, ws := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{HTTPClient: &http.Client{Transport: tr}})

			id, err := c.UpsertSession(context.Background(), sessionTable, "900001", kase.ID, map[string]any{"lmi_durationseconds": 60})
			if err != nil {
				t.Fatal(err)
			}
			rows := sessionRows(fx, "900001")
			if len(rows) != 1 || rows[0][dataverse.SessionPrimaryKey] != id {
				t.Fatalf("records %v, want exactly one, %s", rows, id)
			}
			if n := fx.faults.Fired(tt.rule.Kind); n != 1 {
				t.Errorf("fault fired %d times, want 1", n)
			}
			told, _ := ws.snapshot()
			if len(told) == 0 || told[0].Reason != WaitRetry {
				t.Errorf("told %+v, want a retry", told)
			}
		})
	}
}

func TestUpsertSessionKeyNotActive(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	if err := fx.fake.SetKeyStatus(dataverse.SessionEntity, dataverse.SessionKeyName, "Pending"); err != nil {
		t.Fatal(err)
	}
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	_, err := c.UpsertSession(context.Background(), sessionTable, "812345", "", map[string]any{"lmi_durationseconds": 1})
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Fatalf("err = %v, want the service's 400", err)
	}
	msg := err.Error()
	const lead = "dynamics: session '812345' in lmi_sessions (by lmi_sessionid): Dynamics refused the request (400 "
	if !strings.HasPrefix(msg, lead) || !strings.Contains(msg, "lmi_sessionkey") || !strings.Contains(msg, "not active") ||
		strings.Contains(msg, "\n") {
		t.Errorf("err = %q, want one line starting %q and naming the inactive key", msg, lead)
	}
	if n := len(fx.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (a 400 is not retried)", n)
	}
	if told, _ := ws.snapshot(); len(told) != 0 {
		t.Errorf("waited: %+v", told)
	}
	if rows := fx.fake.Records(dataverse.SessionSet); len(rows) != 0 {
		t.Errorf("%d records written", len(rows))
	}
}

func TestUpsertSessionReadsTheGUIDWhenTheHeaderNamesTheKey(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	// As the upsert documentation shows it: the record named by its key values, not its GUID.
	fx.editReplies(func(h http.Header) {
		if v := h.Get("OData-EntityId"); v != "" {
			h.Set("OData-EntityId", v[:strings.LastIndex(v, "(")]+"(lmi_sessionid='812345')")
		}
	})
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	id, err := c.UpsertSession(context.Background(), sessionTable, "812345", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := sessionRows(fx, "812345")
	if len(rows) != 1 || rows[0][dataverse.SessionPrimaryKey] != id {
		t.Fatalf("got %q, records %v", id, rows)
	}
	reqs := fx.requests()
	if len(reqs) != 2 || reqs[1].method != http.MethodGet || reqs[1].path != reqs[0].path || reqs[1].rawQuery != "$select=lmi_sessionid" {
		t.Errorf("requests %+v, want the PATCH then GET of the same key with $select=lmi_sessionid", reqs)
	}
	if string(reqs[0].body) != "{}" {
		t.Errorf("body %s, want {}", reqs[0].body)
	}
}

func TestSessionArgumentsAreChecked(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	const caseID = "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"
	upserts := []struct {
		name      string
		table     SessionTable
		sessionID string
		caseID    string
		columns   map[string]any
	}{
		{"empty session ID", sessionTable, "", caseID, nil},
		{"slash in the ID", sessionTable, "a/b", caseID, nil},
		{"question mark", sessionTable, "a?b", caseID, nil},
		{"percent", sessionTable, "100%", caseID, nil},
		{"plus", sessionTable, "a+b", caseID, nil},
		{"case ID not a GUID", sessionTable, "1", "CAS-01001", nil},
		{"case ID with a filter", sessionTable, "1", caseID + ") or (true", nil},
		{"key column among the columns", sessionTable, "1", caseID, map[string]any{"lmi_sessionid": "2"}},
		{"key column in another case", sessionTable, "1", caseID, map[string]any{"LMI_SessionId": "2"}},
		{"case binding among the columns", sessionTable, "1", "", map[string]any{"lmi_incidentid@odata.bind": "/incidents(" + caseID + ")"}},
		{"a column that is no name", sessionTable, "1", caseID, map[string]any{"lmi x": 1}},
		{"an annotation", sessionTable, "1", caseID, map[string]any{"lmi_x@odata.type": "x"}},
		{"a value JSON cannot hold", sessionTable, "1", caseID, map[string]any{"lmi_x": func() {}}},
		{"set with a query", SessionTable{"lmi_sessions?$top=1", "lmi_sessionid", "lmi_incidentid"}, "1", caseID, nil},
		{"key column with a space", SessionTable{"lmi_sessions", "lmi_sessionid eq", "lmi_incidentid"}, "1", caseID, nil},
		{"no navigation property", SessionTable{"lmi_sessions", "lmi_sessionid", ""}, "1", caseID, nil},
	}
	for _, tt := range upserts {
		if _, err := c.UpsertSession(ctx, tt.table, tt.sessionID, tt.caseID, tt.columns); err == nil {
			t.Errorf("UpsertSession accepted %s", tt.name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", tt.name, err)
		}
	}
	if err := c.DeactivateSession(ctx, sessionTable, "a&b"); err == nil {
		t.Error("DeactivateSession accepted a key with &")
	}
	if _, err := c.SessionRecords(ctx, sessionTable, "CAS-01001", nil); err == nil {
		t.Error("SessionRecords accepted a case ID that is no GUID")
	}
	if _, err := c.SessionRecords(ctx, sessionTable, caseID, []string{"lmi_sessionid", "x,y"}); err == nil {
		t.Error("SessionRecords accepted a column that is no name")
	}
	if _, err := c.SessionRecordsSince(ctx, sessionTable, time.Time{}, nil); err == nil {
		t.Error("SessionRecordsSince accepted the zero time")
	}
	if n := len(fx.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestDeactivateSession(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	id, err := c.UpsertSession(ctx, sessionTable, "812345", openCase(t, w, "camille").ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ { // twice: the second changes nothing and is no error
		if err := c.DeactivateSession(ctx, sessionTable, "812345"); err != nil {
			t.Fatalf("deactivation %d: %v", i+1, err)
		}
	}
	rec, _ := fx.fake.Record(dataverse.SessionSet, id)
	if rec["statecode"] != 1 || rec["statuscode"] != 2 {
		t.Errorf("state %v/%v, want 1/2", rec["statecode"], rec["statuscode"])
	}
	patch := fx.requests()[1]
	if patch.method != http.MethodPatch || patch.path != "/api/data/v9.2/lmi_sessions(lmi_sessionid='812345')" ||
		string(patch.body) != `{"statecode":1,"statuscode":2}` || patch.header.Get("If-Match") != "*" {
		t.Errorf("sent %s %s %s If-Match %q", patch.method, patch.path, patch.body, patch.header.Get("If-Match"))
	}

	err = c.DeactivateSession(ctx, sessionTable, "777")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("deactivating a missing record: %v, want ErrNotFound", err)
	}
	if rows := fx.fake.Records(dataverse.SessionSet); len(rows) != 1 {
		t.Errorf("%d records, want 1: deactivating must not create", len(rows))
	}
}

func TestDeactivateSessionRetried(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	id, err := c.UpsertSession(ctx, sessionTable, "812345", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	fx.addFault(t, fault.Rule{Kind: fault.DropAfter})
	if err := c.DeactivateSession(ctx, sessionTable, "812345"); err != nil {
		t.Fatal(err)
	}
	if rec, _ := fx.fake.Record(dataverse.SessionSet, id); rec["statecode"] != 1 || fx.faults.Fired(fault.DropAfter) != 1 {
		t.Errorf("statecode %v after a dropped reply and a retry", rec["statecode"])
	}
}

// seedSessions writes session records a minute apart: 1, 3 and 4 on case a, 2 on case b, 5 on none.
func seedSessions(t *testing.T, fx *fixture, c *Client, a, b string) {
	t.Helper()
	for i, caseID := range []string{a, b, a, a, ""} {
		fx.advance(time.Minute)
		sid := string(rune('1' + i))
		if _, err := c.UpsertSession(context.Background(), sessionTable, sid, caseID, map[string]any{"lmi_durationseconds": 100 * (i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
}

func sessionIDs(rows []map[string]any) string {
	var ids []string
	for _, r := range rows {
		id, _ := r[dataverse.SessionIDColumn].(string)
		ids = append(ids, id)
	}
	return strings.Join(ids, ",")
}

func TestSessionRecords(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	a, b := openCase(t, w, "camille"), openCase(t, w, "jordan")
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{PageSize: 2})
	seedSessions(t, fx, c, a.ID, b.ID)
	before := len(fx.requests())

	rows, err := c.SessionRecords(context.Background(), sessionTable, a.ID, []string{"lmi_sessionid", "lmi_durationseconds", "lmi_sessionid"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sessionIDs(rows); got != "4,3,1" {
		t.Errorf("sessions %s, want 4,3,1 (newest first)", got)
	}
	if d := rows[0]["lmi_durationseconds"]; d != json.Number("400") {
		t.Errorf("duration %#v, want json.Number 400", d)
	}
	if owner := rows[0]["_ownerid_value@OData.Community.Display.V1.FormattedValue"]; owner != nil {
		t.Errorf("owner label %v for a column not selected", owner)
	}
	reqs := fx.requests()[before:]
	wantQuery := "$select=lmi_sessionid,lmi_durationseconds&$filter=_lmi_incidentid_value%20eq%20" + a.ID + "&$orderby=createdon%20desc"
	if len(reqs) != 2 || reqs[0].path != "/api/data/v9.2/lmi_sessions" || reqs[0].rawQuery != wantQuery ||
		!strings.HasPrefix(reqs[1].rawQuery, wantQuery+"&$skiptoken=") {
		t.Errorf("requests %+v, want two pages of lmi_sessions?%s", reqs, wantQuery)
	}
	wantPrefer := `odata.maxpagesize=2,odata.include-annotations="OData.Community.Display.V1.FormattedValue"`
	for _, r := range reqs {
		checkHeaders(t, r.header, "tok-camille")
		if p := r.header.Values("Prefer"); len(p) != 1 || p[0] != wantPrefer {
			t.Errorf("Prefer %q, want %q", p, wantPrefer)
		}
	}

	none, err := c.SessionRecords(context.Background(), sessionTable, openCase(t, w, "priya").ID, nil)
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("a case without sessions: %v, %v; want an empty list", none, err)
	}
}

func TestSessionRecordsSince(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	a, b := openCase(t, w, "camille"), openCase(t, w, "jordan")
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{PageSize: 2})
	seedSessions(t, fx, c, a.ID, b.ID) // modified at +1 … +5 minutes
	fx.advance(time.Minute)            // +6: session 1 changes again
	if _, err := c.UpsertSession(context.Background(), sessionTable, "1", a.ID, map[string]any{"lmi_durationseconds": 150}); err != nil {
		t.Fatal(err)
	}
	before := len(fx.requests())

	since := testNow.Add(3*time.Minute + 30*time.Second + 250*time.Millisecond).In(time.FixedZone("CET", 3600))
	rows, err := c.SessionRecordsSince(context.Background(), sessionTable, since, []string{"lmi_sessionid"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sessionIDs(rows); got != "1,5,4" {
		t.Errorf("sessions %s, want 1,5,4 (most recently modified first)", got)
	}
	want := "$select=lmi_sessionid&$filter=modifiedon%20ge%202026-03-10T09:33:30Z&$orderby=modifiedon%20desc"
	if r := fx.requests()[before]; r.rawQuery != want {
		t.Errorf("query %s\nwant %s", r.rawQuery, want)
	}
}

func TestGUIDFromEntityID(t *testing.T) {
	const id = "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"
	tests := []struct{ header, want string }{
		{"https://org.crm4.dynamics.com/api/data/v9.2/lmi_sessions(" + id + ")", id},
		{" https://org.crm4.dynamics.com/api/data/v9.2/LMI_Sessions(" + id + ") ", id},
		{"https://org.crm4.dynamics.com/api/data/v9.2/lmi_sessions(lmi_sessionid='812345')", ""},
		{"https://org.crm4.dynamics.com/api/data/v9.2/annotations(" + id + ")", ""},
		{"https://org.crm4.dynamics.com/api/data/v9.2/xlmi_sessions(" + id + ")", ""},
		{"lmi_sessions(" + id + ")", ""},
		{"https://org/api/data/v9.2/lmi_sessions(" + id[:35] + "x)", ""},
		{"", ""},
		{"(" + id + ")", ""},
	}
	for _, tt := range tests {
		if got := guidFromEntityID(tt.header, "lmi_sessions"); got != tt.want {
			t.Errorf("guidFromEntityID(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestDecodeRecordID(t *testing.T) {
	const id = "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"
	const other = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
	tests := []struct{ body, want string }{
		{`{"@odata.context":"x","@odata.etag":"W/\"1\"","lmi_sessionid":"812345","lmi_sessionrecordid":"` + id + `"}`, id},
		{`{"lmi_sessionid":"` + other + `","_ownerid_value":"` + other + `","x@OData.Community.Display.V1.FormattedValue":"` + other + `","pk":"` + id + `"}`, id},
		{`{"lmi_sessionid":"812345"}`, ""},
		{`{"a":"` + id + `","b":"` + other + `"}`, ""},
		{`{"a":7}`, ""},
		{`[]`, ""},
		{`{"a":"` + id, ""},
	}
	for _, tt := range tests {
		got, err := decodeRecordID(strings.NewReader(tt.body), "lmi_sessionid")
		if tt.want == "" {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("decodeRecordID(%s) = %q, %v; want ErrMalformed", tt.body, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("decodeRecordID(%s) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
}

func TestDecodeRowsPage(t *testing.T) {
	body := `{"@odata.context":"x","value":[{"a":1,"b":"x","c":null},{"a":2.5}],"@odata.nextLink":"https://org/next"}`
	rows, next, err := decodeRowsPage(strings.NewReader(body), nil, "the rows")
	if err != nil || next != "https://org/next" || len(rows) != 2 || rows[0]["a"] != json.Number("1") ||
		rows[0]["b"] != "x" || rows[1]["a"] != json.Number("2.5") {
		t.Fatalf("rows %v, next %q, %v", rows, next, err)
	}
	for _, bad := range []string{`{"value":[null]}`, `{"value":[1]}`, `{"value":{}}`, `{}`, `{"value":[]} {}`, `{"value":[{"a":`} {
		if _, _, err := decodeRowsPage(strings.NewReader(bad), nil, "the rows"); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", bad, err)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"lmi_sessions", "_x", "A1", "lmi_IncidentId"} {
		if !validName(ok) {
			t.Errorf("validName(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "1a", "a b", "a-b", "a/b", "a(b)", "é", strings.Repeat("a", 129)} {
		if validName(bad) {
			t.Errorf("validName(%q) = true", bad)
		}
	}
}

func FuzzGUIDFromEntityID(f *testing.F) {
	f.Add("https://org.crm4.dynamics.com/api/data/v9.2/lmi_sessions(6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5)", "lmi_sessions")
	f.Add("https://org/api/data/v9.2/lmi_sessions(lmi_sessionid='1')", "lmi_sessions")
	f.Add("/annotations(6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5)", "annotations")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, header, set string) {
		if id := guidFromEntityID(header, set); id != "" && (!isGUID(id) || !strings.Contains(header, id)) {
			t.Fatalf("guidFromEntityID(%q, %q) = %q", header, set, id)
		}
	})
}

func FuzzDecodeRecordID(f *testing.F) {
	f.Add([]byte(`{"@odata.etag":"W/\"1\"","lmi_sessionid":"1","lmi_sessionrecordid":"6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"}`))
	f.Add([]byte(`{"a":"6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5","b":"6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := decodeRecordID(bytes.NewReader(data), "lmi_sessionid")
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !isGUID(id) {
			t.Fatalf("accepted %q", id)
		}
	})
}

func FuzzDecodeRowsPage(f *testing.F) {
	f.Add([]byte(`{"value":[{"a":1,"b":"x"}],"@odata.nextLink":"https://org/next"}`))
	f.Add([]byte(`{"value":[null]}`))
	f.Add([]byte(`{"value":[{"a":1e999}]}`))
	f.Add([]byte(`{"value":[],"value":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := decodeRowsPage(bytes.NewReader(data), nil, "the rows")
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON as %d rows", len(rows))
		}
		for _, r := range rows {
			if r == nil {
				t.Fatal("a nil row")
			}
		}
	})
}

func TestSessionRecordByItsKeyColumn(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	a, b := openCase(t, w, "camille"), openCase(t, w, "jordan")
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	seedSessions(t, fx, c, a.ID, b.ID)
	before := len(fx.requests())
	row, found, err := c.SessionRecord(context.Background(), sessionTable, "4", []string{"lmi_sessionid"})
	if err != nil || !found || row["lmi_sessionid"] != "4" {
		t.Fatalf("%v %v %v", row, found, err)
	}
	if r := fx.requests()[before]; r.rawQuery != "$select=lmi_sessionid&$filter=lmi_sessionid%20eq%20'4'&$top=1" {
		t.Errorf("query %s", r.rawQuery)
	}
	if _, found, err := c.SessionRecord(context.Background(), sessionTable, "o'brien", nil); err != nil || found {
		t.Fatalf("a missing session: %v %v", found, err)
	}
}
