package dynamics

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// missingCase is a well-formed case ID that the seed does not hold.
const missingCase = "00000000-0000-4000-8000-00000000abcd"

func caseInState(t testing.TB, w *world.World, state int) world.Case {
	t.Helper()
	for _, c := range w.Cases {
		if c.StateCode == state {
			return c
		}
	}
	t.Fatalf("no case in state %d", state)
	return world.Case{}
}

func TestAssignCaseThenCaseState(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	kase, priya := openCase(t, w, "camille"), technician(t, w, "priya")

	owner, state, err := c.CaseState(ctx, kase.ID)
	if err != nil || owner != kase.OwnerID || state != CaseActive {
		t.Fatalf("CaseState before = %q, %d, %v; want camille's, active", owner, state, err)
	}
	if err := c.AssignCase(ctx, kase.ID, priya.SystemUserID); err != nil {
		t.Fatal(err)
	}
	owner, state, err = c.CaseState(ctx, kase.ID)
	if err != nil || owner != priya.SystemUserID || state != CaseActive {
		t.Errorf("CaseState after = %q, %d, %v; want priya's, active", owner, state, err)
	}

	reqs := fx.requests()
	get, patch := reqs[0], reqs[1]
	if get.method != http.MethodGet || get.path != "/api/data/v9.2/incidents("+kase.ID+")" || get.rawQuery != "$select=_ownerid_value,statecode" {
		t.Errorf("CaseState sent %s %s?%s", get.method, get.path, get.rawQuery)
	}
	wantBody := `{"ownerid@odata.bind":"/systemusers(` + priya.SystemUserID + `)"}`
	if patch.method != http.MethodPatch || patch.path != "/api/data/v9.2/incidents("+kase.ID+")" ||
		string(patch.body) != wantBody || patch.header.Get("If-Match") != "*" {
		t.Errorf("AssignCase sent %s %s %s If-Match %q", patch.method, patch.path, patch.body, patch.header.Get("If-Match"))
	}
}

