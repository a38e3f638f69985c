package dataverse

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// idsOf lists the incidentid of each row.
func idsOf(rows []map[string]any, key string) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r[key].(string))
	}
	return out
}

func sortedCopy(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

func (f *fixture) caseIDs(keep func(world.Case) bool) []string {
	var out []string
	for _, c := range f.w.Cases {
		if keep(c) {
			out = append(out, c.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestSelectIsStrictAndTheKeyComesLast(t *testing.T) {
	f := newFixture(t)
	r := f.get("incidents?$select=title,statecode&$top=3")
	mustStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.body, `{"@odata.context":"`+f.base+`$metadata#incidents(title,statecode)","value":[{"@odata.etag":"W/\"`) {
		t.Fatalf("body starts %.200s", r.body)
	}
	for _, row := range r.values(t) {
		var keys []string
		for k := range row {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "@odata.etag,incidentid,statecode,title" {
			t.Fatalf("row has %v", keys)
		}
	}
	// Order within a row: selected columns in $select order, then the primary key.
	if !regexp.MustCompile(`"title":"[^"]*","statecode":\d,"incidentid":"`).MatchString(r.body) {
		t.Fatalf("property order: %.300s", r.body)
	}
}

func TestTopIsHonouredUnlessAPageSizeIsAsked(t *testing.T) {
	f := newFixture(t)
	r := f.get("incidents?$select=title&$top=5")
	mustStatus(t, r, http.StatusOK)
	if n := len(r.values(t)); n != 5 || r.json(t)["@odata.nextLink"] != nil {
		t.Fatalf("$top=5 gave %d rows, nextLink %v", n, r.json(t)["@odata.nextLink"])
	}
	r = f.get("incidents?$select=title&$top=5", "Prefer", "odata.maxpagesize=3")
	if n := len(r.values(t)); n != 3 || r.json(t)["@odata.nextLink"] == nil {
		t.Fatalf("$top with a page size gave %d rows, nextLink %v", n, r.json(t)["@odata.nextLink"])
	}
	r = f.get("incidents?$select=title&$top=0")
	if n := len(r.values(t)); n != 0 {
		t.Fatalf("$top=0 gave %d rows", n)
	}
}

func TestCount(t *testing.T) {
	f := newFixture(t)
	open := len(f.caseIDs(func(c world.Case) bool { return c.StateCode == 0 }))
	r := f.get("incidents?$select=title&$count=true&$filter="+url.QueryEscape("statecode eq 0"), "Prefer", "odata.maxpagesize=2")
	mustStatus(t, r, http.StatusOK)
	if got := r.json(t)["@odata.count"]; got != float64(open) {
		t.Fatalf("@odata.count %v, want %d", got, open)
	}
	r = f.get("incidents/$count?$filter=" + url.QueryEscape("statecode eq 0"))
	mustStatus(t, r, http.StatusOK)
	if r.body != fmt.Sprint(open) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("$count: %q %q", r.body, r.header.Get("Content-Type"))
	}
}

func TestOrderby(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		orderby string
		less    func(a, b world.Case) bool
	}{
		{"modifiedon desc", func(a, b world.Case) bool { return a.ModifiedOn.After(b.ModifiedOn) }},
		{"createdon", func(a, b world.Case) bool { return a.CreatedOn.Before(b.CreatedOn) }},
		{"ticketnumber desc", func(a, b world.Case) bool { return a.Number > b.Number }},
		{"prioritycode asc,createdon desc", func(a, b world.Case) bool {
			if a.PriorityCode != b.PriorityCode {
				return a.PriorityCode < b.PriorityCode
			}
			return a.CreatedOn.After(b.CreatedOn)
		}},
	}
	for _, c := range cases {
		t.Run(c.orderby, func(t *testing.T) {
			r := f.get("incidents?$select=title&$orderby=" + url.QueryEscape(c.orderby))
			mustStatus(t, r, http.StatusOK)
			got := idsOf(r.values(t), "incidentid")
			want := append([]world.Case(nil), f.w.Cases...)
			sort.SliceStable(want, func(i, j int) bool {
				if c.less(want[i], want[j]) || c.less(want[j], want[i]) {
					return c.less(want[i], want[j])
				}
				return want[i].ID < want[j].ID
			})
			for i := range want {
				if got[i] != want[i].ID {
					t.Fatalf("row %d is %s, want %s", i, got[i], want[i].ID)
				}
			}
		})
	}
	// Titles sort as the collation does: accents and case do not count.
	r := f.get("incidents?$select=title&$orderby=title&$filter=" + url.QueryEscape("startswith(title,'e') or startswith(title,'d')"))
	var titles []string
	for _, row := range r.values(t) {
		titles = append(titles, fold(row["title"].(string)))
	}
	if !sort.StringsAreSorted(titles) {
		t.Fatalf("titles not in collation order: %q", titles)
	}
}

func TestPagingFollowsTheNextLinkWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	query := "incidents?$select=title,modifiedon&$orderby=modifiedon%20desc"
	link := f.base + query
	var seen []string
	pages := 0
	for link != "" {
		r := f.get(link, "Prefer", "odata.maxpagesize=4")
		mustStatus(t, r, http.StatusOK)
		if r.header.Get("Preference-Applied") != "odata.maxpagesize=4" {
			t.Fatalf("Preference-Applied %q", r.header.Get("Preference-Applied"))
		}
		rows := r.values(t)
		if len(rows) > 4 {
			t.Fatalf("page of %d rows", len(rows))
		}
		seen = append(seen, idsOf(rows, "incidentid")...)
		next, _ := r.json(t)["@odata.nextLink"].(string)
		if next != "" {
			checkNextLink(t, f.base+query, next, pages+2)
		}
		link = next
		pages++
	}
	if pages < 3 {
		t.Fatalf("%d pages", pages)
	}
	want := append([]world.Case(nil), f.w.Cases...)
	sort.SliceStable(want, func(i, j int) bool {
		if !want[i].ModifiedOn.Equal(want[j].ModifiedOn) {
			return want[i].ModifiedOn.After(want[j].ModifiedOn)
		}
		return want[i].ID < want[j].ID
	})
	if len(seen) != len(want) {
		t.Fatalf("%d rows over %d pages, want %d", len(seen), pages, len(want))
	}
	for i := range want {
		if seen[i] != want[i].ID {
			t.Fatalf("row %d is %s, want %s", i, seen[i], want[i].ID)
		}
	}
}

var nextLinkTail = regexp.MustCompile(`&\$skiptoken=%3Ccookie%20pagenumber=%22(\d+)%22%20pagingcookie=%22(%253ccookie%2520page%253d%2522\d+%2522%253e[0-9A-Za-z%._-]*%253c%252fcookie%253e)%22%20istracking=%22False%22%20/%3E$`)

// checkNextLink checks the link against the paging docs' form: the query as sent, then the cookie.
func checkNextLink(t *testing.T, sent, next string, page int) {
	t.Helper()
	if !strings.HasPrefix(next, sent+"&$skiptoken=") {
		t.Fatalf("nextLink does not repeat the query as sent:\n%s\n%s", next, sent)
	}
	m := nextLinkTail.FindStringSubmatch(next)
	if m == nil || m[1] != fmt.Sprint(page) {
		t.Fatalf("nextLink cookie not in Dataverse's form (page %d): %s", page, next)
	}
	if !strings.Contains(m[2], "%253cincidentid%2520last%253d%2522%257b") {
		t.Fatalf("cookie has no primary key element: %s", m[2])
	}
}

func TestPagingStaysStableWhenRowsChange(t *testing.T) {
	f := newFixture(t)
	r := f.get("incidents?$select=title&$orderby=modifiedon%20desc", "Prefer", "odata.maxpagesize=10")
	first := idsOf(r.values(t), "incidentid")
	next := r.json(t)["@odata.nextLink"].(string)
	// A row of a later page is updated: it moves to the top, before where paging stands.
	moved := f.caseIDs(func(world.Case) bool { return true })[0]
	for _, id := range first {
		if id == moved {
			t.Skip("the row chosen is already on the first page")
		}
	}
	f.clock.advance(time.Hour)
	mustStatus(t, f.call(http.MethodPatch, "incidents("+moved+")", `{"description":"updated"}`, "If-Match", "*"), http.StatusNoContent)
	seen := map[string]int{}
	for _, id := range first {
		seen[id]++
	}
	for next != "" {
		r := f.get(next, "Prefer", "odata.maxpagesize=10")
		mustStatus(t, r, http.StatusOK)
		for _, id := range idsOf(r.values(t), "incidentid") {
			seen[id]++
		}
		next, _ = r.json(t)["@odata.nextLink"].(string)
	}
	for _, c := range f.w.Cases {
		if seen[c.ID] > 1 || c.ID != moved && seen[c.ID] != 1 {
			t.Fatalf("case %s seen %d times", c.Number, seen[c.ID])
		}
	}
}

func TestAnnotationsOnlyAsAsked(t *testing.T) {
	f := newFixture(t)
	query := "incidents?$select=title,statecode,_customerid_value,_ownerid_value,createdon&$top=5"
	cases := []struct {
		name, prefer string
		want         []string // annotation kinds that must appear; no other may
	}{
		{"none", "", nil},
		{"formatted values", `odata.include-annotations="OData.Community.Display.V1.FormattedValue"`, []string{annFormatted}},
		{
			"lookups", `odata.include-annotations="Microsoft.Dynamics.CRM.associatednavigationproperty,Microsoft.Dynamics.CRM.lookuplogicalname"`,
			[]string{annNavProp, annLogical},
		},
		{"wildcard", `odata.include-annotations="*"`, []string{annFormatted, annNavProp, annLogical}},
		{"namespace wildcard", `odata.include-annotations="Microsoft.Dynamics.CRM.*"`, []string{annNavProp, annLogical}},
		{"exclusion", `odata.include-annotations="*,-Microsoft.Dynamics.CRM.lookuplogicalname"`, []string{annFormatted, annNavProp}},
		{"with a page size", `odata.maxpagesize=2,odata.include-annotations="OData.Community.Display.V1.FormattedValue"`, []string{annFormatted}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get(query, "Prefer", c.prefer)
			mustStatus(t, r, http.StatusOK)
			kinds := map[string]bool{}
			for _, row := range r.values(t) {
				for k := range row {
					if _, term, ok := strings.Cut(k, "@"); ok && k != "@odata.etag" {
						kinds[term] = true
					}
				}
			}
			if len(kinds) != len(c.want) {
				t.Fatalf("annotations %v, want %v", kinds, c.want)
			}
			for _, w := range c.want {
				if !kinds[w] {
					t.Fatalf("annotations %v, want %v", kinds, c.want)
				}
			}
			if c.prefer != "" && !strings.Contains(r.header.Get("Preference-Applied"), "odata.include-annotations=") {
				t.Fatalf("Preference-Applied %q", r.header.Get("Preference-Applied"))
			}
		})
	}
}

func TestAnnotatedRowMatchesTheDocumentedShape(t *testing.T) {
	f := newFixture(t)
	c := f.w.Cases[0]
	owner, _ := f.w.Technician(c.OwnerID)
	r := f.get("incidents("+c.ID+")?$select=title,statecode,_ownerid_value,modifiedon",
		"Prefer", `odata.include-annotations="*"`)
	mustStatus(t, r, http.StatusOK)
	rec, _ := f.s.Record("incidents", c.ID)
	etag := strings.ReplaceAll(etagOf(f.s.tables["incidents"].rows[c.ID]), `"`, `\"`)
	want := `{"@odata.context":"` + f.base + `$metadata#incidents(title,statecode,_ownerid_value,modifiedon)/$entity",` +
		`"@odata.etag":"` + etag + `","title":"` + c.Title + `",` +
		`"statecode@OData.Community.Display.V1.FormattedValue":"Active","statecode":0,` +
		`"_ownerid_value@OData.Community.Display.V1.FormattedValue":"` + owner.Name + `",` +
		`"_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty":"ownerid",` +
		`"_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"systemuser",` +
		`"_ownerid_value":"` + owner.SystemUserID + `",` +
		`"modifiedon@OData.Community.Display.V1.FormattedValue":"` + c.ModifiedOn.Format("1/2/2006 3:04 PM") + `",` +
		`"modifiedon":"` + rec["modifiedon"].(string) + `","incidentid":"` + c.ID + `"}`
	if r.body != want {
		t.Fatalf("\n got %s\nwant %s", r.body, want)
	}
	if r.header.Get("ETag") != etagOf(f.s.tables["incidents"].rows[c.ID]) {
		t.Fatalf("ETag header %q", r.header.Get("ETag"))
	}
}

func TestExpandOnlyWhenAsked(t *testing.T) {
	f := newFixture(t)
	r := f.get("incidents?$select=title")
	if strings.Contains(r.body, "customerid_") {
		t.Fatal("navigation properties without $expand")
	}
	r = f.get("incidents?$select=title,_customerid_value&$expand=customerid_contact($select=fullname,emailaddress1),customerid_account($select=name)")
	mustStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "#incidents(title,_customerid_value,customerid_contact(fullname,emailaddress1),customerid_account(name))") {
		t.Fatalf("context: %.200s", r.body)
	}
	byID := map[string]world.Case{}
	for _, c := range f.w.Cases {
		byID[c.ID] = c
	}
	for _, row := range r.values(t) {
		c := byID[row["incidentid"].(string)]
		contact, account := row["customerid_contact"], row["customerid_account"]
		switch c.CustomerType {
		case world.CustomerContact:
			m, ok := contact.(map[string]any)
			if !ok || account != nil || m["contactid"] != c.CustomerID || len(m) != 3 {
				t.Fatalf("case %s: contact %v account %v", c.Number, contact, account)
			}
		case world.CustomerAccount:
			m, ok := account.(map[string]any)
			if !ok || contact != nil || m["accountid"] != c.CustomerID || len(m) != 2 {
				t.Fatalf("case %s: contact %v account %v", c.Number, contact, account)
			}
		}
	}
	// Without a nested $select every column comes back, and expands nest.
	r = f.get("incidents(" + f.w.Cases[0].ID + ")?$select=title&$expand=customerid_contact($expand=parentcustomerid_account($select=name)),ownerid($select=fullname)")
	mustStatus(t, r, http.StatusOK)
	m := r.json(t)
	contact := m["customerid_contact"].(map[string]any)
	if _, ok := contact["lastname"]; !ok {
		t.Fatalf("contact without nested $select lacks columns: %v", contact)
	}
	if acc, ok := contact["parentcustomerid_account"].(map[string]any); !ok || acc["name"] == nil {
		t.Fatalf("nested expand: %v", contact["parentcustomerid_account"])
	}
	if owner := m["ownerid"].(map[string]any); owner["fullname"] != f.tech("camille").Name {
		t.Fatalf("owner %v", owner)
	}
}

