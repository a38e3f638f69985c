package dataverse

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// fuzzServer is a Server with the seed and one session row, for the parsers to run against.
func fuzzServer(t testing.TB) *Server {
	t.Helper()
	w := world.New(seedTime)
	s := New(w, func(string) (string, string, bool) { return "", "", false }, Options{Now: func() time.Time { return seedTime }})
	ch := &change{
		values:  map[string]any{"lmi_sessionid": "123", "lmi_name": "Session", "lmi_duration": json.Number("75")},
		targets: map[string]string{}, dynamic: []string{"lmi_name", "lmi_duration"},
	}
	if _, err := s.insertRow(s.tables[SessionSet], ch, w.Technicians[0].SystemUserID); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkError fails on an error that is not a well-formed OData error.
func checkError(t *testing.T, err *odataError) {
	t.Helper()
	if err != nil && (err.status < 400 || err.code == "" || err.message == "" || !utf8.ValidString(err.code)) {
		t.Fatalf("malformed error %+v", err)
	}
}

var filterSeeds = []string{
	"statecode eq 0",
	"statecode eq 0 and _ownerid_value eq 3f454e96-cc00-5600-b3a9-f4a7d4ed030f",
	"_ownerid_value eq '3f454e96-cc00-5600-b3a9-f4a7d4ed030f'",
	"Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')",
	"Microsoft.Dynamics.CRM.EqualUserId(PropertyName=@p1)",
	"(contains(title,'VPN') or contains(ticketnumber,'cas')) and not (prioritycode eq 1)",
	"contains(title,'d''O[a-z]%_')",
	"modifiedon gt 2026-01-01T00:00:00Z and createdon le 2026-02-01",
	"customerid_contact/parentcustomerid_account/name eq 'Fabrikam, Inc.'",
	"title eq ticketnumber",
	"description eq null",
	"lmi_duration gt 3.5e1",
	"title eq 'O'Bryan'",
	"((((statecode eq 0))))",
	"-1 lt prioritycode",
	"@p1 eq statecode",
	"lmi_technicianid eq '4310022' and _ownerid_value eq 3f454e96-cc00-5600-b3a9-f4a7d4ed030f",
}

func FuzzFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	s := fuzzServer(f)
	aliases := map[string]string{"@p1": "'ownerid'"}
	ctx := &evalCtx{sc: &s.schema, userID: s.world.Technicians[0].SystemUserID}
	f.Fuzz(func(t *testing.T, expr string) {
		for _, set := range []string{"incidents", SessionSet, UserSettingSet} {
			tbl := s.tables[set]
			n, err := s.parseFilter(tbl, expr, aliases)
			checkError(t, err)
			if err != nil {
				continue
			}
			for _, r := range tbl.rows {
				n.eval(ctx, r)
			}
		}
	})
}

func FuzzSelectExpandOrderby(f *testing.F) {
	for _, s := range []string{
		"title,ticketnumber", "*", "customerid_contact($select=fullname,emailaddress1),customerid_account($select=name)",
		"customerid_contact($select=fullname;$expand=parentcustomerid_account($select=name))", "modifiedon desc,title asc",
		"ownerid($select=fullname)", "customerid_contact/$ref", "a(b(c(d)))", "title,,", "x('a,b')", "lmi_incidentid($select=title)",
	} {
		f.Add(s)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, v string) {
		for _, set := range []string{"incidents", SessionSet} {
			tbl := s.tables[set]
			sel, err := parseSelect(tbl, v)
			checkError(t, err)
			for _, name := range sel {
				if tbl.column(name, false) == nil {
					t.Fatalf("$select let through %q", name)
				}
			}
			items, err := s.parseExpand(tbl, v)
			checkError(t, err)
			if err == nil && countExpands(items) > maxExpands {
				t.Fatalf("%d expands let through", countExpands(items))
			}
			keys, err := parseOrderby(tbl, v)
			checkError(t, err)
			for _, k := range keys {
				if k.col == nil {
					t.Fatal("an order key without a column")
				}
			}
		}
	})
}

func countExpands(items []*expandItem) int {
	n := len(items)
	for _, e := range items {
		n += countExpands(e.expand)
	}
	return n
}

