package dataverse

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSessionKeyMetadata(t *testing.T) {
	f := newFixture(t)
	r := f.get("EntityDefinitions(LogicalName='lmi_session')/Keys", "Consistency", "Strong")
	mustStatus(t, r, http.StatusOK)
	keys := r.values(t)
	if r.json(t)["@odata.context"] != f.base+"$metadata#EntityDefinitions('lmi_session')/Keys" || len(keys) != 1 {
		t.Fatalf("%s", r.body)
	}
	k := keys[0]
	if k["LogicalName"] != "lmi_sessionkey" || k["EntityKeyIndexStatus"] != "Active" || k["EntityLogicalName"] != "lmi_session" ||
		k["SchemaName"] != "lmi_SessionKey" || !guidRE.MatchString(k["MetadataId"].(string)) {
		t.Fatalf("%v", k)
	}
	if attrs := k["KeyAttributes"].([]any); len(attrs) != 1 || attrs[0] != "lmi_sessionid" {
		t.Fatalf("KeyAttributes %v", attrs)
	}
	if _, has := k["AsyncJob"]; has {
		t.Fatal("AsyncJob without $expand")
	}

	one := f.get("EntityDefinitions(LogicalName='lmi_session')/Keys(LogicalName='lmi_sessionkey')?$select=LogicalName,EntityKeyIndexStatus")
	mustStatus(t, one, http.StatusOK)
	want := `{"@odata.context":"` + f.base + `$metadata#EntityDefinitions('lmi_session')/Keys(LogicalName,EntityKeyIndexStatus)/$entity",` +
		`"MetadataId":"` + k["MetadataId"].(string) + `","EntityKeyIndexStatus":"Active","LogicalName":"lmi_sessionkey"}`
	if one.body != want {
		t.Fatalf("\n got %s\nwant %s", one.body, want)
	}

	incidentKeys := f.get("EntityDefinitions(LogicalName='incident')/Keys")
	if n := len(incidentKeys.values(t)); n != 0 {
		t.Fatalf("incident has %d keys", n)
	}
	for path, status := range map[string]int{
		"EntityDefinitions(LogicalName='nothing')/Keys":                              http.StatusNotFound,
		"EntityDefinitions(LogicalName='lmi_session')/Keys(LogicalName='nokey')":     http.StatusNotFound,
		"EntityDefinitions(Name='lmi_session')/Keys":                                 http.StatusBadRequest,
		"EntityDefinitions(LogicalName='lmi_session')/Keys?$select=Nothing":          http.StatusBadRequest,
		"EntityDefinitions(LogicalName='lmi_session')/OneToManyRelationships":        http.StatusNotImplemented,
		"EntityDefinitions(LogicalName='lmi_session')/Keys?$expand=AsyncJob($top=1)": http.StatusBadRequest,
	} {
		mustStatus(t, f.get(path), status)
	}
	def := f.get("EntityDefinitions(LogicalName='lmi_session')?$select=EntitySetName,PrimaryIdAttribute&$expand=Keys")
	mustStatus(t, def, http.StatusOK)
	if m := def.json(t); m["EntitySetName"] != "lmi_sessions" || m["PrimaryIdAttribute"] != "lmi_sessionrecordid" || len(m["Keys"].([]any)) != 1 {
		t.Fatalf("%s", def.body)
	}
}

