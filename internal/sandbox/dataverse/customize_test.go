package dataverse

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// A table, columns, a lookup and a key as the metadata documentation's examples write them.
const (
	widgetTable = `{"@odata.type":"Microsoft.Dynamics.CRM.EntityMetadata",
 "Attributes":[{"AttributeType":"String","AttributeTypeName":{"Value":"StringType"},
   "Description":{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[{"@odata.type":"Microsoft.Dynamics.CRM.LocalizedLabel","Label":"Type the widget's name","LanguageCode":1033}]},
   "DisplayName":{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[{"@odata.type":"Microsoft.Dynamics.CRM.LocalizedLabel","Label":"Name","LanguageCode":1033}]},
   "IsPrimaryName":true,"RequiredLevel":{"Value":"None","CanBeChanged":true,"ManagedPropertyLogicalName":"canmodifyrequirementlevelsettings"},
   "SchemaName":"test_Name","@odata.type":"Microsoft.Dynamics.CRM.StringAttributeMetadata","FormatName":{"Value":"Text"},"MaxLength":10}],
 "Description":{"LocalizedLabels":[{"Label":"Widgets","LanguageCode":1033}]},
 "DisplayCollectionName":{"LocalizedLabels":[{"Label":"Widgets","LanguageCode":1033}]},
 "DisplayName":{"LocalizedLabels":[{"Label":"Widget","LanguageCode":1033}]},
 "HasActivities":false,"HasNotes":false,"IsActivity":false,"OwnershipType":"UserOwned","SchemaName":"test_Widget"}`
	widgetCode = `{"@odata.type":"Microsoft.Dynamics.CRM.StringAttributeMetadata","AttributeType":"String",
 "DisplayName":{"LocalizedLabels":[{"Label":"Code","LanguageCode":1033}]},"SchemaName":"test_Code","MaxLength":20}`
	widgetCount = `{"@odata.type":"Microsoft.Dynamics.CRM.IntegerAttributeMetadata","AttributeType":"Integer","Format":"None",
 "DisplayName":{"LocalizedLabels":[{"Label":"Count","LanguageCode":1033}]},"SchemaName":"test_Count","MinValue":0,"MaxValue":100}`
	widgetCase = `{"@odata.type":"Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata","SchemaName":"test_incident_test_widget",
 "ReferencedEntity":"incident","ReferencedAttribute":"incidentid","ReferencingEntity":"test_widget",
 "CascadeConfiguration":{"Assign":"NoCascade","Delete":"RemoveLink","Merge":"NoCascade","Reparent":"NoCascade","Share":"NoCascade","Unshare":"NoCascade"},
 "ReferencingEntityNavigationPropertyName":"test_caseid",
 "Lookup":{"@odata.type":"Microsoft.Dynamics.CRM.LookupAttributeMetadata","AttributeType":"Lookup","SchemaName":"test_CaseId",
   "DisplayName":{"LocalizedLabels":[{"Label":"Case","LanguageCode":1033}]}}}`
	widgetKey = `{"SchemaName":"test_CodeKey","DisplayName":{"LocalizedLabels":[{"Label":"Code key","LanguageCode":1033}]},"KeyAttributes":["test_code"]}`
)

// entityID reads the OData-EntityId of a 204.
func entityID(t *testing.T, r response) string {
	t.Helper()
	mustStatus(t, r, http.StatusNoContent)
	id := r.header.Get("OData-EntityId")
	if id == "" {
		t.Fatalf("no OData-EntityId: %v", r.header)
	}
	return id
}

func TestWithoutSolution(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.WithoutSolution = true })
	mustStatus(t, f.get(SessionSet), http.StatusNotFound)
	mustStatus(t, f.get(UserSettingSet), http.StatusNotFound)
	mustStatus(t, f.get("EntityDefinitions(LogicalName='lmi_session')"), http.StatusNotFound)
	r := f.get("EntityDefinitions?$select=LogicalName&$filter=" + url.QueryEscape("EntitySetName eq 'lmi_sessions'"))
	mustStatus(t, r, http.StatusOK)
	if n := len(r.values(t)); n != 0 {
		t.Fatalf("%d tables for lmi_sessions: %s", n, r.body)
	}
	for _, job := range f.s.Records("asyncoperations") {
		if job["operationtype"] == 63 {
			t.Fatalf("a key-index job without a key: %v", job)
		}
	}
	mustStatus(t, f.get("incidents?$top=1"), http.StatusOK)
}

