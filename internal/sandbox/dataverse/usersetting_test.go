package dataverse

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// settingsBody is the body a technician's first PIN request posts.
func settingsBody(tech world.Technician) string {
	return `{"lmi_name":"` + tech.Name + `","lmi_technicianid":"` + strconv.Itoa(tech.RescueNodeID) + `","lmi_ssoid":"` + tech.SSOID + `"}`
}

// settingsQuery is a select-and-filter read of the settings table.
func settingsQuery(filter string) string {
	return "lmi_usersettings?$select=lmi_technicianid,lmi_ssoid&$filter=" + url.QueryEscape(filter)
}

func TestCreateTechnicianSettingsAsTheSignedInUser(t *testing.T) {
	f := newFixture(t)
	camille := f.tech("camille")
	f.clock.advance(2 * time.Hour)

	r := f.call(http.MethodPost, "lmi_usersettings", settingsBody(camille))
	mustStatus(t, r, http.StatusNoContent)
	id := world.GUID("new-row:1")
	if got := r.header.Get("OData-EntityId"); got != f.base+"lmi_usersettings("+id+")" || r.body != "" {
		t.Fatalf("OData-EntityId %q, body %q", got, r.body)
	}
	rec, ok := f.s.Record(UserSettingSet, id)
	created := wireTime(seedTime.Add(2 * time.Hour))
	want := map[string]any{
		"lmi_usersettingid": id, "lmi_name": camille.Name, "lmi_technicianid": "4310021", "lmi_ssoid": "sso-camille",
		"statecode": 0, "statuscode": 1, "_ownerid_value": camille.SystemUserID, "createdon": created, "modifiedon": created,
	}
	if !ok || len(rec) != len(want) {
		t.Fatalf("row %v", rec)
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}

	// Read back as the product does: by owner and by technician ID, with $select. Exact bytes.
	etag := strings.ReplaceAll(etagOf(f.s.tables[UserSettingSet].rows[id]), `"`, `\"`)
	wantBody := `{"@odata.context":"` + f.base + `$metadata#lmi_usersettings(lmi_technicianid,lmi_ssoid)","value":[` +
		`{"@odata.etag":"` + etag + `","lmi_technicianid":"4310021","lmi_ssoid":"sso-camille","lmi_usersettingid":"` + id + `"}]}`
	for _, filter := range []string{
		"_ownerid_value eq " + camille.SystemUserID,
		"_ownerid_value eq '" + strings.ToUpper(camille.SystemUserID) + "'",
		"lmi_technicianid eq '4310021'",
		"lmi_technicianid eq '4310021' and statecode eq 0",
		"Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')",
	} {
		r := f.get(settingsQuery(filter))
		mustStatus(t, r, http.StatusOK)
		if r.body != wantBody {
			t.Fatalf("%s:\n got %s\nwant %s", filter, r.body, wantBody)
		}
	}
	empty := f.get(settingsQuery("lmi_technicianid eq '123'"))
	mustStatus(t, empty, http.StatusOK)
	if n := len(empty.values(t)); n != 0 {
		t.Fatalf("%d rows for an unknown technician ID", n)
	}
}

func TestCreateTechnicianSettingsWithRepresentation(t *testing.T) {
	f := newFixture(t)
	camille := f.tech("camille")
	r := f.call(http.MethodPost, "lmi_usersettings?$select=lmi_technicianid,_ownerid_value", settingsBody(camille),
		"Prefer", "return=representation")
	mustStatus(t, r, http.StatusCreated)
	m := r.json(t)
	if m["@odata.context"] != f.base+"$metadata#lmi_usersettings(lmi_technicianid,_ownerid_value)/$entity" ||
		m["lmi_technicianid"] != "4310021" || m["_ownerid_value"] != camille.SystemUserID ||
		m["lmi_usersettingid"] != world.GUID("new-row:1") || m["@odata.etag"] == nil || len(m) != 5 {
		t.Fatalf("%s", r.body)
	}
}

