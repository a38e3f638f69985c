package dataverse

import (
	"net/http"
	"strings"
	"testing"
)

func TestUnauthenticatedRequestsAreChallenged(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, auth string
		status     int
		message    string
	}{
		{"no token", "", http.StatusUnauthorized, "no bearer token"},
		{"basic scheme", "Basic dXNlcjpwYXNz", http.StatusUnauthorized, "no bearer token"},
		{"empty bearer", "Bearer ", http.StatusUnauthorized, "no bearer token"},
		{"foreign token", "Bearer not-a-token", http.StatusUnauthorized, "not valid or has expired"},
		{"wrong audience", "Bearer " + tokWrongAud, http.StatusUnauthorized, "https://other-org.example"},
		{"not a user of the organisation", "Bearer " + tokStranger, http.StatusForbidden, "not a member of the organization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get("WhoAmI", "Authorization", c.auth)
			mustStatus(t, r, c.status)
			code, msg := r.errorOf(t)
			if !strings.Contains(msg, c.message) {
				t.Errorf("message %q does not say %q", msg, c.message)
			}
			www := r.header.Get("WWW-Authenticate")
			if c.status == http.StatusUnauthorized {
				want := "Bearer authorization_uri=" + authorizeURI + ", resource_id=" + f.srv.URL + "/"
				if www != want || code != "0x8006088a" {
					t.Errorf("WWW-Authenticate %q code %q, want %q 0x8006088a", www, code, want)
				}
			} else if www != "" {
				t.Errorf("a 403 carries WWW-Authenticate %q", www)
			}
			if r.header.Get("OData-Version") != "4.0" {
				t.Errorf("OData-Version %q", r.header.Get("OData-Version"))
			}
		})
	}
}

func TestAudienceIgnoresCaseAndFinalSlash(t *testing.T) {
	f := newFixture(t)
	// Jordan's token carries the audience with a final slash and an upper-case user id.
	r := f.get("WhoAmI()", "Authorization", "Bearer "+tokJordan)
	mustStatus(t, r, http.StatusOK)
	if got := r.json(t)["UserId"]; got != f.tech("jordan").SystemUserID {
		t.Fatalf("UserId %v", got)
	}
}

func TestWhoAmIAnswersTheSystemUserID(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"WhoAmI", "WhoAmI()"} {
		r := f.get(path)
		mustStatus(t, r, http.StatusOK)
		want := `{"@odata.context":"` + f.base + `$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",` +
			`"BusinessUnitId":"` + f.w.Org.BusinessUnitID + `","UserId":"` + f.tech("camille").SystemUserID +
			`","OrganizationId":"` + f.w.Org.OrganizationID + `"}`
		if r.body != want {
			t.Fatalf("%s:\n got %s\nwant %s", path, r.body, want)
		}
		if f.tech("camille").SystemUserID == f.tech("camille").EntraOID {
			t.Fatal("the seed's systemuserid and Entra oid must differ")
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json; odata.metadata=minimal" {
			t.Fatalf("Content-Type %q", ct)
		}
	}
	mustStatus(t, f.call(http.MethodPost, "WhoAmI", "{}"), http.StatusMethodNotAllowed)
	mustStatus(t, f.get("WhoAmI(x=1)"), http.StatusNotFound)
}
