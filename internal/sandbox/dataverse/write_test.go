package dataverse

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func TestPatchAssignsTheCase(t *testing.T) {
	f := newFixture(t)
	c := f.w.Cases[0]
	jordan := f.tech("jordan")
	before, _ := f.s.Record("incidents", c.ID)
	beforeTag := etagOf(f.s.tables["incidents"].rows[c.ID])
	f.clock.advance(90 * time.Minute)

	r := f.call(http.MethodPatch, "incidents("+c.ID+")", `{"ownerid@odata.bind":"/systemusers(`+jordan.SystemUserID+`)"}`, "If-Match", "*")
	mustStatus(t, r, http.StatusNoContent)
	if r.header.Get("OData-EntityId") != f.base+"incidents("+c.ID+")" || r.body != "" {
		t.Fatalf("OData-EntityId %q body %q", r.header.Get("OData-EntityId"), r.body)
	}
	after, _ := f.s.Record("incidents", c.ID)
	if after["_ownerid_value"] != jordan.SystemUserID {
		t.Fatalf("owner %v", after["_ownerid_value"])
	}
	if after["modifiedon"] != wireTime(seedTime.Add(90*time.Minute)) {
		t.Fatalf("modifiedon %v", after["modifiedon"])
	}
	if etagOf(f.s.tables["incidents"].rows[c.ID]) == beforeTag {
		t.Fatal("row version not bumped")
	}
	for k, v := range before {
		if k != "_ownerid_value" && k != "modifiedon" && after[k] != v {
			t.Fatalf("%s changed from %v to %v", k, v, after[k])
		}
	}
	// The owner's name follows in the annotations.
	got := f.get("incidents("+c.ID+")?$select=_ownerid_value", "Prefer", `odata.include-annotations="OData.Community.Display.V1.FormattedValue"`)
	if got.json(t)["_ownerid_value@OData.Community.Display.V1.FormattedValue"] != jordan.Name {
		t.Fatalf("%s", got.body)
	}
}

