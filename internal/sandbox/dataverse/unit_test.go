package dataverse

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLikePatterns(t *testing.T) {
	cases := []struct {
		value, pattern string
		want           bool
	}{
		{"VPN drops every 10 minutes", "%vpn%", true},
		{"VPN drops every 10 minutes", "vpn%", true},
		{"VPN drops every 10 minutes", "%vpn", false},
		{"Écran noir", "ecran%", true},
		{"Réinitialisation d'O'Brien", "%D'O%", true},
		{"CAS-01003-K8Q2R7", "cas-0100_-%", true},
		{"CAS-01003-K8Q2R7", "%-[a-k]8%", true},
		{"CAS-01003-K8Q2R7", "%-[^a-k]8%", false},
		{"a[b", "a[b", true},
		{"", "%", true},
		{"", "_", false},
		{"100% sure", "100%", true},
	}
	for _, c := range cases {
		if got := matchLike([]rune(fold(c.value)), compileLike(c.pattern)); got != c.want {
			t.Errorf("%q LIKE %q = %v, want %v", c.value, c.pattern, got, c.want)
		}
	}
}

func TestPreferHeader(t *testing.T) {
	p := parsePrefer([]string{`odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname",odata.maxpagesize=50`, "return=representation"})
	if !p.representation || p.maxPageSize != 50 || !p.annotations.wants(annFormatted) || !p.annotations.wants(annLogical) || p.annotations.wants(annNavProp) {
		t.Fatalf("%+v", p)
	}
	if got := strings.Join(p.appliedForRead(true), ","); got != `odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname",odata.maxpagesize=50` {
		t.Fatalf("applied %s", got)
	}
	if p := parsePrefer([]string{"odata.maxpagesize=9000"}); p.maxPageSize != maxPageSize {
		t.Fatalf("page size %d", p.maxPageSize)
	}
	if p := parsePrefer([]string{"odata.maxpagesize=abc, odata.maxpagesize=-3"}); p.maxPageSize != 0 {
		t.Fatalf("page size %d", p.maxPageSize)
	}
}

func TestSkiptokenRoundTrip(t *testing.T) {
	s := fuzzServer(t)
	tbl := s.tables[SessionSet]
	first := &record{values: map[string]any{
		SessionPrimaryKey: "027a8a9e-a7f8-54ba-9d21-b8cbf13535df", "lmi_name": nil,
		"lmi_duration": json.Number("12.5"), "createdon": seedTime, "statecode": 0,
	}}
	last := &record{values: map[string]any{
		SessionPrimaryKey: "5361aa24-c6a3-52b5-9c33-664f3940e6a0", "lmi_name": `Zoë "O'Connor" <&> 100%`,
		"lmi_duration": json.Number("75"), "createdon": seedTime.Add(time.Second), "statecode": 1,
	}}
	keys, err := parseOrderby(tbl, "lmi_name desc,lmi_duration,createdon,statecode")
	if err != nil {
		t.Fatal(err)
	}
	token := encodeSkiptoken(3, tbl, keys, first, last)
	if !strings.HasPrefix(token, "%3Ccookie%20pagenumber=%224%22%20pagingcookie=%22%253ccookie%2520page%253d%25223%2522%253e") {
		t.Fatalf("token %s", token)
	}
	v, _ := url.QueryUnescape(token)
	c, derr := decodeSkiptoken(v, tbl, keys)
	if derr != nil {
		t.Fatal(derr)
	}
	if c.page != 4 || c.lastID != last.id(tbl) || fmt.Sprint(c.values) != fmt.Sprint([]any{last.values["lmi_name"], json.Number("75"), last.values["createdon"], 1}) {
		t.Fatalf("cursor %+v", c)
	}
	if compareCursor(tbl, keys, last, c) != 0 || compareCursor(tbl, keys, first, c) <= 0 {
		t.Fatal("the cursor does not sit on the last row")
	}
	// A token of another ordering is refused.
	other, _ := parseOrderby(tbl, "createdon")
	if _, err := decodeSkiptoken(v, tbl, other); err == nil {
		t.Fatal("a cookie of another query was taken")
	}
}

func TestConcurrentRequests(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			r := f.call(http.MethodPatch, fmt.Sprintf("lmi_sessions(lmi_sessionid='%d')", i%5), fmt.Sprintf(`{"lmi_name":"n%d"}`, i))
			if r.status != http.StatusNoContent {
				errs <- r.body
			}
		}(i)
		go func() {
			defer wg.Done()
			if r := f.get("incidents?$select=title&$filter=statecode%20eq%200", "Prefer", "odata.maxpagesize=5"); r.status != http.StatusOK {
				errs <- r.body
			}
			f.s.Records(SessionSet)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(f.s.Records(SessionSet)); n != 5 {
		t.Fatalf("%d session rows for 5 keys", n)
	}
}