// FuzzQueryString runs whole query strings through option parsing, the query, paging and rendering.
func FuzzQueryString(f *testing.F) {
	for _, s := range []string{
		"$select=title&$filter=statecode%20eq%200&$orderby=modifiedon%20desc&$top=3&$count=true",
		"$filter=Microsoft.Dynamics.CRM.EqualUserId(PropertyName=@p1)&@p1='ownerid'",
		"$expand=customerid_contact($select=fullname;$expand=parentcustomerid_account)&$select=title",
		"$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e%253cincidentid%2520last%253d%2522%257b027A8A9E-A7F8-54BA-9D21-B8CBF13535DF%257d%2522%2520first%253d%2522%257b027A8A9E-A7F8-54BA-9D21-B8CBF13535DF%257d%2522%2520%252f%253e%253c%252fcookie%253e%22%20istracking=%22False%22%20/%3E",
		"$select=title&$select=title", "%zz", "a=b&&c", "$top=99999999999999999999",
	} {
		f.Add(s)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQueryOptions(raw)
		checkError(t, err)
		if err != nil {
			return
		}
		tbl := s.tables["incidents"]
		cq, err := s.parseCollectionQuery(tbl, q)
		checkError(t, err)
		if err != nil {
			return
		}
		rows := s.matching(tbl, cq, s.world.Technicians[0].SystemUserID)
		rd := renderer{sc: &s.schema, ann: parseAnnotationFilter("*")}
		for _, r := range rows {
			if _, err := rd.entity(tbl, r, cq.sel, cq.expand, true).MarshalJSON(); err != nil {
				t.Fatal(err)
			}
		}
		if len(rows) > 0 {
			token := encodeSkiptoken(1, tbl, cq.order, rows[0], rows[len(rows)-1])
			v, uerr := url.QueryUnescape(token)
			if uerr != nil {
				t.Fatal(uerr)
			}
			if _, err := decodeSkiptoken(v, tbl, cq.order); err != nil {
				t.Fatalf("our own paging cookie does not decode: %v\n%s", err, v)
			}
		}
	})
}

func FuzzKeySegment(f *testing.F) {
	for _, s := range []string{
		"lmi_sessionid='123'", "lmi_sessionid='O''Brien'", "027a8a9e-a7f8-54ba-9d21-b8cbf13535df",
		"lmi_sessionrecordid=027a8a9e-a7f8-54ba-9d21-b8cbf13535df", "lmi_sessionid=123", "a='1',b='2'",
		"lmi_sessionid='a/b'", "", "'", "LogicalName='lmi_session'", "x=", "=1", "lmi_sessionid='1',",
	} {
		f.Add(s)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, key string) {
		spec, err := parseKeySegment(key)
		checkError(t, err)
		if err != nil {
			return
		}
		if spec.guid == "" && len(spec.pairs) == 0 {
			t.Fatal("a key segment parsed to nothing")
		}
		for _, set := range []string{"incidents", SessionSet} {
			ref, err := s.resolveKey(s.tables[set], spec)
			checkError(t, err)
			if err == nil {
				s.find(s.tables[set], ref)
			}
		}
		_, err = logicalNameKey(key, "EntityMetadata")
		checkError(t, err)
	})
}

