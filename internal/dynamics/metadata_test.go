package dynamics

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func TestTableBySet(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	got, found, err := c.TableBySet(context.Background(), "lmi_sessions")
	want := Table{
		MetadataID: world.GUID("entity:lmi_session"), LogicalName: "lmi_session", SchemaName: "lmi_Session",
		EntitySetName: "lmi_sessions", PrimaryIDAttribute: "lmi_sessionrecordid", PrimaryNameAttribute: "lmi_name",
	}
	if err != nil || !found || got != want {
		t.Fatalf("got %+v, %v, %v; want %+v", got, found, err, want)
	}
	req := fx.requests()[0]
	wantQuery := "$select=LogicalName,SchemaName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute&$filter=EntitySetName%20eq%20'lmi_sessions'"
	if req.method != http.MethodGet || req.path != "/api/data/v9.2/EntityDefinitions" || req.rawQuery != wantQuery {
		t.Errorf("request %s %s?%s", req.method, req.path, req.rawQuery)
	}
	if _, found, err := c.TableBySet(context.Background(), "lmi_nothings"); err != nil || found {
		t.Errorf("a missing set: found %v, %v", found, err)
	}
	if _, _, err := c.TableBySet(context.Background(), "lmi_sessions?$top=1"); err == nil || len(fx.requests()) != 2 {
		t.Errorf("a set name with a query was sent: %v", err)
	}
}

func TestAttributesAndKeys(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	ctx := context.Background()
	attrs, err := c.Attributes(ctx, "lmi_session")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, a := range attrs {
		types[a.LogicalName] = a.AttributeType
	}
	if types["lmi_sessionid"] != "String" || types["lmi_incidentid"] != "Lookup" || types["lmi_chatlog"] != "Memo" {
		t.Errorf("attributes %v", types)
	}

	keys, err := c.EntityKeys(ctx, "lmi_session")
	wantKey := EntityKey{
		MetadataID: world.GUID("key:lmi_sessionkey"), LogicalName: "lmi_sessionkey", SchemaName: "lmi_SessionKey",
		KeyAttributes: []string{"lmi_sessionid"}, Status: KeyActive,
	}
	if err != nil || len(keys) != 1 || !equalKeys(keys[0], wantKey) {
		t.Fatalf("keys %+v, %v", keys, err)
	}
	if err := fx.fake.SetKeyStatus("lmi_session", "lmi_sessionkey", "InProgress"); err != nil {
		t.Fatal(err)
	}
	k, err := c.EntityKey(ctx, "lmi_session", "lmi_sessionkey")
	if err != nil || k.Status != KeyInProgress {
		t.Fatalf("key %+v, %v", k, err)
	}
	reqs := fx.requests()
	last := reqs[len(reqs)-1]
	if last.path != "/api/data/v9.2/EntityDefinitions(LogicalName='lmi_session')/Keys(LogicalName='lmi_sessionkey')" ||
		last.rawQuery != "$select=LogicalName,SchemaName,KeyAttributes,EntityKeyIndexStatus" || last.header.Get("Consistency") != "Strong" {
		t.Errorf("key request %s?%s %v", last.path, last.rawQuery, last.header)
	}
	if _, err := c.EntityKey(ctx, "lmi_session", "lmi_nokey"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing key: %v", err)
	}
	if _, err := c.Attributes(ctx, "lmi_nothing"); err == nil || !errors.Is(err, ErrNotFound) && !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing table: %v", err)
	}
}

func equalKeys(a, b EntityKey) bool {
	return a.MetadataID == b.MetadataID && a.LogicalName == b.LogicalName && a.SchemaName == b.SchemaName &&
		slices.Equal(a.KeyAttributes, b.KeyAttributes) && a.Status == b.Status
}

