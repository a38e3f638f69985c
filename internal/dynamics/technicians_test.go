package dynamics

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// technicianTable is the fake's technician settings table.
var technicianTable = TechnicianTable{
	Set:       dataverse.UserSettingSet,
	IDColumn:  dataverse.UserSettingTechnicianIDColumn,
	SSOColumn: dataverse.UserSettingSSOIDColumn,
}

func TestMyTechnicianRecord(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	jordan := technician(t, w, "jordan")

	got, found, err := c.MyTechnicianRecord(context.Background(), technicianTable, jordan.SystemUserID)
	if err != nil || !found {
		t.Fatalf("jordan: found %v, %v; want his seeded row", found, err)
	}
	want := TechnicianRecord{TechnicianID: strconv.Itoa(jordan.RescueNodeID), SSOID: jordan.SSOID, OwnerID: jordan.SystemUserID}
	if got != want {
		t.Errorf("jordan's row = %+v, want %+v", got, want)
	}
	reqs := fx.requests()
	wantQuery := "$select=lmi_technicianid,lmi_ssoid,_ownerid_value&$filter=_ownerid_value%20eq%20" + jordan.SystemUserID + "&$top=1"
	if len(reqs) != 1 || reqs[0].method != http.MethodGet || reqs[0].path != "/api/data/v9.2/lmi_usersettings" || reqs[0].rawQuery != wantQuery {
		t.Errorf("requests = %+v, want one GET of lmi_usersettings?%s", reqs, wantQuery)
	}

	for _, key := range []string{"camille", "priya"} {
		got, found, err := c.MyTechnicianRecord(context.Background(), technicianTable, technician(t, w, key).SystemUserID)
		if err != nil || found || got != (TechnicianRecord{}) {
			t.Errorf("%s: %+v, found %v, %v; want none", key, got, found, err)
		}
	}
}

func TestTechnicianByID(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	jordan := technician(t, w, "jordan")

	got, found, err := c.TechnicianByID(context.Background(), technicianTable, strconv.Itoa(jordan.RescueNodeID))
	if err != nil || !found || got.OwnerID != jordan.SystemUserID {
		t.Fatalf("jordan's node ID: %+v, found %v, %v; want his row", got, found, err)
	}
	if _, found, err := c.TechnicianByID(context.Background(), technicianTable, "999999"); err != nil || found {
		t.Errorf("an unknown technician ID: found %v, %v", found, err)
	}
}

func TestCreateTechnicianRecordThenFound(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	camille := technician(t, w, "camille")
	id := strconv.Itoa(camille.RescueNodeID)

	// The record carries no owner: the service makes the caller its owner.
	rec := TechnicianRecord{TechnicianID: id, SSOID: camille.SSOID, OwnerID: technician(t, w, "priya").SystemUserID}
	if err := c.CreateTechnicianRecord(context.Background(), technicianTable, rec); err != nil {
		t.Fatal(err)
	}
	post := fx.requests()[0]
	wantBody := `{"lmi_ssoid":"sso-camille","lmi_technicianid":"` + id + `"}`
	if post.method != http.MethodPost || post.path != "/api/data/v9.2/lmi_usersettings" || string(post.body) != wantBody {
		t.Errorf("sent %s %s %s, want POST lmi_usersettings %s", post.method, post.path, post.body, wantBody)
	}
	if ct := post.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}

	want := TechnicianRecord{TechnicianID: id, SSOID: camille.SSOID, OwnerID: camille.SystemUserID}
	mine, found, err := c.MyTechnicianRecord(context.Background(), technicianTable, camille.SystemUserID)
	if err != nil || !found || mine != want {
		t.Errorf("MyTechnicianRecord after create = %+v, found %v, %v; want %+v", mine, found, err, want)
	}
	byID, found, err := c.TechnicianByID(context.Background(), technicianTable, id)
	if err != nil || !found || byID != want {
		t.Errorf("TechnicianByID after create = %+v, found %v, %v; want %+v", byID, found, err, want)
	}
}

func TestTechnicianByIDQuotesTheID(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-priya"}, Options{})
	const odd = "O'Neil 7"
	if err := c.CreateTechnicianRecord(context.Background(), technicianTable, TechnicianRecord{TechnicianID: odd}); err != nil {
		t.Fatal(err)
	}
	got, found, err := c.TechnicianByID(context.Background(), technicianTable, odd)
	if err != nil || !found || got.TechnicianID != odd || got.OwnerID != technician(t, w, "priya").SystemUserID {
		t.Fatalf("TechnicianByID(%q) = %+v, found %v, %v", odd, got, found, err)
	}
	// A lone quote must not end the literal: "O" alone matches nothing.
	if _, found, err := c.TechnicianByID(context.Background(), technicianTable, "O"); err != nil || found {
		t.Errorf(`TechnicianByID("O") found %v, %v`, found, err)
	}
	get := fx.requests()[1]
	if want := "$filter=lmi_technicianid%20eq%20'O''Neil%207'"; !strings.Contains(get.rawQuery, want) {
		t.Errorf("query %s does not hold %s", get.rawQuery, want)
	}
}

