package dynamics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

const wantPrefer3 = `odata.maxpagesize=3,odata.include-annotations="OData.Community.Display.V1.FormattedValue,` +
	`Microsoft.Dynamics.CRM.lookuplogicalname,Microsoft.Dynamics.CRM.associatednavigationproperty"`

// wantFirstQuery is the reference's query (§A.4) as the client writes it.
func wantFirstQuery(userID string) string {
	return "$select=incidentid,title,ticketnumber,statecode,statuscode,prioritycode,description," +
		"_customerid_value,_ownerid_value,createdon,modifiedon" +
		"&$filter=statecode%20eq%200%20and%20_ownerid_value%20eq%20" + userID +
		"&$orderby=modifiedon%20desc" +
		"&$expand=customerid_contact($select=fullname,emailaddress1),customerid_account($select=name,emailaddress1)"
}

func TestMyOpenCasesSeed(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	for _, key := range []string{"camille", "jordan", "priya"} {
		t.Run(key, func(t *testing.T) {
			tech := technician(t, w, key)
			before := len(fx.requests())
			// Any technician's token will do: the filter, not the caller, picks the owner.
			c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{PageSize: 3})

			got, err := c.MyOpenCases(context.Background(), tech.SystemUserID)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedOpenCases(w, tech.SystemUserID)
			compareCases(t, got, want)

			reqs := fx.requests()[before:]
			if pages := (len(want) + 2) / 3; len(reqs) != pages || pages < 3 {
				t.Fatalf("%d requests for %d cases, want %d pages (at least 3)", len(reqs), len(want), pages)
			}
			first := wantFirstQuery(tech.SystemUserID)
			for i, r := range reqs {
				checkHeaders(t, r.header, "tok-camille")
				if got := r.header.Values("Prefer"); len(got) != 1 || got[0] != wantPrefer3 {
					t.Errorf("page %d: Prefer = %q, want %q", i+1, got, wantPrefer3)
				}
				if r.method != http.MethodGet || r.path != "/api/data/v9.2/incidents" {
					t.Errorf("page %d: %s %s", i+1, r.method, r.path)
				}
				if i == 0 && r.rawQuery != first {
					t.Errorf("first query:\n got %s\nwant %s", r.rawQuery, first)
				}
				if i > 0 && !strings.HasPrefix(r.rawQuery, first+"&$skiptoken=") {
					t.Errorf("page %d does not follow the next link: %s", i+1, r.rawQuery)
				}
			}
		})
	}
}

func TestMyOpenCasesCustomers(t *testing.T) {
	w := generatedWorld(testNow, "priya", 24, true)
	fx := newFixture(t, w)
	priya := technician(t, w, "priya")
	c, _ := fx.newClient(t, &tokens{token: "tok-priya"}, Options{PageSize: 5})

	got, err := c.MyOpenCases(context.Background(), priya.SystemUserID)
	if err != nil {
		t.Fatal(err)
	}
	compareCases(t, got, expectedOpenCases(w, priya.SystemUserID))
	found := map[string]string{}
	for _, cs := range got {
		found[cs.CustomerType+"/"+cs.Customer] = cs.CustomerEmail
	}
	for who, email := range map[string]string{
		"contact/Zoë O'Connor":      "zoe.oconnor@fabrikam.example",
		"contact/Grégoire N'Diaye":  "",
		"account/Northwind Traders": "",
		"account/Fabrikam, Inc.":    "helpdesk@fabrikam.example",
	} {
		if got, ok := found[who]; !ok || got != email {
			t.Errorf("customer %s: e-mail %q (present %v), want %q", who, got, ok, email)
		}
	}
}

func TestMyOpenCasesManyPages(t *testing.T) {
	w := generatedWorld(testNow, "jordan", 1234, false)
	fx := newFixture(t, w)
	jordan := technician(t, w, "jordan")
	c, _ := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})

	got, err := c.MyOpenCases(context.Background(), jordan.SystemUserID)
	if err != nil {
		t.Fatal(err)
	}
	want := expectedOpenCases(w, jordan.SystemUserID)
	compareCases(t, got, want)
	if pages := len(fx.requests()); pages != (len(want)+99)/100 {
		t.Errorf("%d pages for %d cases at 100 a page", pages, len(want))
	}
}