func TestPatchIncidentErrors(t *testing.T) {
	f := newFixture(t)
	c := f.w.Cases[0]
	missing := world.GUID("missing")
	path := "incidents(" + c.ID + ")"
	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		want             string // exact body when it starts with {, else a part of the message
	}{
		{
			"unknown owner", path, `{"ownerid@odata.bind":"/systemusers(` + missing + `)"}`, nil, 404,
			`{"error":{"code":"0x80040217","message":"systemuser With Id = ` + missing + ` Does Not Exist"}}`,
		},
		{"owner of the wrong table", path, `{"ownerid@odata.bind":"/contacts(` + f.w.Contacts[0].ID + `)"}`, nil, 400, "not a valid target"},
		{"teams are not served", path, `{"ownerid@odata.bind":"/teams(` + missing + `)"}`, nil, 404, "segment 'teams'"},
		{
			"stale etag", path, `{"title":"x"}`,
			[]string{"If-Match", `W/"1"`},
			412,
			`{"error":{"code":"0x80060882","message":"The version of the existing record doesn't match the RowVersion property provided."}}`,
		},
		{
			"update-only on a missing row", "incidents(" + missing + ")", `{"title":"x"}`,
			[]string{"If-Match", "*"},
			404,
			`{"error":{"code":"0x80040217","message":"incident With Id = ` + missing + ` Does Not Exist"}}`,
		},
		{"upsert of a case with no customer", "incidents(" + missing + ")", `{"title":"x"}`, nil, 400, "'customerid' is required"},
		{"status of another state", path, `{"statecode":0,"statuscode":5}`, nil, 400, "not a valid status code"},
		{"resolve by update", path, `{"statecode":1,"statuscode":5}`, nil, 400, "use the CloseIncidentRequest message instead"},
		{"unknown state", path, `{"statecode":7}`, nil, 400, "not a valid state code"},
		{"read-only column", path, `{"ticketnumber":"CAS-1"}`, nil, 400, "cannot be set"},
		{"lookup value", path, `{"_ownerid_value":"` + missing + `"}`, nil, 400, "read-only"},
		{"navigation property as a value", path, `{"ownerid":"` + missing + `"}`, nil, 400, "navigation property 'ownerid'"},
		{"unknown column", path, `{"nothing":1}`, nil, 400, "The property 'nothing' does not exist on type 'Microsoft.Dynamics.CRM.incident'"},
		{"bind of an unknown navigation", path, `{"nothing@odata.bind":"/contacts(` + missing + `)"}`, nil, 400, "undeclared property 'nothing'"},
		{"customer bound twice", path, `{"customerid_contact@odata.bind":"/contacts(` + f.w.Contacts[0].ID + `)","customerid_account@odata.bind":"/accounts(` + f.w.Accounts[0].ID + `)"}`, nil, 400, "more than once"},
		{"title too long", path, `{"title":"` + strings.Repeat("é", 201) + `"}`, nil, 400, "maximum allowed length of '200'"},
		{"title removed", path, `{"title":null}`, nil, 400, "'title' is required"},
		{"wrong type", path, `{"prioritycode":"high"}`, nil, 400, "Cannot convert the literal 'high' to the expected type 'Edm.Int32'"},
		{"other id in the body", path, `{"incidentid":"` + missing + `"}`, nil, 400, "Entity Id must be the same"},
		{"unknown annotation", path, `{"title@OData.Community.Display.V1.FormattedValue":"x"}`, nil, 400, "not supported in a request body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(http.MethodPatch, tc.path, tc.body, tc.headers...)
			mustStatus(t, r, tc.status)
			if strings.HasPrefix(tc.want, "{") {
				if r.body != tc.want {
					t.Fatalf("\n got %s\nwant %s", r.body, tc.want)
				}
				return
			}
			if _, msg := r.errorOf(t); !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q lacks %q", msg, tc.want)
			}
		})
	}
	if rec, _ := f.s.Record("incidents", c.ID); rec["title"] != c.Title || rec["statecode"] != c.StateCode {
		t.Fatalf("a refused update changed the row: %v", rec)
	}
}

func TestIncidentStateChanges(t *testing.T) {
	f := newFixture(t)
	id := f.caseIDs(func(c world.Case) bool { return c.StateCode == 0 })[0]
	path := "incidents(" + id + ")"
	mustStatus(t, f.call(http.MethodPatch, path, `{"statuscode":2}`), http.StatusNoContent)
	mustStatus(t, f.call(http.MethodPatch, path, `{"statecode":2}`), http.StatusNoContent)
	if rec, _ := f.s.Record("incidents", id); rec["statecode"] != 2 || rec["statuscode"] != 6 {
		t.Fatalf("cancel: %v/%v", rec["statecode"], rec["statuscode"])
	}
	mustStatus(t, f.call(http.MethodPatch, path, `{"statecode":0,"statuscode":3}`), http.StatusNoContent)

	// Resolving goes through CloseIncident.
	body := `{"IncidentResolution":{"subject":"Fixed remotely","incidentid@odata.bind":"/incidents(` + id + `)"},"Status":5}`
	mustStatus(t, f.call(http.MethodPost, "CloseIncident", body), http.StatusNoContent)
	if rec, _ := f.s.Record("incidents", id); rec["statecode"] != 1 || rec["statuscode"] != 5 {
		t.Fatalf("resolve: %v/%v", rec["statecode"], rec["statuscode"])
	}
	mustStatus(t, f.call(http.MethodPost, "CloseIncident", body), http.StatusBadRequest)
	mustStatus(t, f.call(http.MethodPost, "CloseIncident", strings.Replace(body, `"Status":5`, `"Status":2`, 1)), http.StatusBadRequest)
	mustStatus(t, f.call(http.MethodPost, "CloseIncident", `{"Status":5}`), http.StatusBadRequest)
	mustStatus(t, f.call(http.MethodGet, "CloseIncident", ""), http.StatusMethodNotAllowed)
}

