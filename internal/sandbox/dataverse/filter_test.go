package dataverse

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func TestFilterForms(t *testing.T) {
	f := newFixture(t)
	camille := f.tech("camille").SystemUserID
	cutoff := seedTime.Add(-20 * 24 * time.Hour)
	cases := []struct {
		name, filter, extra string
		keep                func(world.Case) bool
	}{
		{"statecode", "statecode eq 0", "", func(c world.Case) bool { return c.StateCode == 0 }},
		{"statuscode", "statuscode eq 2", "", func(c world.Case) bool { return c.StatusCode == 2 }},
		{"prioritycode", "prioritycode eq 1", "", func(c world.Case) bool { return c.PriorityCode == 1 }},
		{"owner unquoted", "_ownerid_value eq " + camille, "", func(c world.Case) bool { return c.OwnerID == camille }},
		{"owner quoted", "_ownerid_value eq '" + camille + "'", "", func(c world.Case) bool { return c.OwnerID == camille }},
		{"owner upper case", "_ownerid_value eq " + strings.ToUpper(camille), "", func(c world.Case) bool { return c.OwnerID == camille }},
		{
			"my open cases", "statecode eq 0 and _ownerid_value eq " + camille, "",
			func(c world.Case) bool { return c.StateCode == 0 && c.OwnerID == camille },
		},
		{
			"EqualUserId inline", "statecode eq 0 and Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')", "",
			func(c world.Case) bool { return c.StateCode == 0 && c.OwnerID == camille },
		},
		{
			"EqualUserId alias", "Microsoft.Dynamics.CRM.EqualUserId(PropertyName=@p1)", "&@p1=" + url.QueryEscape("'ownerid'"),
			func(c world.Case) bool { return c.OwnerID == camille },
		},
		{
			"NotEqualUserId", "Microsoft.Dynamics.CRM.NotEqualUserId(PropertyName='ownerid')", "",
			func(c world.Case) bool { return c.OwnerID != camille },
		},
		{"alias for a value", "prioritycode eq @p", "&@p=3", func(c world.Case) bool { return c.PriorityCode == 3 }},
		{
			"contains title, any case", "contains(title,'vpn')", "",
			func(c world.Case) bool { return strings.Contains(strings.ToLower(c.Title), "vpn") },
		},
		{
			"contains with a doubled quote", "contains(title,'d''O')", "",
			func(c world.Case) bool { return strings.Contains(c.Title, "d'O") },
		},
		{
			"contains ticketnumber", "contains(ticketnumber,'cas-0101')", "",
			func(c world.Case) bool { return strings.HasPrefix(c.Number, "CAS-0101") },
		},
		{
			"contains keeps LIKE wildcards", "contains(title,'VPN%network')", "",
			func(c world.Case) bool {
				return strings.Contains(c.Title, "VPN") && strings.Contains(c.Title, "network")
			},
		},
		{
			"startswith ignores accents", "startswith(title,'ecran')", "",
			func(c world.Case) bool { return strings.HasPrefix(c.Title, "Écran") },
		},
		{"endswith", "endswith(title,'NETWORK')", "", func(c world.Case) bool { return strings.HasSuffix(c.Title, "network") }},
		{
			"or in parentheses", "(statecode eq 1 or statecode eq 2) and prioritycode eq 1", "",
			func(c world.Case) bool { return c.StateCode != 0 && c.PriorityCode == 1 },
		},
		{"not", "not (statecode eq 0)", "", func(c world.Case) bool { return c.StateCode != 0 }},
		{
			"not contains", "not contains(title,'e')", "",
			func(c world.Case) bool { return !strings.ContainsAny(strings.ToLower(c.Title), "eéèêë") },
		},
		{"ne", "statuscode ne 1", "", func(c world.Case) bool { return c.StatusCode != 1 }},
		{"date", "createdon lt " + cutoff.Format(time.RFC3339), "", func(c world.Case) bool { return c.CreatedOn.Before(cutoff) }},
		{"null", "description eq null", "", func(c world.Case) bool { return c.Description == "" }},
		{"not null", "description ne null", "", func(c world.Case) bool { return c.Description != "" }},
		{
			"related column", "customerid_contact/fullname eq 'jose garcia'", "",
			func(c world.Case) bool {
				return c.CustomerType == world.CustomerContact && c.CustomerID == world.GUID("contact:José García")
			},
		},
		{"column comparison", "title eq ticketnumber", "", func(world.Case) bool { return false }},
		{"literal on the left", "0 eq statecode", "", func(c world.Case) bool { return c.StateCode == 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get("incidents?$select=incidentid&$filter=" + url.QueryEscape(c.filter) + c.extra)
			mustStatus(t, r, http.StatusOK)
			got := sortedCopy(idsOf(r.values(t), "incidentid"))
			want := f.caseIDs(c.keep)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("%s: got %d rows, want %d", c.filter, len(got), len(want))
			}
		})
	}
}