func TestPageCutShortIsReadAgain(t *testing.T) {
	w := generatedWorld(testNow, "jordan", 250, true)
	fx := newFixture(t, w)
	fx.cutReply(2)
	jordan := technician(t, w, "jordan")
	c, ws := fx.newClient(t, &tokens{token: "tok-jordan"}, Options{})

	got, err := c.MyOpenCases(context.Background(), jordan.SystemUserID)
	if err != nil {
		t.Fatal(err)
	}
	compareCases(t, got, expectedOpenCases(w, jordan.SystemUserID))
	reqs := fx.requests()
	if len(reqs) != 4 || reqs[1].rawQuery != reqs[2].rawQuery {
		t.Errorf("%d requests, want 4 with the second page asked for twice", len(reqs))
	}
	if told, _ := ws.snapshot(); len(told) != 1 || told[0].Reason != WaitRetry {
		t.Errorf("OnWait told %+v, want one retry", told)
	}
}

func TestMyOpenCasesRefusesABadUserID(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	for _, id := range []string{
		"", "camille", "00000000-0000-0000-0000-000000000000 or statecode eq 1",
		"{6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5}",
	} {
		if _, err := c.MyOpenCases(context.Background(), id); err == nil {
			t.Errorf("MyOpenCases(%q) accepted", id)
		}
	}
	if n := len(fx.requests()); n != 0 {
		t.Errorf("%d requests sent for bad user IDs", n)
	}
}

func TestNextLinkIsChecked(t *testing.T) {
	tests := []struct {
		name, next string
	}{
		{"other origin", "https://collector.example/api/data/v9.2/incidents?$skiptoken=2"},
		{"other scheme", "http://{host}/api/data/v9.2/incidents?$skiptoken=2"},
		{"same page", "{self}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests int
			srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				requests++
				next := strings.NewReplacer("{host}", r.Host, "{self}", "https://"+r.Host+r.URL.RequestURI()).Replace(tt.next)
				rw.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
				fmt.Fprintf(rw, `{"value":[],"@odata.nextLink":%q}`, next)
			}))
			defer srv.Close()
			c, err := New(srv.URL, &tokens{token: "tok"}, Options{HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.MyOpenCases(context.Background(), "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5")
			if !errors.Is(err, ErrMalformed) || requests != 1 {
				t.Errorf("err = %v after %d requests, want ErrMalformed after 1", err, requests)
			}
		})
	}
}

func TestNotJSONIsRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(rw, "<html><body>Sign in to continue</body></html>")
	}))
	defer srv.Close()
	c, err := New(srv.URL, &tokens{token: "tok"}, Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(context.Background())
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), `content type "text/html; charset=utf-8" is not JSON`) {
		t.Errorf("err = %v, want ErrMalformed naming the content type", err)
	}
}

// compareCases checks that got is want: the same cases, field by field, in the same modifiedon order.
// Cases modified at the same second may come in either order, so order is checked on the dates.
func compareCases(t *testing.T, got, want []Case) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d cases, want %d", len(got), len(want))
	}
	byID := make(map[string]Case, len(want))
	for i, w := range want {
		byID[w.ID] = w
		if !got[i].ModifiedOn.Equal(w.ModifiedOn) {
			t.Fatalf("case %d modified %v, want %v: not in modifiedon-desc order", i, got[i].ModifiedOn, w.ModifiedOn)
		}
	}
	seen := map[string]bool{}
	for i, g := range got {
		w, ok := byID[g.ID]
		if !ok || seen[g.ID] {
			t.Fatalf("case %d (%s) is not expected or comes twice", i, g.ID)
		}
		seen[g.ID] = true
		if g.CreatedOn.Location() != time.UTC || g.ModifiedOn.Location() != time.UTC {
			t.Errorf("case %s: dates not in UTC", g.ID)
		}
		if !g.CreatedOn.Equal(w.CreatedOn) {
			t.Errorf("case %s: created %v, want %v", g.ID, g.CreatedOn, w.CreatedOn)
		}
		g.CreatedOn, g.ModifiedOn, w.CreatedOn, w.ModifiedOn = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if g != w {
			t.Errorf("case %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