func TestFailedKeyIndexJobsAndReactivation(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	ctx := context.Background()
	if jobs, err := c.FailedKeyIndexJobs(ctx, 10); err != nil || len(jobs) != 0 {
		t.Fatalf("a fresh organisation: %+v, %v", jobs, err)
	}
	req := fx.requests()[0]
	wantQuery := "$select=asyncoperationid,name,operationtype,statuscode,message,friendlymessage,errorcode,primaryentitytype,createdon,completedon" +
		"&$filter=operationtype%20eq%2063%20and%20statuscode%20eq%2031&$orderby=createdon%20desc&$top=10"
	if req.path != "/api/data/v9.2/asyncoperations" || req.rawQuery != wantQuery {
		t.Errorf("jobs request %s?%s", req.path, req.rawQuery)
	}
	if err := fx.fake.SetKeyStatus("lmi_session", "lmi_sessionkey", "Failed"); err != nil {
		t.Fatal(err)
	}
	jobs, err := c.FailedKeyIndexJobs(ctx, 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %+v, %v", jobs, err)
	}
	j := jobs[0]
	if j.StatusCode != 31 || j.PrimaryEntityType != "lmi_session" || j.ErrorCode != -2147016681 || !isGUID(j.ID) ||
		!strings.Contains(j.Message, "duplicate key values") || !strings.Contains(j.FriendlyMessage, "Session key") ||
		!j.CreatedOn.Equal(testNow) || !j.CompletedOn.Equal(testNow) {
		t.Errorf("job %+v", j)
	}
	if _, err := c.FailedKeyIndexJobs(ctx, 0); err == nil {
		t.Error("a limit of 0 was taken")
	}

	before := len(fx.requests())
	if err := c.ReactivateEntityKey(ctx, "lmi_session", "lmi_sessionkey"); err != nil {
		t.Fatal(err)
	}
	post := fx.requests()[before]
	if post.method != http.MethodPost || post.path != "/api/data/v9.2/ReactivateEntityKey" ||
		string(post.body) != `{"EntityLogicalName":"lmi_session","EntityKeyLogicalName":"lmi_sessionkey"}` {
		t.Errorf("reactivation %s %s %s", post.method, post.path, post.body)
	}
	if k, err := c.EntityKey(ctx, "lmi_session", "lmi_sessionkey"); err != nil || k.Status != KeyActive {
		t.Errorf("after reactivation: %+v, %v", k, err)
	}
}

func TestReactivateWithoutPrivilege(t *testing.T) {
	w := world.New(testNow)
	jordan := technician(t, w, "jordan")
	fx := newFixtureWith(t, w, func(o *dataverse.Options) { o.NonCustomizers = []string{jordan.SystemUserID} })
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	if err := fx.fake.SetKeyStatus("lmi_session", "lmi_sessionkey", "Failed"); err != nil {
		t.Fatal(err)
	}
	err := c.ReactivateEntityKey(context.Background(), "lmi_session", "lmi_sessionkey")
	var e *Error
	if !errors.Is(err, ErrAccessDenied) || !errors.As(err, &e) || e.Status != http.StatusForbidden || e.Code != "0x80040220" ||
		!strings.HasPrefix(err.Error(), "Dynamics denied access (403 0x80040220): SecLib::CheckPrivilege failed.") {
		t.Fatalf("%v", err)
	}
	if status, _ := fx.fake.KeyStatus("lmi_session", "lmi_sessionkey"); status != "Failed" {
		t.Errorf("the refused reactivation left the key %s", status)
	}
	if n := len(fx.requests()); n != 1 {
		t.Errorf("%d requests: a refused customization was sent again", n)
	}
}

// sessionDefinition is the session table as doctor creates it.
var sessionDefinition = TableDefinition{
	SchemaName: "lmi_SessionRecord", EntitySetName: "lmi_sessions", DisplayName: "Rescue session", DisplayCollectionName: "Rescue sessions",
	PrimaryName: ColumnDefinition{SchemaName: "lmi_Name", DisplayName: "Name", MaxLength: 200},
}