func FuzzRequestBody(f *testing.F) {
	for _, s := range []string{
		`{"lmi_name":"x","lmi_duration":12.5,"lmi_closed":true,"lmi_notes":null}`,
		`{"lmi_incidentid@odata.bind":"/incidents(027a8a9e-a7f8-54ba-9d21-b8cbf13535df)"}`,
		`{"ownerid@odata.bind":"https://h/api/data/v9.2/systemusers(3f454e96-cc00-5600-b3a9-f4a7d4ed030f)"}`,
		`{"title":"t","statecode":2,"statuscode":6,"prioritycode":1}`, `{"@odata.type":"#x","a@b":1}`,
		`{"x":{"y":[1,2]}}`, `[1]`, `{"a":1}{"b":2}`, `{"a":1,"a":2}`, "\xff", `{"lmi_sessionid":"1","statecode":1}`,
		`{"lmi_name":"Jordan O'Neill","lmi_technicianid":"4310022","lmi_ssoid":"sso-jordan","lmi_authcode":"x"}`,
		`{"IncidentResolution":{"incidentid@odata.bind":"/incidents(027a8a9e-a7f8-54ba-9d21-b8cbf13535df)"},"Status":5}`,
	} {
		f.Add(s)
	}
	s := fuzzServer(f)
	caller := s.world.Technicians[0].SystemUserID
	f.Fuzz(func(t *testing.T, body string) {
		props, err := parseJSONObject([]byte(body))
		checkError(t, err)
		if err != nil {
			return
		}
		for _, set := range []string{"incidents", SessionSet, "annotations", UserSettingSet} {
			tbl := s.tables[set]
			ch := &change{values: map[string]any{}, targets: map[string]string{}, bound: map[string]bool{}}
			var perr *odataError
			for _, p := range props {
				if perr = s.applyProp(tbl, ch, p); perr != nil {
					break
				}
			}
			checkError(t, perr)
			if perr != nil {
				continue
			}
			// Only a session row is written: the fuzz server is shared across inputs.
			if set == SessionSet {
				delete(ch.values, tbl.primaryKey)
				ch.values["lmi_sessionid"] = "fuzz"
				r, err := s.insertRow(tbl, ch, caller)
				checkError(t, err)
				if r != nil {
					delete(tbl.rows, r.id(tbl))
				}
			}
		}
		_, err = s.resolutionIncident([]byte(body))
		checkError(t, err)
	})
}

func FuzzPrefer(f *testing.F) {
	for _, s := range []string{
		`odata.include-annotations="*",odata.maxpagesize=100`, `return=representation`,
		`odata.include-annotations="OData.Community.Display.V1.FormattedValue,-Microsoft.Dynamics.CRM.*"`,
		`odata.maxpagesize=0`, `odata.maxpagesize="9999999"`, `odata.callback;url="https://x,y"`, `"`, `,,=;`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		p := parsePrefer([]string{h})
		if p.maxPageSize < 0 || p.maxPageSize > maxPageSize {
			t.Fatalf("page size %d", p.maxPageSize)
		}
		if p.annotationsRaw == "" && p.annotations.any() {
			t.Fatal("annotations without the value they came from")
		}
		p.annotations.wants(annFormatted)
		p.appliedForRead(true)
	})
}

func FuzzMetadataBody(f *testing.F) {
	for _, s := range []string{
		widgetTable, widgetCode, widgetCount, widgetCase, widgetKey,
		`{"@odata.type":"#Microsoft.Dynamics.CRM.BooleanAttributeMetadata","SchemaName":"x_B","DisplayName":{"LocalizedLabels":[{"Label":"B"}]}}`,
		`{"@odata.type":"Microsoft.Dynamics.CRM.MemoAttributeMetadata","SchemaName":"x_M","MaxLength":-1,"DisplayName":{}}`,
		`{"SchemaName":1}`, `{"Attributes":[1]}`, `{"Attributes":{"a":1}}`, `{"KeyAttributes":[null]}`,
		`{"Lookup":"x","@odata.type":"Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata"}`, `{"DisplayName":{"LocalizedLabels":"x"}}`,
	} {
		f.Add(s)
	}
	s := fuzzServer(f)
	sessions := s.tables[SessionSet]
	f.Fuzz(func(t *testing.T, body string) {
		props, err := parseJSONObject([]byte(body))
		checkError(t, err)
		if err != nil {
			return
		}
		if b, err := metaObject(props, "EntityMetadata", entityKnown); err == nil {
			_, err = s.readEntityDefinition(b)
			checkError(t, err)
		} else {
			checkError(t, err)
		}
		if b, err := metaObject(props, "AttributeMetadata", attributeKnown); err == nil {
			_, err = readAttribute(b)
			checkError(t, err)
		} else {
			checkError(t, err)
		}
		if b, err := metaObject(props, "EntityKeyMetadata", keyKnown); err == nil {
			_, err = readKeyDefinition(b, sessions)
			checkError(t, err)
		} else {
			checkError(t, err)
		}
		if b, err := metaObject(props, "OneToManyRelationshipMetadata", relationshipKnown); err == nil {
			_, _, err = s.readRelationship(b)
			checkError(t, err)
		} else {
			checkError(t, err)
		}
	})
}