func TestGetByIDAndItsErrors(t *testing.T) {
	f := newFixture(t)
	id := f.w.Cases[3].ID
	r := f.get("incidents(" + id + ")")
	mustStatus(t, r, http.StatusOK)
	if m := r.json(t); m["@odata.context"] != f.base+"$metadata#incidents/$entity" || m["ticketnumber"] != f.w.Cases[3].Number {
		t.Fatalf("%.300s", r.body)
	}
	r = f.get("incidents(incidentid=" + id + ")?$select=title")
	mustStatus(t, r, http.StatusOK)

	missing := world.GUID("no such case")
	r = f.get("incidents(" + missing + ")")
	mustStatus(t, r, http.StatusNotFound)
	if r.body != `{"error":{"code":"0x80040217","message":"incident With Id = `+missing+` Does Not Exist"}}` {
		t.Fatalf("404 body %s", r.body)
	}
	for _, bad := range []string{"incidents(not-a-guid)", "incidents(123)", "incidents(", "incidents(title='x')"} {
		r := f.get(bad)
		mustStatus(t, r, http.StatusBadRequest)
		r.errorOf(t)
	}
	mustStatus(t, f.get("nothings"), http.StatusNotFound)
	mustStatus(t, f.get("incidents("+id+")?$filter=statecode%20eq%200"), http.StatusBadRequest)
	mustStatus(t, f.get("incidents("+id+")/title"), http.StatusNotImplemented)
	mustStatus(t, f.call(http.MethodPut, "incidents("+id+")", "{}"), http.StatusMethodNotAllowed)
}