func TestTechnicianLookupRetriedAfterServerError(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.ServerError, PathContains: "lmi_usersettings"})
	c, ws := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})

	_, found, err := c.MyTechnicianRecord(context.Background(), technicianTable, technician(t, w, "jordan").SystemUserID)
	if err != nil || !found {
		t.Fatalf("found %v, %v; want the row after one retry", found, err)
	}
	if n := len(fx.requests()); n != 2 || fx.faults.Fired(fault.ServerError) != 1 {
		t.Errorf("%d requests, want 2", n)
	}
	if told, _ := ws.snapshot(); len(told) != 1 || told[0].Reason != WaitRetry {
		t.Errorf("told %+v, want one retry", told)
	}
}

func TestCreateTechnicianRecordNotRetried(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.ServerError, Count: -1})
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	err := c.CreateTechnicianRecord(context.Background(), technicianTable, TechnicianRecord{TechnicianID: "4310021"})
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want the 500", err)
	}
	if n := fx.faults.Fired(fault.ServerError); n != 1 {
		t.Errorf("POST sent %d times, want 1", n)
	}
	if told, _ := ws.snapshot(); len(told) != 0 {
		t.Errorf("a POST waited to retry: %+v", told)
	}
	if rows := fx.fake.Records(dataverse.UserSettingSet); len(rows) != 1 {
		t.Errorf("%d settings rows, want only jordan's", len(rows))
	}
}

func TestTechnicianMalformedReply(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.Malformed})
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})
	_, found, err := c.TechnicianByID(context.Background(), technicianTable, "1")
	if !errors.Is(err, ErrMalformed) || found {
		t.Errorf("found %v, %v; want ErrMalformed", found, err)
	}
}

func TestTechnicianTableNamesAreChecked(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	bad := []TechnicianTable{
		{Set: "lmi_usersettings?$top=5", IDColumn: "lmi_technicianid", SSOColumn: "lmi_ssoid"},
		{Set: "", IDColumn: "lmi_technicianid", SSOColumn: "lmi_ssoid"},
		{Set: "lmi_usersettings", IDColumn: "lmi_technicianid eq '1' or true", SSOColumn: "lmi_ssoid"},
		{Set: "lmi_usersettings", IDColumn: "lmi_technicianid", SSOColumn: "1ssoid"},
	}
	for _, tb := range bad {
		if _, _, err := c.TechnicianByID(ctx, tb, "1"); err == nil {
			t.Errorf("TechnicianByID accepted %+v", tb)
		}
		if err := c.CreateTechnicianRecord(ctx, tb, TechnicianRecord{TechnicianID: "1"}); err == nil {
			t.Errorf("CreateTechnicianRecord accepted %+v", tb)
		}
	}
	if _, _, err := c.MyTechnicianRecord(ctx, technicianTable, "camille"); err == nil {
		t.Error("MyTechnicianRecord accepted a user ID that is no GUID")
	}
	if n := len(fx.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestDecodeTechnician(t *testing.T) {
	tests := []struct {
		name, body string
		want       TechnicianRecord
		found      bool
		bad        bool
	}{
		{"row", `{"value":[{"lmi_technicianid":"7","lmi_ssoid":"s","_ownerid_value":"o"}]}`, TechnicianRecord{"7", "s", "o"}, true, false},
		{"null columns", `{"value":[{"lmi_technicianid":"7","lmi_ssoid":null}]}`, TechnicianRecord{TechnicianID: "7"}, true, false},
		{"first of two", `{"value":[{"lmi_technicianid":"7"},{"lmi_technicianid":"8"}]}`, TechnicianRecord{TechnicianID: "7"}, true, false},
		{"none", `{"value":[]}`, TechnicianRecord{}, false, false},
		{"no value", `{"@odata.context":"x"}`, TechnicianRecord{}, false, true},
		{"null row", `{"value":[null]}`, TechnicianRecord{}, false, true},
		{"cut short", `{"value":[{"lmi_technicianid":"7"`, TechnicianRecord{}, false, true},
	}
	for _, tt := range tests {
		got, found, err := decodeTechnician(strings.NewReader(tt.body), technicianTable)
		if tt.bad {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err = %v, want ErrMalformed", tt.name, err)
			}
			continue
		}
		if err != nil || found != tt.found || got != tt.want {
			t.Errorf("%s: %+v, found %v, %v; want %+v, %v", tt.name, got, found, err, tt.want, tt.found)
		}
	}
}

func FuzzDecodeTechnician(f *testing.F) {
	f.Add([]byte(`{"value":[{"lmi_technicianid":"7","lmi_ssoid":"s","_ownerid_value":"o"}]}`))
	f.Add([]byte(`{"value":[null]}`))
	f.Add([]byte(`{"value":[{"lmi_technicianid":7}]}`))
	f.Add([]byte(`{"value":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := decodeTechnician(bytes.NewReader(data), technicianTable)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v is not ErrMalformed", err)
		}
	})
}