func TestEntityDefinitionsCollection(t *testing.T) {
	f := newFixture(t)
	r := f.get("EntityDefinitions?$select=LogicalName,EntitySetName&$filter=" + url.QueryEscape("EntitySetName eq 'lmi_sessions'"))
	mustStatus(t, r, http.StatusOK)
	want := `{"@odata.context":"` + f.base + `$metadata#EntityDefinitions(LogicalName,EntitySetName)","value":[` +
		`{"MetadataId":"` + world.GUID("entity:lmi_session") + `","LogicalName":"lmi_session","EntitySetName":"lmi_sessions"}]}`
	if r.body != want {
		t.Fatalf("\n got %s\nwant %s", r.body, want)
	}
	r = f.get("EntityDefinitions?$select=LogicalName&$filter=" + url.QueryEscape("IsCustomEntity eq true") + "&$expand=Keys")
	mustStatus(t, r, http.StatusOK)
	var names []string
	for _, v := range r.values(t) {
		names = append(names, v["LogicalName"].(string))
	}
	if !slices.Equal(names, []string{"lmi_session", "lmi_usersetting"}) {
		t.Fatalf("custom tables %v", names)
	}
	if all := f.get("EntityDefinitions").values(t); len(all) != 8 {
		t.Fatalf("%d tables, want the 8 of the seed", len(all))
	}
	for path, status := range map[string]int{
		"EntityDefinitions?$top=1":                                 http.StatusBadRequest,
		"EntityDefinitions?$filter=Nothing%20eq%20'x'":             http.StatusBadRequest,
		"EntityDefinitions?$filter=LogicalName%20eq%201":           http.StatusBadRequest,
		"EntityDefinitions?$select=Nothing":                        http.StatusBadRequest,
		"EntityDefinitions/Attributes":                             http.StatusNotImplemented,
		"EntityDefinitions(" + world.GUID("nothing") + ")":         http.StatusNotFound,
		"EntityDefinitions(" + world.GUID("entity:incident") + ")": http.StatusOK,
	} {
		mustStatus(t, f.get(path), status)
	}
}

func TestSeededSessionAttributes(t *testing.T) {
	f := newFixture(t)
	r := f.get("EntityDefinitions(LogicalName='lmi_session')/Attributes?$select=LogicalName,AttributeType")
	mustStatus(t, r, http.StatusOK)
	types := map[string]string{}
	for _, v := range r.values(t) {
		types[v["LogicalName"].(string)] = v["AttributeType"].(string)
		if v["@odata.type"] == nil {
			t.Fatalf("no @odata.type: %v", v)
		}
	}
	for name, typ := range map[string]string{
		"lmi_sessionrecordid": "Uniqueidentifier", "lmi_sessionid": "String", "lmi_incidentid": "Lookup",
		"lmi_name": "String", "lmi_notes": "Memo", "lmi_resolved": "Boolean", "lmi_totalseconds": "Integer",
		"lmi_start": "DateTime", "ownerid": "Owner", "statecode": "State",
	} {
		if types[name] != typ {
			t.Errorf("%s is %q, want %s", name, types[name], typ)
		}
	}
	one := f.get("EntityDefinitions(LogicalName='lmi_session')/Attributes(LogicalName='lmi_incidentid')?$select=LogicalName,AttributeType")
	want := `{"@odata.context":"` + f.base + `$metadata#EntityDefinitions('lmi_session')/Attributes(LogicalName,AttributeType)/$entity",` +
		`"@odata.type":"#Microsoft.Dynamics.CRM.LookupAttributeMetadata","MetadataId":"` + world.GUID("attribute:lmi_session.lmi_incidentid") +
		`","LogicalName":"lmi_incidentid","AttributeType":"Lookup"}`
	if one.body != want {
		t.Fatalf("\n got %s\nwant %s", one.body, want)
	}
	mustStatus(t, f.get("EntityDefinitions(LogicalName='lmi_session')/Attributes(LogicalName='nothing')"), http.StatusNotFound)
}