func TestPatchWithRepresentation(t *testing.T) {
	f := newFixture(t)
	id := f.w.Cases[1].ID
	r := f.call(http.MethodPatch, "incidents("+id+")?$select=title,prioritycode", `{"title":"New title","prioritycode":1}`,
		"Prefer", "return=representation")
	mustStatus(t, r, http.StatusOK)
	m := r.json(t)
	if m["@odata.context"] != f.base+"$metadata#incidents(title,prioritycode)/$entity" || m["title"] != "New title" || m["prioritycode"] != float64(1) {
		t.Fatalf("%s", r.body)
	}
	if r.header.Get("Preference-Applied") != "return=representation" || r.header.Get("ETag") != m["@odata.etag"] {
		t.Fatalf("headers %v", r.header)
	}
}

func TestCreateIncident(t *testing.T) {
	f := newFixture(t)
	contact := f.w.Contacts[2]
	r := f.call(http.MethodPost, "incidents?$select=ticketnumber,statecode,statuscode,prioritycode,_ownerid_value",
		`{"title":"Printer on fire","customerid_contact@odata.bind":"contacts(`+contact.ID+`)"}`, "Prefer", "return=representation")
	mustStatus(t, r, http.StatusCreated)
	m := r.json(t)
	if m["statecode"] != float64(0) || m["statuscode"] != float64(1) || m["prioritycode"] != float64(2) ||
		m["_ownerid_value"] != f.tech("camille").SystemUserID || !strings.HasPrefix(m["ticketnumber"].(string), "CAS-") {
		t.Fatalf("%s", r.body)
	}
	if r.header.Get("OData-EntityId") != "" {
		t.Fatal("OData-EntityId with return=representation")
	}
}

func TestCreateNoteOnACase(t *testing.T) {
	f := newFixture(t)
	incident := f.w.Cases[5].ID
	for _, bind := range []string{"/incidents(" + incident + ")", "incidents(" + incident + ")", f.base + "incidents(" + incident + ")"} {
		r := f.call(http.MethodPost, "annotations", `{"subject":"Rescue session 123","notetext":"Réglé à distance","objectid_incident@odata.bind":"`+bind+`"}`)
		mustStatus(t, r, http.StatusNoContent)
		eid := r.header.Get("OData-EntityId")
		id := strings.TrimSuffix(strings.TrimPrefix(eid, f.base+"annotations("), ")")
		if !guidRE.MatchString(id) {
			t.Fatalf("OData-EntityId %q", eid)
		}
		rec, ok := f.s.Record("annotations", id)
		if !ok || rec["_objectid_value"] != incident || rec["objecttypecode"] != "incident" || rec["notetext"] != "Réglé à distance" ||
			rec["_ownerid_value"] != f.tech("camille").SystemUserID || rec["isdocument"] != false {
			t.Fatalf("note %v", rec)
		}
	}
	r := f.call(http.MethodPost, "annotations?$select=subject", `{"subject":"with representation","objectid_incident@odata.bind":"/incidents(`+incident+`)"}`,
		"Prefer", "return=representation")
	mustStatus(t, r, http.StatusCreated)
	m := r.json(t)
	if m["@odata.context"] != f.base+"$metadata#annotations(subject)/$entity" || m["subject"] != "with representation" || r.header.Get("Preference-Applied") != "return=representation" {
		t.Fatalf("%s", r.body)
	}
	list := f.get("annotations?$select=subject&$filter=" + url.QueryEscape("_objectid_value eq "+incident))
	if n := len(list.values(t)); n != 4 {
		t.Fatalf("%d notes on the case", n)
	}
	missing := world.GUID("missing")
	mustStatus(t, f.call(http.MethodPost, "annotations", `{"subject":"x","objectid_incident@odata.bind":"/incidents(`+missing+`)"}`), http.StatusNotFound)
	mustStatus(t, f.call(http.MethodDelete, "annotations("+m["annotationid"].(string)+")", ""), http.StatusNoContent)
	mustStatus(t, f.call(http.MethodDelete, "annotations("+m["annotationid"].(string)+")", ""), http.StatusNotFound)
	mustStatus(t, f.call(http.MethodDelete, "incidents("+incident+")", ""), http.StatusMethodNotAllowed)
}