func TestSeededTechnicianSettings(t *testing.T) {
	f := newFixture(t)
	jordan := f.tech("jordan")
	rows := f.s.Records(UserSettingSet)
	if len(rows) != 1 {
		t.Fatalf("%d seeded rows, want Jordan's only", len(rows))
	}
	created := wireTime(seedTime.Add(-21 * 24 * time.Hour))
	want := map[string]any{
		"lmi_usersettingid": world.GUID("usersetting:jordan"), "lmi_name": "Jordan O'Neill", "lmi_technicianid": "4310022",
		"lmi_ssoid": "sso-jordan", "statecode": 0, "statuscode": 1, "_ownerid_value": jordan.SystemUserID,
		"createdon": created, "modifiedon": created,
	}
	if len(rows[0]) != len(want) {
		t.Fatalf("row %v", rows[0])
	}
	for k, v := range want {
		if rows[0][k] != v {
			t.Errorf("%s = %v, want %v", k, rows[0][k], v)
		}
	}

	// Jordan's row is found by his technician ID, with the owner's name when annotations are asked.
	r := f.get("lmi_usersettings?$select=lmi_name,_ownerid_value&$filter="+url.QueryEscape("lmi_technicianid eq '4310022'"),
		"Prefer", `odata.include-annotations="OData.Community.Display.V1.FormattedValue"`)
	mustStatus(t, r, http.StatusOK)
	got := r.values(t)
	if len(got) != 1 || got[0]["lmi_name"] != jordan.Name || got[0]["_ownerid_value"] != jordan.SystemUserID ||
		got[0]["_ownerid_value@OData.Community.Display.V1.FormattedValue"] != jordan.Name {
		t.Fatalf("%s", r.body)
	}

	// Camille and Priya have none yet.
	for _, key := range []string{"camille", "priya"} {
		tech := f.tech(key)
		for _, filter := range []string{"_ownerid_value eq " + tech.SystemUserID, "lmi_technicianid eq '" + strconv.Itoa(tech.RescueNodeID) + "'"} {
			r := f.get(settingsQuery(filter))
			mustStatus(t, r, http.StatusOK)
			if n := len(r.values(t)); n != 0 {
				t.Fatalf("%s: %d rows for %s", filter, n, key)
			}
		}
	}
	// Jordan's own token sees his row through EqualUserId.
	r = f.get(settingsQuery("Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')"), "Authorization", "Bearer "+tokJordan)
	if rows := r.values(t); len(rows) != 1 || rows[0]["lmi_ssoid"] != "sso-jordan" {
		t.Fatalf("%s", r.body)
	}
}

func TestTechnicianSettingsOwnerCanBeBound(t *testing.T) {
	f := newFixture(t)
	priya, jordan := f.tech("priya"), f.tech("jordan")
	body := strings.TrimSuffix(settingsBody(priya), "}") + `,"ownerid@odata.bind":"/systemusers(` + priya.SystemUserID + `)"}`
	r := f.call(http.MethodPost, "lmi_usersettings", body)
	mustStatus(t, r, http.StatusNoContent)
	id := world.GUID("new-row:1")
	if rec, _ := f.s.Record(UserSettingSet, id); rec["_ownerid_value"] != priya.SystemUserID {
		t.Fatalf("owner %v, want Priya (bound), not the caller", rec["_ownerid_value"])
	}
	r = f.get(settingsQuery("_ownerid_value eq " + priya.SystemUserID))
	if rows := r.values(t); len(rows) != 1 || rows[0]["lmi_technicianid"] != "4310023" {
		t.Fatalf("%s", r.body)
	}

	// Reassign, then deactivate, then delete.
	path := "lmi_usersettings(" + id + ")"
	mustStatus(t, f.call(http.MethodPatch, path, `{"ownerid@odata.bind":"/systemusers(`+jordan.SystemUserID+`)"}`, "If-Match", "*"), http.StatusNoContent)
	if rec, _ := f.s.Record(UserSettingSet, id); rec["_ownerid_value"] != jordan.SystemUserID {
		t.Fatalf("owner after reassignment %v", rec["_ownerid_value"])
	}
	mustStatus(t, f.call(http.MethodPatch, path, `{"statecode":1}`, "If-Match", "*"), http.StatusNoContent)
	if rec, _ := f.s.Record(UserSettingSet, id); rec["statecode"] != 1 || rec["statuscode"] != 2 {
		t.Fatalf("state %v/%v", rec["statecode"], rec["statuscode"])
	}
	mustStatus(t, f.call(http.MethodDelete, path, ""), http.StatusNoContent)
	mustStatus(t, f.get(path), http.StatusNotFound)
	mustStatus(t, f.call(http.MethodPatch, path, `{"lmi_ssoid":"x"}`, "If-Match", "*"), http.StatusNotFound)
}