func TestCreateTableColumnsLookupAndKey(t *testing.T) {
	w := world.New(testNow)
	fx := newFixtureWith(t, w, func(o *dataverse.Options) { o.WithoutSolution = true })
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	ctx := context.Background()

	id, err := c.CreateTable(ctx, sessionDefinition)
	if err != nil || !isGUID(id) {
		t.Fatalf("CreateTable: %q, %v", id, err)
	}
	table, found, err := c.TableBySet(ctx, "lmi_sessions")
	if err != nil || !found || table.LogicalName != "lmi_sessionrecord" || table.MetadataID != id || table.PrimaryNameAttribute != "lmi_name" {
		t.Fatalf("the new table: %+v, %v, %v", table, found, err)
	}
	for _, col := range []ColumnDefinition{
		{SchemaName: "lmi_sessionid", DisplayName: "Rescue session ID", Type: ColumnString, MaxLength: 100},
		{SchemaName: "lmi_Notes", DisplayName: "Notes", Type: ColumnMemo, MaxLength: 100000},
		{SchemaName: "lmi_TotalSeconds", DisplayName: "Total (s)", Type: ColumnInteger},
		{SchemaName: "lmi_Resolved", DisplayName: "Resolved", Type: ColumnBoolean},
		{SchemaName: "lmi_Start", DisplayName: "Start", Type: ColumnDateTime},
	} {
		if err := c.CreateColumn(ctx, "lmi_sessionrecord", col); err != nil {
			t.Fatalf("%s: %v", col.SchemaName, err)
		}
	}
	lookup := LookupDefinition{
		SchemaName: "lmi_incident_lmi_sessionrecord", ReferencedEntity: "incident", ReferencedKey: "incidentid",
		ReferencingEntity: "lmi_sessionrecord", NavigationProperty: "lmi_incidentid",
		Lookup: ColumnDefinition{SchemaName: "lmi_incidentid", DisplayName: "Case"},
	}
	if err := c.CreateLookup(ctx, lookup); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateKey(ctx, "lmi_sessionrecord", KeyDefinition{SchemaName: "lmi_SessionKey", DisplayName: "Session key", Columns: []string{"lmi_sessionid"}}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.EntityKeys(ctx, "lmi_sessionrecord")
	if err != nil || len(keys) != 1 || keys[0].LogicalName != "lmi_sessionkey" || keys[0].Status != KeyActive {
		t.Fatalf("keys %+v, %v", keys, err)
	}

	// The write-back's upsert by key now works, with every kind of column.
	sessions := SessionTable{Set: "lmi_sessions", KeyColumn: "lmi_sessionid", CaseNav: "lmi_incidentid"}
	caseID := w.Cases[0].ID
	recordID, err := c.UpsertSession(ctx, sessions, "4242", caseID, map[string]any{
		"lmi_name": "CAS · Rescue session 4242", "lmi_notes": "Fixed.\nDone.", "lmi_totalseconds": 75,
		"lmi_resolved": true, "lmi_start": "2026-03-10T09:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	row, ok := fx.fake.Record("lmi_sessions", recordID)
	if !ok || row["_lmi_incidentid_value"] != caseID || row["lmi_totalseconds"] != 75 || row["lmi_resolved"] != true ||
		row["lmi_start"] != "2026-03-10T09:00:00Z" || row["lmi_sessionid"] != "4242" {
		t.Fatalf("row %v", row)
	}
	if _, err := c.UpsertSession(ctx, sessions, "4243", "", map[string]any{"lmi_unknown": "x"}); err == nil {
		t.Error("a column the table lacks was taken")
	}
}

func TestMetadataBodies(t *testing.T) {
	fx := newFixtureWith(t, world.New(testNow), func(o *dataverse.Options) { o.WithoutSolution = true })
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	ctx := context.Background()
	if _, err := c.CreateTable(ctx, sessionDefinition); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateColumn(ctx, "lmi_sessionrecord", ColumnDefinition{SchemaName: "lmi_CaseNumber", DisplayName: "Case number", Type: ColumnString}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateKey(ctx, "lmi_sessionrecord", KeyDefinition{SchemaName: "lmi_CaseKey", DisplayName: "Case key", Columns: []string{"lmi_casenumber"}}); err != nil {
		t.Fatal(err)
	}
	reqs := fx.requests()
	lbl := func(text string) string {
		return `{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[{"@odata.type":"Microsoft.Dynamics.CRM.LocalizedLabel","Label":"` + text + `","LanguageCode":1033}]}`
	}
	for _, tc := range []struct {
		req        seenRequest
		path, body string
	}{
		{reqs[0], "/api/data/v9.2/EntityDefinitions", `{"@odata.type":"Microsoft.Dynamics.CRM.EntityMetadata","Attributes":[{` +
			`"@odata.type":"Microsoft.Dynamics.CRM.StringAttributeMetadata","AttributeType":"String","AttributeTypeName":{"Value":"StringType"},` +
			`"DisplayName":` + lbl("Name") + `,"FormatName":{"Value":"Text"},"IsPrimaryName":true,"MaxLength":200,` +
			`"RequiredLevel":{"CanBeChanged":true,"ManagedPropertyLogicalName":"canmodifyrequirementlevelsettings","Value":"None"},"SchemaName":"lmi_Name"}],` +
			`"DisplayCollectionName":` + lbl("Rescue sessions") + `,"DisplayName":` + lbl("Rescue session") + `,"EntitySetName":"lmi_sessions",` +
			`"HasActivities":false,"HasNotes":false,"IsActivity":false,"OwnershipType":"UserOwned","SchemaName":"lmi_SessionRecord"}`},
		{reqs[1], "/api/data/v9.2/EntityDefinitions(LogicalName='lmi_sessionrecord')/Attributes", `{` +
			`"@odata.type":"Microsoft.Dynamics.CRM.StringAttributeMetadata","AttributeType":"String","AttributeTypeName":{"Value":"StringType"},` +
			`"DisplayName":` + lbl("Case number") + `,"FormatName":{"Value":"Text"},"MaxLength":100,` +
			`"RequiredLevel":{"CanBeChanged":true,"ManagedPropertyLogicalName":"canmodifyrequirementlevelsettings","Value":"None"},"SchemaName":"lmi_CaseNumber"}`},
		{reqs[2], "/api/data/v9.2/EntityDefinitions(LogicalName='lmi_sessionrecord')/Keys", `{` +
			`"@odata.type":"Microsoft.Dynamics.CRM.EntityKeyMetadata","DisplayName":` + lbl("Case key") + `,"KeyAttributes":["lmi_casenumber"],"SchemaName":"lmi_CaseKey"}`},
	} {
		if tc.req.method != http.MethodPost || tc.req.path != tc.path || string(tc.req.body) != tc.body ||
			tc.req.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s\n got %s\nwant %s", tc.req.method, tc.req.path, tc.req.body, tc.body)
		}
	}
}

func TestCreateWithoutPrivilege(t *testing.T) {
	w := world.New(testNow)
	camille := technician(t, w, "camille")
	fx := newFixtureWith(t, w, func(o *dataverse.Options) {
		o.WithoutSolution = true
		o.NonCustomizers = []string{camille.SystemUserID}
	})
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	if _, err := c.CreateTable(context.Background(), sessionDefinition); !errors.Is(err, ErrAccessDenied) ||
		!strings.HasPrefix(err.Error(), "dynamics: creating the table lmi_SessionRecord: Dynamics denied access (403 0x80040220)") {
		t.Fatalf("%v", err)
	}
	if fx.fake.HasTable("lmi_sessions") {
		t.Error("a refused create made the table")
	}
}

func TestCreateRefusesBadDefinitions(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	ctx := context.Background()
	for name, err := range map[string]error{
		"table with a slash":    func() error { _, err := c.CreateTable(ctx, TableDefinition{SchemaName: "lmi/x"}); return err }(),
		"column without a type": c.CreateColumn(ctx, "lmi_session", ColumnDefinition{SchemaName: "lmi_X"}),
		"key without columns":   c.CreateKey(ctx, "lmi_session", KeyDefinition{SchemaName: "lmi_K"}),
		"lookup with a space":   c.CreateLookup(ctx, LookupDefinition{SchemaName: "lmi x"}),
	} {
		if err == nil {
			t.Errorf("%s was taken", name)
		}
	}
	if n := len(fx.requests()); n != 0 {
		t.Errorf("%d requests sent for bad definitions", n)
	}
}

func TestMetadataIDFrom(t *testing.T) {
	for in, want := range map[string]string{
		"https://o/api/data/v9.2/EntityDefinitions(417129e1-207c-e511-80d2-00155d2a68d2)":                             "417129e1-207c-e511-80d2-00155d2a68d2",
		"https://o/api/data/v9.2/EntityDefinitions(LogicalName='x')/Attributes(f01bef16-287c-e511-80d2-00155d2a68d2)": "f01bef16-287c-e511-80d2-00155d2a68d2",
		"https://o/api/data/v9.2/EntityDefinitions(LogicalName='x')":                                                  "",
		"":  "",
		"(": "",
	} {
		if got := metadataIDFrom(in); got != want {
			t.Errorf("metadataIDFrom(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMetadataIDFrom(f *testing.F) {
	for _, s := range []string{"https://o/api/data/v9.2/EntityDefinitions(417129e1-207c-e511-80d2-00155d2a68d2)", "()", "(x)", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id := metadataIDFrom(s); id != "" && (!isGUID(id) || !strings.Contains(s, id)) {
			t.Fatalf("%q from %q", id, s)
		}
	})
}

func FuzzDecodeJobs(f *testing.F) {
	for _, s := range []string{
		`{"value":[{"asyncoperationid":"a","name":"n","statuscode":31,"message":"m","friendlymessage":null,"errorcode":-2147016681,` +
			`"primaryentitytype":"lmi_session","createdon":"2026-03-10T09:30:00Z","completedon":null}]}`,
		`{"value":[]}`, `{"value":[null]}`, `{"value":[{"statuscode":"31"}]}`, `{}`, `[]`, `{"value":[{"errorcode":1e99}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		jobs, err := decodeJobs(strings.NewReader(s), "jobs")
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		if err == nil && strings.TrimSpace(s) == "" && len(jobs) != 0 {
			t.Fatal("jobs from nothing")
		}
	})
}