func TestConditionalGet(t *testing.T) {
	f := newFixture(t)
	id := f.w.Cases[0].ID
	etag := f.get("incidents(" + id + ")?$select=title").header.Get("ETag")
	mustStatus(t, f.get("incidents("+id+")?$select=title", "If-None-Match", etag), http.StatusNotModified)
	mustStatus(t, f.get("incidents("+id+")?$select=title", "If-None-Match", "null"), http.StatusOK)
	// Never 304 with annotations or $expand.
	mustStatus(t, f.get("incidents("+id+")?$select=title", "If-None-Match", etag, "Prefer", `odata.include-annotations="*"`), http.StatusOK)
	mustStatus(t, f.get("incidents("+id+")?$select=title&$expand=ownerid", "If-None-Match", etag), http.StatusOK)
}

func TestSystemUsersCarryBothIDs(t *testing.T) {
	f := newFixture(t)
	jordan := f.tech("jordan")
	r := f.get("systemusers?$select=fullname,azureactivedirectoryobjectid&$filter=" + url.QueryEscape("azureactivedirectoryobjectid eq "+jordan.EntraOID))
	mustStatus(t, r, http.StatusOK)
	rows := r.values(t)
	if len(rows) != 1 || rows[0]["systemuserid"] != jordan.SystemUserID || rows[0]["fullname"] != jordan.Name {
		t.Fatalf("%s", r.body)
	}
	mustStatus(t, f.call(http.MethodPost, "systemusers", `{"fullname":"x"}`), http.StatusMethodNotAllowed)
}

func TestServiceDocument(t *testing.T) {
	f := newFixture(t)
	r := f.get("")
	mustStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `{"name":"lmi_sessions","kind":"EntitySet","url":"lmi_sessions"}`) {
		t.Fatalf("%s", r.body)
	}
	mustStatus(t, f.get("$metadata"), http.StatusNotImplemented)
	r = f.get(strings.Replace(f.base, "v9.2", "v9.0", 1) + "WhoAmI")
	if !strings.Contains(r.body, "/api/data/v9.0/$metadata#") {
		t.Fatalf("v9.0 context: %s", r.body)
	}
}