func TestTechnicianSettingsRefusals(t *testing.T) {
	f := newFixture(t)
	jordanRow := "lmi_usersettings(" + world.GUID("usersetting:jordan") + ")"
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string // exact body when it starts with {, else a part of the message
	}{
		{
			"an auth code is not a column", http.MethodPost, "lmi_usersettings", `{"lmi_technicianid":"1","lmi_authcode":"secret"}`, 400,
			`{"error":{"code":"0x80060888","message":"The property 'lmi_authcode' does not exist on type 'Microsoft.Dynamics.CRM.lmi_usersetting'. Make sure to only use property names that are defined by the type."}}`,
		},
		{"unknown column on update", http.MethodPatch, jordanRow, `{"lmi_password":"x"}`, 400, "does not exist on type 'Microsoft.Dynamics.CRM.lmi_usersetting'"},
		{
			"unknown column in $select", http.MethodGet, "lmi_usersettings?$select=lmi_authcode", "", 400,
			`{"error":{"code":"0x80060888","message":"Could not find a property named 'lmi_authcode' on type 'Microsoft.Dynamics.CRM.lmi_usersetting'."}}`,
		},
		{"unknown column in $filter", http.MethodGet, settingsQuery("lmi_authcode eq 'x'"), "", 400, "lmi_authcode"},
		{"number for a technician ID", http.MethodPost, "lmi_usersettings", `{"lmi_technicianid":4310021}`, 400, "Cannot convert the literal '4310021' to the expected type 'Edm.String'"},
		{"technician ID too long", http.MethodPost, "lmi_usersettings", `{"lmi_technicianid":"` + strings.Repeat("7", 101) + `"}`, 400, "maximum allowed length of '100'"},
		{"owner as a value", http.MethodPost, "lmi_usersettings", `{"_ownerid_value":"` + f.tech("priya").SystemUserID + `"}`, 400, "read-only"},
		{"owner of the wrong table", http.MethodPatch, jordanRow, `{"ownerid@odata.bind":"/contacts(` + f.w.Contacts[0].ID + `)"}`, 400, "not a valid target"},
		{"no alternate key", http.MethodGet, "lmi_usersettings(lmi_technicianid='4310022')", "", 400, "The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.lmi_usersetting'"},
		{"state and status apart", http.MethodPatch, jordanRow, `{"statecode":0,"statuscode":2}`, 400, "not a valid status code"},
		{"read-only date", http.MethodPatch, jordanRow, `{"createdon":"2026-01-01T00:00:00Z"}`, 400, "cannot be set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(tc.method, tc.path, tc.body)
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
	if rows := f.s.Records(UserSettingSet); len(rows) != 1 || rows[0]["lmi_ssoid"] != "sso-jordan" || rows[0]["statuscode"] != 1 {
		t.Fatalf("a refused request changed the table: %v", rows)
	}
}

func TestTechnicianSettingsMetadata(t *testing.T) {
	f := newFixture(t)
	r := f.get("EntityDefinitions(LogicalName='lmi_usersetting')")
	mustStatus(t, r, http.StatusOK)
	want := `{"@odata.context":"` + f.base + `$metadata#EntityDefinitions/$entity","MetadataId":"` + world.GUID("entity:lmi_usersetting") +
		`","LogicalName":"lmi_usersetting","SchemaName":"lmi_UserSetting","EntitySetName":"lmi_usersettings",` +
		`"LogicalCollectionName":"lmi_usersettings","PrimaryIdAttribute":"lmi_usersettingid","PrimaryNameAttribute":"lmi_name",` +
		`"OwnershipType":"UserOwned","IsCustomEntity":true,"IsActivity":false,"IsOptimisticConcurrencyEnabled":true}`
	if r.body != want {
		t.Fatalf("\n got %s\nwant %s", r.body, want)
	}

	r = f.get("EntityDefinitions(LogicalName='lmi_usersetting')?$select=SchemaName,EntitySetName&$expand=Keys")
	mustStatus(t, r, http.StatusOK)
	want = `{"@odata.context":"` + f.base + `$metadata#EntityDefinitions(SchemaName,EntitySetName,Keys())/$entity","MetadataId":"` +
		world.GUID("entity:lmi_usersetting") + `","SchemaName":"lmi_UserSetting","EntitySetName":"lmi_usersettings","Keys":[]}`
	if r.body != want {
		t.Fatalf("\n got %s\nwant %s", r.body, want)
	}

	r = f.get("EntityDefinitions(LogicalName='lmi_usersetting')/Keys")
	mustStatus(t, r, http.StatusOK)
	if n := len(r.values(t)); n != 0 {
		t.Fatalf("%d keys: %s", n, r.body)
	}
	mustStatus(t, f.get("EntityDefinitions(LogicalName='lmi_usersetting')/Keys(LogicalName='lmi_technicianidkey')"), http.StatusNotFound)
	if _, ok := f.s.KeyStatus(UserSettingEntity, "lmi_technicianidkey"); ok {
		t.Fatal("a key the table does not have has a status")
	}

	r = f.get("")
	if !strings.Contains(r.body, `{"name":"lmi_usersettings","kind":"EntitySet","url":"lmi_usersettings"}`) {
		t.Fatalf("service document: %s", r.body)
	}
}