func TestUpsertBySessionKey(t *testing.T) {
	f := newFixture(t)
	key := "lmi_sessions(lmi_sessionid='123')"
	idOf := func(r response) string {
		t.Helper()
		eid := r.header.Get("OData-EntityId")
		id := strings.TrimSuffix(strings.TrimPrefix(eid, f.base+"lmi_sessions("), ")")
		if !guidRE.MatchString(id) {
			t.Fatalf("OData-EntityId %q", eid)
		}
		return id
	}
	r := f.call(http.MethodPatch, key, `{"lmi_name":"Session 123","lmi_duration":754,"lmi_closed":false}`)
	mustStatus(t, r, http.StatusNoContent)
	id := idOf(r)
	r = f.call(http.MethodPatch, key, `{"lmi_name":"Session 123 (updated)"}`, "If-None-Match", "null")
	mustStatus(t, r, http.StatusNoContent)
	if idOf(r) != id {
		t.Fatal("the second upsert named another row")
	}
	rec, _ := f.s.Record("lmi_sessions", id)
	if rec["lmi_sessionid"] != "123" || rec["lmi_name"] != "Session 123 (updated)" || rec["statecode"] != 0 || rec["statuscode"] != 1 ||
		rec["_ownerid_value"] != f.tech("camille").SystemUserID || rec["lmi_duration"] == nil {
		t.Fatalf("row %v", rec)
	}

	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		want             string
	}{
		{
			"create-only on an existing key", key, `{"lmi_name":"x"}`,
			[]string{"If-None-Match", "*"},
			412,
			`{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}`,
		},
		{
			"update-only on a missing key", "lmi_sessions(lmi_sessionid='404')", `{"lmi_name":"x"}`,
			[]string{"If-Match", "*"},
			404,
			`{"error":{"code":"0x80040217","message":"A record with the specified key values does not exist in lmi_session entity"}}`,
		},
		{
			"wrong key name", "lmi_sessions(lmi_sessionkey='123')", `{}`, nil, 400,
			`{"error":{"code":"0x80060888","message":"The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.lmi_session'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.lmi_session'."}}`,
		},
		{"number for a text key", "lmi_sessions(lmi_sessionid=123)", `{}`, nil, 400, "The key in the request URI is not valid"},
		{"key named twice", "lmi_sessions(lmi_sessionid='1',lmi_sessionid='2')", `{}`, nil, 400, "Error in query syntax"},
		{"slash in a key", "lmi_sessions(lmi_sessionid='a%2Fb')", `{}`, nil, 400, "cannot be used in a key"},
		{"inactive pair", key, `{"statecode":1,"statuscode":1}`, nil, 400, "not a valid status code"},
		{"object in a free-form column", key, `{"lmi_details":{"a":1}}`, nil, 400, "takes a string, a number, a boolean or null"},
		{"lookup set as a value", key, `{"lmi_incidentid":"` + f.w.Cases[0].ID + `"}`, nil, 400, "navigation property 'lmi_incidentid'"},
		{"upper case column", key, `{"lmi_Name":"x"}`, nil, 400, "does not exist on type"},
		{"column of another publisher", key, `{"new_name":"x"}`, nil, 400, "does not exist on type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(http.MethodPatch, tc.path, tc.body, tc.headers...)
			mustStatus(t, r, tc.status)
			if strings.HasPrefix(tc.want, "{") {
				if r.body != tc.want {
					t.Fatalf("\n got %s\nwant %s", r.body, tc.want)
				}
				return
			}
			if _, msg := r.errorOf(t); !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q lacks %q", msg, tc.want)
			}
		})
	}

	// Update-only on an existing key, create-only on a new one.
	mustStatus(t, f.call(http.MethodPatch, key, `{"lmi_name":"again"}`, "If-Match", "*"), http.StatusNoContent)
	r = f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='125')", `{"lmi_name":"new"}`, "If-None-Match", "*")
	mustStatus(t, r, http.StatusNoContent)
	if idOf(r) == id {
		t.Fatal("a create-only upsert of a new key reused a row")
	}
	// String key values match as the collation does.
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='abc')", `{}`), http.StatusNoContent)
	a := idOf(f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='ABC')", `{"lmi_name":"same"}`))
	if rows := len(f.s.Records("lmi_sessions")); rows != 3 {
		t.Fatalf("%d rows after upserting abc and ABC (row %s)", rows, a)
	}
}