func TestFailedKeyAndReactivation(t *testing.T) {
	f := newFixture(t)
	failedJobs := "asyncoperations?$select=name,operationtype,statuscode,message,friendlymessage,errorcode,createdon,completedon" +
		"&$filter=" + url.QueryEscape("operationtype eq 63 and statuscode eq 31") + "&$orderby=" + url.QueryEscape("createdon desc")
	if n := len(f.get(failedJobs).values(t)); n != 0 {
		t.Fatalf("%d failed jobs in a fresh organisation", n)
	}
	f.clock.advance(time.Hour)
	if err := f.s.SetKeyStatus("lmi_session", "lmi_sessionkey", "Failed"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetKeyStatus("lmi_session", "lmi_sessionkey", "Broken"); err == nil {
		t.Fatal("an unknown status was taken")
	}
	if err := f.s.SetKeyStatus("lmi_session", "nokey", "Active"); err == nil {
		t.Fatal("an unknown key was taken")
	}

	r := f.get(failedJobs, "Prefer", `odata.include-annotations="OData.Community.Display.V1.FormattedValue"`)
	mustStatus(t, r, http.StatusOK)
	jobs := r.values(t)
	if len(jobs) != 1 || jobs[0]["operationtype@OData.Community.Display.V1.FormattedValue"] != "EntityKey Index Creation" ||
		jobs[0]["statuscode@OData.Community.Display.V1.FormattedValue"] != "Failed" || jobs[0]["message"] == nil ||
		jobs[0]["friendlymessage"] == nil || jobs[0]["errorcode"] == nil || jobs[0]["completedon"] != wireTime(seedTime.Add(time.Hour)) {
		t.Fatalf("%s", r.body)
	}
	keyURL := "EntityDefinitions(LogicalName='lmi_session')/Keys(LogicalName='lmi_sessionkey')?$select=EntityKeyIndexStatus&$expand=AsyncJob($select=statuscode)"
	r = f.get(keyURL)
	if m := r.json(t); m["EntityKeyIndexStatus"] != "Failed" || m["AsyncJob"].(map[string]any)["asyncoperationid"] != jobs[0]["asyncoperationid"] {
		t.Fatalf("%s", r.body)
	}
	// A key that is not active cannot address a row.
	r = f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='1')", `{}`)
	mustStatus(t, r, http.StatusBadRequest)
	if _, msg := r.errorOf(t); !strings.Contains(msg, "not active") {
		t.Fatalf("%s", msg)
	}

	body := `{"EntityLogicalName":"lmi_session","EntityKeyLogicalName":"lmi_sessionkey"}`
	mustStatus(t, f.call(http.MethodPost, "ReactivateEntityKey", body), http.StatusNoContent)
	if status, _ := f.s.KeyStatus("lmi_session", "lmi_sessionkey"); status != "Pending" {
		t.Fatalf("after ReactivateEntityKey: %s", status)
	}
	r = f.get(keyURL)
	if m := r.json(t); m["EntityKeyIndexStatus"] != "Active" || m["AsyncJob"].(map[string]any)["statuscode"] != float64(30) {
		t.Fatalf("next read: %s", r.body)
	}
	mustStatus(t, f.call(http.MethodPatch, "lmi_sessions(lmi_sessionid='1')", `{}`), http.StatusNoContent)

	for b, status := range map[string]int{
		`{"EntityLogicalName":"lmi_session"}`:                                      http.StatusBadRequest,
		`{"EntityLogicalName":"lmi_session","EntityKeyLogicalName":"k","Extra":1}`: http.StatusBadRequest,
		`{"EntityLogicalName":"lmi_session","EntityKeyLogicalName":"nokey"}`:       http.StatusNotFound,
		`{"EntityLogicalName":"nothing","EntityKeyLogicalName":"lmi_sessionkey"}`:  http.StatusNotFound,
		`{"EntityLogicalName":1,"EntityKeyLogicalName":"lmi_sessionkey"}`:          http.StatusBadRequest,
	} {
		mustStatus(t, f.call(http.MethodPost, "ReactivateEntityKey", b), status)
	}
}

func TestKeyStatusesThroughTheGoAPI(t *testing.T) {
	f := newFixture(t)
	for _, status := range []string{"Pending", "InProgress", "Active"} {
		if err := f.s.SetKeyStatus("lmi_session", "lmi_sessionkey", status); err != nil {
			t.Fatal(err)
		}
		// A status set through the Go API stays until changed: only a reactivation settles on read.
		r := f.get("EntityDefinitions(LogicalName='lmi_session')/Keys(LogicalName='lmi_sessionkey')?$select=EntityKeyIndexStatus")
		if got := r.json(t)["EntityKeyIndexStatus"]; got != status {
			t.Fatalf("status %v, want %s", got, status)
		}
	}
	// The Pending job was cancelled when the InProgress one started; that one succeeded when the key went Active.
	var canceled, succeeded int
	for _, job := range f.s.Records("asyncoperations") {
		if job["operationtype"] == 63 && job["createdon"] == wireTime(seedTime) {
			switch job["statuscode"] {
			case jobCanceled:
				canceled++
			case jobSucceeded:
				succeeded++
			default:
				t.Fatalf("job left open: %v", job)
			}
		}
	}
	if canceled != 1 || succeeded != 1 {
		t.Fatalf("%d cancelled, %d succeeded", canceled, succeeded)
	}
}