func TestCreateTableColumnsLookupAndKey(t *testing.T) {
	f := newFixture(t)
	id := entityID(t, f.call(http.MethodPost, "EntityDefinitions", widgetTable, "MSCRM.SolutionUniqueName", "examplesolution"))
	metadataID := world.GUID("new-row:1")
	if id != f.base+"EntityDefinitions("+metadataID+")" {
		t.Fatalf("OData-EntityId %s", id)
	}
	def := f.get("EntityDefinitions(" + metadataID + ")?$select=LogicalName,SchemaName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,OwnershipType,IsCustomEntity").json(t)
	for k, v := range map[string]any{
		"LogicalName": "test_widget", "SchemaName": "test_Widget", "EntitySetName": "test_widgets",
		"PrimaryIdAttribute": "test_widgetid", "PrimaryNameAttribute": "test_name", "OwnershipType": "UserOwned", "IsCustomEntity": true,
	} {
		if def[k] != v {
			t.Errorf("%s = %v, want %v", k, def[k], v)
		}
	}
	attrID := entityID(t, f.call(http.MethodPost, "EntityDefinitions(LogicalName='test_widget')/Attributes", widgetCode))
	if !strings.HasPrefix(attrID, f.base+"EntityDefinitions(LogicalName='test_widget')/Attributes(") {
		t.Fatalf("attribute id %s", attrID)
	}
	entityID(t, f.call(http.MethodPost, "EntityDefinitions(LogicalName='test_widget')/Attributes", widgetCount))
	entityID(t, f.call(http.MethodPost, "RelationshipDefinitions", widgetCase))

	// The table takes rows with its columns, and only those.
	incident := f.w.Cases[0].ID
	row := `{"test_name":"W1","test_code":"A-1","test_count":3,"test_caseid@odata.bind":"/incidents(` + incident + `)"}`
	rowID := entityID(t, f.call(http.MethodPost, "test_widgets", row))
	got := f.get(strings.TrimPrefix(rowID, f.base)+"?$select=test_name,test_code,test_count,_test_caseid_value,statecode,_ownerid_value",
		"Prefer", `odata.include-annotations="*"`).json(t)
	if got["test_code"] != "A-1" || got["test_count"] != float64(3) || got["_test_caseid_value"] != incident ||
		got["_test_caseid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] != "incident" || got["statecode"] != float64(0) ||
		got["_ownerid_value"] != f.tech("camille").SystemUserID {
		t.Fatalf("row %v", got)
	}
	for body, status := range map[string]int{
		`{"test_other":"x"}`:            http.StatusBadRequest,
		`{"test_name":"too long name"}`: http.StatusBadRequest,
		`{"test_count":"3"}`:            http.StatusBadRequest,
	} {
		mustStatus(t, f.call(http.MethodPost, "test_widgets", body), status)
	}

	// A key is Pending until its metadata is read, then Active; it then addresses rows.
	keyID := entityID(t, f.call(http.MethodPost, "EntityDefinitions(LogicalName='test_widget')/Keys", widgetKey))
	if !strings.HasPrefix(keyID, f.base+"EntityDefinitions(LogicalName='test_widget')/Keys(") {
		t.Fatalf("key id %s", keyID)
	}
	if status, _ := f.s.KeyStatus("test_widget", "test_codekey"); status != "Pending" {
		t.Fatalf("a new key is %s", status)
	}
	k := f.get("EntityDefinitions(LogicalName='test_widget')/Keys(LogicalName='test_codekey')?$select=EntityKeyIndexStatus,KeyAttributes").json(t)
	if k["EntityKeyIndexStatus"] != "Active" {
		t.Fatalf("key %v", k)
	}
	mustStatus(t, f.call(http.MethodPatch, "test_widgets(test_code='A-1')", `{"test_count":4}`), http.StatusNoContent)
	mustStatus(t, f.call(http.MethodPatch, "test_widgets(test_code='B-2')", `{"test_name":"W2"}`), http.StatusNoContent)
	mustStatus(t, f.call(http.MethodPost, "test_widgets", `{"test_name":"W3","test_code":"a-1"}`), http.StatusPreconditionFailed)
	if n := len(f.s.Records("test_widgets")); n != 2 {
		t.Fatalf("%d rows", n)
	}
}

func TestKeyOverDuplicatesFails(t *testing.T) {
	f := newFixture(t)
	entityID(t, f.call(http.MethodPost, "EntityDefinitions", widgetTable))
	entityID(t, f.call(http.MethodPost, "EntityDefinitions(LogicalName='test_widget')/Attributes", widgetCode))
	for _, name := range []string{"W1", "W2"} {
		entityID(t, f.call(http.MethodPost, "test_widgets", `{"test_name":"`+name+`","test_code":"same"}`))
	}
	f.clock.advance(time.Minute)
	entityID(t, f.call(http.MethodPost, "EntityDefinitions(LogicalName='test_widget')/Keys", widgetKey))
	keys := f.get("EntityDefinitions(LogicalName='test_widget')/Keys?$expand=AsyncJob($select=statuscode,message,friendlymessage)").values(t)
	job, _ := keys[0]["AsyncJob"].(map[string]any)
	if keys[0]["EntityKeyIndexStatus"] != "Failed" || job["statuscode"] != float64(31) ||
		!strings.Contains(job["message"].(string), "duplicate key values") || !strings.Contains(job["friendlymessage"].(string), "Code key") {
		t.Fatalf("keys %v", keys)
	}
	// Reactivating while the duplicates remain fails again; once they are gone, the key is Active.
	reactivate := `{"EntityLogicalName":"test_widget","EntityKeyLogicalName":"test_codekey"}`
	mustStatus(t, f.call(http.MethodPost, "ReactivateEntityKey", reactivate), http.StatusNoContent)
	if got := f.get("EntityDefinitions(LogicalName='test_widget')/Keys(LogicalName='test_codekey')").json(t)["EntityKeyIndexStatus"]; got != "Failed" {
		t.Fatalf("reactivated over duplicates: %v", got)
	}
	rows := f.s.Records("test_widgets")
	mustStatus(t, f.call(http.MethodDelete, "test_widgets("+rows[0]["test_widgetid"].(string)+")", ""), http.StatusNoContent)
	mustStatus(t, f.call(http.MethodPost, "ReactivateEntityKey", reactivate), http.StatusNoContent)
	if got := f.get("EntityDefinitions(LogicalName='test_widget')/Keys(LogicalName='test_codekey')").json(t)["EntityKeyIndexStatus"]; got != "Active" {
		t.Fatalf("reactivated without duplicates: %v", got)
	}
}

func TestCustomizationRefusals(t *testing.T) {
	f := newFixture(t)
	entityID(t, f.call(http.MethodPost, "EntityDefinitions", widgetTable))
	entityID(t, f.call(http.MethodPost, "EntityDefinitions(LogicalName='test_widget')/Attributes", widgetCode))
	replace := func(body, old, repl string) string { return strings.Replace(body, old, repl, 1) }
	columns, keys := f.s.Attributes("test_widget"), f.s.Keys("test_widget")
	for _, tc := range []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"same table again", "EntityDefinitions", widgetTable, 400, "already exists"},
		{"no prefix", "EntityDefinitions", replace(widgetTable, `"SchemaName":"test_Widget"`, `"SchemaName":"Widget"`), 400, "customization prefix"},
		{"no primary name", "EntityDefinitions", replace(replace(widgetTable, `"IsPrimaryName":true,`, ``), "test_Widget", "test_Gadget"), 400, "IsPrimaryName"},
		{"no ownership", "EntityDefinitions", replace(replace(widgetTable, `"OwnershipType":"UserOwned",`, ``), "test_Widget", "test_Gadget"), 400, "OwnershipType"},
		{"unknown property", "EntityDefinitions", replace(widgetTable, `"HasNotes":false`, `"HasNotes":false,"Colour":"red"`), 400, "Colour"},
		{"activity table", "EntityDefinitions", replace(replace(widgetTable, `"IsActivity":false`, `"IsActivity":true`), "test_Widget", "test_Gadget"), 501, "activity"},
		{"same column again", "EntityDefinitions(LogicalName='test_widget')/Attributes", widgetCode, 400, "already exists"},
		{"lookup as a column", "EntityDefinitions(LogicalName='test_widget')/Attributes", replace(widgetCode, "StringAttributeMetadata", "LookupAttributeMetadata"), 400, "RelationshipDefinitions"},
		{"decimal column", "EntityDefinitions(LogicalName='test_widget')/Attributes", replace(widgetCode, "StringAttributeMetadata", "DecimalAttributeMetadata"), 501, "DecimalAttributeMetadata"},
		{"no @odata.type", "EntityDefinitions(LogicalName='test_widget')/Attributes", replace(widgetCode, `"@odata.type":"Microsoft.Dynamics.CRM.StringAttributeMetadata",`, ``), 400, "@odata.type"},
		{"too long", "EntityDefinitions(LogicalName='test_widget')/Attributes", replace(replace(widgetCode, `"MaxLength":20`, `"MaxLength":4001`), "test_Code", "test_Long"), 400, "MaxLength"},
		{"column of a missing table", "EntityDefinitions(LogicalName='test_gadget')/Attributes", widgetCode, 404, "test_gadget"},
		{"key on a missing column", "EntityDefinitions(LogicalName='test_widget')/Keys", replace(widgetKey, `["test_code"]`, `["test_nothing"]`), 400, "does not exist"},
		{"key on a lookup", "EntityDefinitions(LogicalName='incident')/Keys", replace(widgetKey, `["test_code"]`, `["customerid"]`), 501, "lookup"},
		{"many-to-many", "RelationshipDefinitions", replace(widgetCase, "OneToManyRelationshipMetadata", "ManyToManyRelationshipMetadata"), 501, "many-to-many"},
		{"lookup to nowhere", "RelationshipDefinitions", replace(widgetCase, `"ReferencedEntity":"incident"`, `"ReferencedEntity":"nothing"`), 404, "nothing"},
		{"wrong referenced key", "RelationshipDefinitions", replace(widgetCase, `"ReferencedAttribute":"incidentid"`, `"ReferencedAttribute":"title"`), 400, "primary key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(http.MethodPost, tc.path, tc.body)
			mustStatus(t, r, tc.status)
			if _, msg := r.errorOf(t); !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q lacks %q", msg, tc.want)
			}
		})
	}
	if f.s.HasTable("test_gadgets") || !slices.Equal(f.s.Attributes("test_widget"), columns) || len(f.s.Keys("test_widget")) != len(keys) {
		t.Fatal("a refused request changed the organisation")
	}
	mustStatus(t, f.get("RelationshipDefinitions"), http.StatusNotImplemented)
}