func TestUpsertStatusCodesWithRepresentation(t *testing.T) {
	f := newFixture(t)
	path := "lmi_sessions(lmi_sessionid='77')?$select=lmi_sessionrecordid"
	r := f.call(http.MethodPatch, path, `{"lmi_name":"first"}`, "Prefer", "return=representation")
	mustStatus(t, r, http.StatusCreated)
	m := r.json(t)
	want := `{"@odata.context":"` + f.base + `$metadata#lmi_sessions(lmi_sessionrecordid)/$entity","@odata.etag":"` +
		strings.ReplaceAll(m["@odata.etag"].(string), `"`, `\"`) + `","lmi_sessionrecordid":"` + m["lmi_sessionrecordid"].(string) + `"}`
	if r.body != want || r.header.Get("ETag") != m["@odata.etag"] {
		t.Fatalf("\n got %s\nwant %s", r.body, want)
	}
	r = f.call(http.MethodPatch, path, `{"lmi_name":"second"}`, "Prefer", "return=representation")
	mustStatus(t, r, http.StatusOK)
	if r.json(t)["lmi_sessionrecordid"] != m["lmi_sessionrecordid"] {
		t.Fatal("the update named another row")
	}
}

func TestUpsertKeyValuesInTheBody(t *testing.T) {
	f := newFixture(t)
	// On create the body's key value wins, as the upsert docs say.
	r := f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='998')", `{"lmi_sessionid":"999"}`)
	mustStatus(t, r, http.StatusNoContent)
	mustStatus(t, f.get("lmi_sessions(lmi_sessionid='999')"), http.StatusOK)
	mustStatus(t, f.get("lmi_sessions(lmi_sessionid='998')"), http.StatusNotFound)
	// On update the key columns of the body are dropped.
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='999')", `{"lmi_sessionid":"1000","lmi_name":"kept"}`), http.StatusNoContent)
	got := f.get("lmi_sessions(lmi_sessionid='999')?$select=lmi_name")
	if got.json(t)["lmi_name"] != "kept" {
		t.Fatalf("%s", got.body)
	}
	// A create that repeats an existing key value is refused.
	r = f.call(http.MethodPost, "lmi_sessions", `{"lmi_sessionid":"999"}`)
	mustStatus(t, r, http.StatusPreconditionFailed)
	if code, _ := r.errorOf(t); code != "0x80060892" {
		t.Fatalf("code %s", code)
	}
}