func TestAssignCaseRetriedAndMissing(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	kase, jordan := openCase(t, w, "camille"), technician(t, w, "jordan")

	fx.addFault(t, fault.Rule{Kind: fault.DropAfter})
	if err := c.AssignCase(ctx, kase.ID, jordan.SystemUserID); err != nil {
		t.Fatalf("after a dropped reply: %v", err)
	}
	if owner, _, err := c.CaseState(ctx, kase.ID); err != nil || owner != jordan.SystemUserID {
		t.Errorf("owner %q, %v; want jordan's", owner, err)
	}

	err := c.AssignCase(ctx, missingCase, jordan.SystemUserID)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("assigning a missing case: %v, want ErrNotFound", err)
	}
	if _, _, err := c.CaseState(ctx, missingCase); !errors.Is(err, ErrNotFound) {
		t.Errorf("CaseState of a missing case: %v, want ErrNotFound", err)
	}
	for _, bad := range [][2]string{{"CAS-01001", jordan.SystemUserID}, {kase.ID, "jordan"}, {kase.ID, jordan.SystemUserID + ")"}} {
		if err := c.AssignCase(ctx, bad[0], bad[1]); err == nil {
			t.Errorf("AssignCase(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestResolveCase(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	kase := openCase(t, w, "camille")

	if err := c.ResolveCase(ctx, kase.ID, `Resolved in Rescue session 812345 "remote"`); err != nil {
		t.Fatal(err)
	}
	if _, state, err := c.CaseState(ctx, kase.ID); err != nil || state != CaseResolved {
		t.Errorf("statecode %d, %v after resolving; want 1", state, err)
	}
	if rec, _ := fx.fake.Record("incidents", kase.ID); rec["statuscode"] != 5 {
		t.Errorf("statuscode %v, want 5 (Problem Solved)", rec["statuscode"])
	}
	post := fx.requests()[0]
	wantBody := `{"IncidentResolution":{"subject":"Resolved in Rescue session 812345 \"remote\"",` +
		`"incidentid@odata.bind":"/incidents(` + kase.ID + `)"},"Status":5}`
	if post.method != http.MethodPost || post.path != "/api/data/v9.2/CloseIncident" || string(post.body) != wantBody {
		t.Errorf("sent %s %s %s\nwant POST CloseIncident %s", post.method, post.path, post.body, wantBody)
	}

	before := len(fx.requests())
	err := c.ResolveCase(ctx, kase.ID, "again")
	if !errors.Is(err, ErrAlreadyResolved) {
		t.Fatalf("resolving again: %v, want ErrAlreadyResolved", err)
	}
	if reqs := fx.requests()[before:]; len(reqs) != 2 || reqs[1].method != http.MethodGet {
		t.Errorf("%d requests, want the refused POST and one look at the case", len(reqs))
	}
}

func TestResolveCaseOtherStates(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()

	canceled := caseInState(t, w, CaseCanceled)
	err := c.ResolveCase(ctx, canceled.ID, "x")
	var apiErr *Error
	if errors.Is(err, ErrAlreadyResolved) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest ||
		!strings.Contains(err.Error(), "canceled") {
		t.Errorf("resolving a canceled case: %v, want the 400 saying it is canceled", err)
	}
	if err := c.ResolveCase(ctx, caseInState(t, w, CaseResolved).ID, "x"); !errors.Is(err, ErrAlreadyResolved) {
		t.Errorf("resolving a seeded resolved case: %v, want ErrAlreadyResolved", err)
	}
	if err := c.ResolveCase(ctx, missingCase, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("resolving a missing case: %v, want ErrNotFound", err)
	}
	if err := c.ResolveCase(ctx, "CAS-01001", "x"); err == nil {
		t.Error("ResolveCase accepted a case number for an ID")
	}
}

func TestResolveCaseAfterADroppedReply(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	kase := openCase(t, w, "camille")
	fx.addFault(t, fault.Rule{Kind: fault.DropAfter, PathContains: "CloseIncident"})

	// The first attempt resolved the case; the retry can only find it so.
	err := c.ResolveCase(context.Background(), kase.ID, "x")
	if !errors.Is(err, ErrAlreadyResolved) {
		t.Fatalf("err = %v, want ErrAlreadyResolved", err)
	}
	if rec, _ := fx.fake.Record("incidents", kase.ID); rec["statecode"] != 1 {
		t.Errorf("statecode %v, want 1", rec["statecode"])
	}
}

func TestErrNotFoundNeedsTheNotFoundCode(t *testing.T) {
	tests := []struct {
		err  *Error
		want bool
	}{
		{&Error{Status: http.StatusNotFound, Code: "0x80040217"}, true},
		{&Error{Status: http.StatusNotFound, Code: "0x80060888"}, false}, // an unknown entity set
		{&Error{Status: http.StatusNotFound}, false},
		{&Error{Status: http.StatusBadRequest, Code: "0x80040217"}, false},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, ErrNotFound); got != tt.want {
			t.Errorf("errors.Is(%+v, ErrNotFound) = %v", tt.err, got)
		}
	}
}

func TestDecodeCaseState(t *testing.T) {
	const owner = "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"
	tests := []struct {
		body  string
		owner string
		state int
		bad   bool
	}{
		{`{"@odata.etag":"W/\"1\"","_ownerid_value":"` + owner + `","statecode":1,"incidentid":"x"}`, owner, 1, false},
		{`{"_ownerid_value":null,"statecode":0}`, "", 0, false},
		{`{"_ownerid_value":"` + owner + `"}`, "", 0, true},
		{`{"_ownerid_value":"nobody","statecode":0}`, "", 0, true},
		{`{"statecode":"1"}`, "", 0, true},
		{`{"statecode":1.5}`, "", 0, true},
		{`{"statecode":0`, "", 0, true},
	}
	for _, tt := range tests {
		owner, state, err := decodeCaseState(strings.NewReader(tt.body))
		if tt.bad {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: %q, %d, %v; want ErrMalformed", tt.body, owner, state, err)
			}
			continue
		}
		if err != nil || owner != tt.owner || state != tt.state {
			t.Errorf("%s: %q, %d, %v; want %q, %d", tt.body, owner, state, err, tt.owner, tt.state)
		}
	}
}

func FuzzDecodeCaseState(f *testing.F) {
	f.Add([]byte(`{"_ownerid_value":"6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5","statecode":1}`))
	f.Add([]byte(`{"_ownerid_value":null,"statecode":0}`))
	f.Add([]byte(`{"statecode":1e10}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		owner, _, err := decodeCaseState(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if owner != "" && !isGUID(owner) {
			t.Fatalf("accepted owner %q", owner)
		}
	})
}