func TestUnsupportedQueriesAreRefused(t *testing.T) {
	f := newFixture(t)
	deep := strings.Repeat("(", 150) + "statecode eq 0" + strings.Repeat(")", 150)
	cases := []struct{ name, query, message string }{
		{"string for an int", "$filter=" + url.QueryEscape("statecode eq '0'"), "incompatible types"},
		{"unknown column", "$filter=" + url.QueryEscape("foo eq 1"), "Could not find a property named 'foo' on type 'Microsoft.Dynamics.CRM.incident'"},
		{"missing operand", "$filter=" + url.QueryEscape("statecode eq"), "Syntax error"},
		{"one-argument contains", "$filter=" + url.QueryEscape("contains(title)"), "Syntax error"},
		// The filter docs quote this message for lastname eq 'O'Bryan' (position 21 there).
		{"unescaped quote", "$filter=" + url.QueryEscape("title eq 'O'Bryan'"), "There is an unterminated literal at position 18 in 'title eq 'O'Bryan''."},
		{"open literal", "$filter=" + url.QueryEscape("title eq 'abc"), "unterminated literal"},
		{"unknown function", "$filter=" + url.QueryEscape("tolower(title) eq 'x'"), "unknown function with name 'tolower'"},
		{"query function not implemented", "$filter=" + url.QueryEscape("Microsoft.Dynamics.CRM.Today(PropertyName='createdon')"), "unknown function"},
		{"negated query function", "$filter=" + url.QueryEscape("not Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')"), "can't be negated"},
		{"dangling or", "$filter=" + url.QueryEscape("statecode eq 0 or"), "Syntax error"},
		{"in operator", "$filter=" + url.QueryEscape("statecode in (0,1)"), "Syntax error"},
		{"arithmetic", "$filter=" + url.QueryEscape("statecode add 1 eq 2"), "Syntax error"},
		{"undefined alias", "$filter=" + url.QueryEscape("Microsoft.Dynamics.CRM.EqualUserId(PropertyName=@p9)"), "'@p9' is not defined"},
		{"query function on a text column", "$filter=" + url.QueryEscape("Microsoft.Dynamics.CRM.EqualUserId(PropertyName='title')"), "not a lookup"},
		{"bad GUID", "$filter=" + url.QueryEscape("_ownerid_value eq 'not-a-guid'"), "incompatible types"},
		{"navigation property compared", "$filter=" + url.QueryEscape("customerid_contact eq null"), "navigation property"},
		{"contains on a number", "$filter=" + url.QueryEscape("contains(statecode,'1')"), "No function signature"},
		{"nesting", "$filter=" + url.QueryEscape(deep), "recursion limit"},
		{"$skip", "$skip=1", "$skip is not supported"},
		{"$apply", "$apply=groupby((statecode))", "$apply"},
		{"misspelt option", "$Select=title", "'$Select' is not supported"},
		{"repeated option", "$select=title&$select=ticketnumber", "specified more than once"},
		{"negative $top", "$top=-1", "non-negative integer"},
		{"bad $count", "$count=yes", "not a valid count option"},
		{"bad direction", "$orderby=" + url.QueryEscape("title sideways"), "not asc or desc"},
		{"order by navigation", "$orderby=customerid_contact", "not a column"},
		{"order by unknown", "$orderby=nothing", "Could not find a property named 'nothing'"},
		{"expand a column", "$expand=title", "not a navigation property"},
		{"expand unknown", "$expand=nothing", "Could not find a property named 'nothing'"},
		{"filter in a single-valued expand", "$expand=customerid_contact($filter=" + url.QueryEscape("fullname eq 'x'") + ")", "single-valued"},
		{"select unknown", "$select=title,nothing", "Could not find a property named 'nothing'"},
		{"select navigation", "$select=customerid_contact", "use $expand"},
		{"select twice", "$select=title,title", "multiple select terms"},
		{"skiptoken not ours", "$skiptoken=garbage", "paging cookie"},
		{"fetchXml", "fetchXml=" + url.QueryEscape("<fetch/>"), "does not implement"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get("incidents?" + c.query)
			if r.status != http.StatusBadRequest && r.status != http.StatusNotImplemented {
				t.Fatalf("status %d, want 400 or 501: %s", r.status, r.body)
			}
			_, msg := r.errorOf(t)
			if !strings.Contains(msg, c.message) {
				t.Fatalf("message %q does not contain %q", msg, c.message)
			}
		})
	}
}