func TestSessionRowsLinkToACaseAndDeactivate(t *testing.T) {
	f := newFixture(t)
	incident := f.w.Cases[2].ID
	body := `{"lmi_name":"Session 555","lmi_technician":"Camille Lefèvre","lmi_rating":4.5,"lmi_incidentid@odata.bind":"/incidents(` + incident + `)"}`
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='555')", body), http.StatusNoContent)
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='556')", `{"lmi_name":"Session 556"}`), http.StatusNoContent)

	r := f.get("lmi_sessions(lmi_sessionid='555')")
	mustStatus(t, r, http.StatusOK)
	m := r.json(t)
	if m["@odata.context"] != f.base+"$metadata#lmi_sessions/$entity" || m["_lmi_incidentid_value"] != incident || m["lmi_rating"] != 4.5 {
		t.Fatalf("%s", r.body)
	}
	for _, q := range []string{"_lmi_incidentid_value eq " + incident, "lmi_name eq 'session 555'", "lmi_rating gt 4", "lmi_technician eq 'camille lefevre'"} {
		r := f.get("lmi_sessions?$select=lmi_sessionid&$filter=" + url.QueryEscape(q))
		mustStatus(t, r, http.StatusOK)
		if rows := r.values(t); len(rows) != 1 || rows[0]["lmi_sessionid"] != "555" {
			t.Fatalf("%s: %s", q, r.body)
		}
	}
	// A free-form column written once exists for every row, null where unset.
	r = f.get("lmi_sessions(lmi_sessionid='556')?$select=lmi_rating,lmi_never_written")
	if m := r.json(t); m["lmi_rating"] != nil || len(m) != 5 {
		t.Fatalf("%s", r.body)
	}
	r = f.get("lmi_sessions?$select=lmi_name&$expand=lmi_incidentid($select=title)&$orderby=lmi_sessionid")
	rows := r.values(t)
	if rows[0]["lmi_incidentid"].(map[string]any)["title"] != f.w.Cases[2].Title || rows[1]["lmi_incidentid"] != nil {
		t.Fatalf("%s", r.body)
	}
	// Deactivate, as "close the request at the end of the session" does.
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='555')", `{"statecode":1,"statuscode":2}`, "If-Match", "*"), http.StatusNoContent)
	r = f.get("lmi_sessions(lmi_sessionid='555')?$select=statecode,statuscode", "Prefer", `odata.include-annotations="OData.Community.Display.V1.FormattedValue"`)
	if m := r.json(t); m["statecode"] != float64(1) || m["statuscode@OData.Community.Display.V1.FormattedValue"] != "Inactive" {
		t.Fatalf("%s", r.body)
	}
	// Unlink the case.
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='555')", `{"lmi_incidentid@odata.bind":null}`), http.StatusNoContent)
	if m := f.get("lmi_sessions(lmi_sessionid='555')?$select=_lmi_incidentid_value").json(t); m["_lmi_incidentid_value"] != nil {
		t.Fatalf("%v", m)
	}
	mustStatus(t, f.get("lmi_sessions(lmi_sessionid='nope')"), http.StatusNotFound)
}

func TestRequestBodies(t *testing.T) {
	f := newFixture(t)
	key := "lmi_sessions(lmi_sessionid='1')"
	cases := []struct {
		name, body string
		headers    []string
		status     int
		message    string
	}{
		{"malformed", `{"lmi_name":`, nil, 400, "Invalid JSON"},
		{"not an object", `["x"]`, nil, 400, "must be a JSON object"},
		{"empty", ``, nil, 400, "Invalid JSON"},
		{"two values", `{} {}`, nil, 400, "More than one value"},
		{"property twice", `{"lmi_name":"a","lmi_name":"b"}`, nil, 400, "more than once"},
		{"not UTF-8", "{\"lmi_name\":\"\xff\"}", nil, 400, "UTF-8"},
		{"plain text", `{"lmi_name":"a"}`, []string{"Content-Type", ""}, 0, ""},
		{"another media type", `{"lmi_name":"a"}`, []string{"Content-Type", "text/plain"}, 415, "not supported"},
		{"too large", `{"lmi_name":"` + strings.Repeat("x", maxBodyBytes) + `"}`, nil, 413, "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := tc.headers
			if tc.name == "another media type" {
				headers = []string{"Content-Type", "", "Content-Type", "text/plain"}
			}
			r := f.call(http.MethodPatch, key, tc.body, headers...)
			if tc.status == 0 {
				mustStatus(t, r, http.StatusNoContent)
				return
			}
			mustStatus(t, r, tc.status)
			if _, msg := r.errorOf(t); !strings.Contains(msg, tc.message) {
				t.Fatalf("message %q lacks %q", msg, tc.message)
			}
		})
	}
	// Instance annotations a client copies from a read are not data.
	mustStatus(t, f.call(http.MethodPatch, key, `{"@odata.type":"#Microsoft.Dynamics.CRM.lmi_session","lmi_name":"b"}`), http.StatusNoContent)
}