func TestNonCustomizerIsRefused(t *testing.T) {
	var camille string
	f := newFixtureWith(t, func(o *Options) {
		camille = world.New(seedTime).Technicians[0].SystemUserID
		o.NonCustomizers = []string{strings.ToUpper(camille)}
	})
	if f.tech("camille").SystemUserID != camille {
		t.Fatal("the first technician is not Camille")
	}
	before := f.s.Attributes(SessionEntity)
	if err := f.s.SetKeyStatus(SessionEntity, SessionKeyName, "Failed"); err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct{ path, body string }{
		{"EntityDefinitions", widgetTable},
		{"EntityDefinitions(LogicalName='lmi_session')/Attributes", strings.ReplaceAll(widgetCode, "test_", "lmi_")},
		{"EntityDefinitions(LogicalName='lmi_session')/Keys", strings.ReplaceAll(widgetKey, "test_code", "lmi_name")},
		{"RelationshipDefinitions", strings.ReplaceAll(widgetCase, "test_widget", "lmi_session")},
		{"ReactivateEntityKey", `{"EntityLogicalName":"lmi_session","EntityKeyLogicalName":"lmi_sessionkey"}`},
	} {
		r := f.call(http.MethodPost, req.path, req.body)
		mustStatus(t, r, http.StatusForbidden)
		code, msg := r.errorOf(t)
		if code != "0x80040220" || !strings.HasPrefix(msg, "SecLib::CheckPrivilege failed. User: "+camille+", PrivilegeName: prv") {
			t.Fatalf("%s: %s %s", req.path, code, msg)
		}
	}
	if f.s.HasTable("test_widgets") || !slices.Equal(f.s.Attributes(SessionEntity), before) || len(f.s.Keys(SessionEntity)) != 1 {
		t.Fatal("a refused customization changed the organisation")
	}
	if status, _ := f.s.KeyStatus(SessionEntity, SessionKeyName); status != "Failed" {
		t.Fatalf("the refused reactivation left the key %s", status)
	}
	// Jordan may customize; Camille may once granted the role.
	mustStatus(t, f.call(http.MethodPost, "EntityDefinitions", widgetTable, "Authorization", "Bearer "+tokJordan), http.StatusNoContent)
	f.s.SetCustomizer(camille, true)
	mustStatus(t, f.call(http.MethodPost, "ReactivateEntityKey", `{"EntityLogicalName":"lmi_session","EntityKeyLogicalName":"lmi_sessionkey"}`), http.StatusNoContent)
}

func TestPluralOf(t *testing.T) {
	for in, want := range map[string]string{
		"lmi_session": "lmi_sessions", "new_bankaccount": "new_bankaccounts", "new_box": "new_boxes",
		"new_category": "new_categories", "new_day": "new_days", "new_class": "new_classes",
	} {
		if got := pluralOf(in); got != want {
			t.Errorf("pluralOf(%q) = %q, want %q", in, got, want)
		}
	}
}
