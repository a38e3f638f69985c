package dynamics

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func readPage(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/page.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeCasePage(t *testing.T) {
	got, next, err := decodeCasePage(bytes.NewReader(readPage(t)), nil, labelSet{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(next, "https://contoso.crm4.dynamics.com/api/data/v9.2/incidents?$select=") ||
		!strings.Contains(next, "&$skiptoken=%3Ccookie%20pagenumber=%222%22") {
		t.Errorf("next link = %q", next)
	}
	want := []Case{{
		ID: "30285d74-ee71-560b-b061-bfbc84bcdbb3", Number: "CAS-01042-TEUZUT",
		Title: "Outlook keeps asking for the password after the update",
		Description: "Reported by phone. Outlook keeps asking for the password after the update.\n" +
			"Customer tried restarting; issue persists. Remote session needed.",
		Customer: "O'Brien & Sons Plumbing", CustomerEmail: "office@obrien-sons.example", CustomerType: "account",
		Priority: "Low", Status: "In Progress", State: "Active", PriorityCode: 3, StatusCode: 1, StateCode: 0,
		OwnerID: "4d7a8845-aa8d-566f-88f8-676b61314db2", Owner: "Priya Natarajan",
		CreatedOn:  time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC),
		ModifiedOn: time.Date(2026, 3, 7, 13, 30, 0, 0, time.UTC),
	}, {
		ID: "3cca03f3-09cf-54b8-98b5-1bcba7971cfd", Number: "CAS-01039-3ZEFTW",
		Title: "Remote desktop to the warehouse PC times out",
		Description: "Reported by phone. Remote desktop to the warehouse PC times out.\n" +
			"Customer tried restarting; issue persists. Remote session needed.",
		Customer: "Fabrikam, Inc.", CustomerEmail: "helpdesk@fabrikam.example", CustomerType: "account",
		Priority: "Low", Status: "In Progress", State: "Active", PriorityCode: 3, StatusCode: 1, StateCode: 0,
		OwnerID: "4d7a8845-aa8d-566f-88f8-676b61314db2", Owner: "Priya Natarajan",
		CreatedOn:  time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC),
		ModifiedOn: time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC),
	}}
	compareCases(t, got, want)
}

func TestDecodeCaseRowVariants(t *testing.T) {
	tests := []struct {
		name, row string
		want      Case
	}{
		{
			"contact, unset account missing",
			`{"incidentid":"a","_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"contact",
			  "customerid_contact":{"fullname":"Grégoire N'Diaye","emailaddress1":null}}`,
			Case{ID: "a", Customer: "Grégoire N'Diaye", CustomerType: "contact"},
		},
		{
			"no annotation: kind from the expansion",
			`{"incidentid":"b","customerid_contact":null,"customerid_account":{"name":"Northwind Traders"}}`,
			Case{ID: "b", Customer: "Northwind Traders", CustomerType: "account"},
		},
		{
			"no expansion: name from the lookup's label",
			`{"incidentid":"c","_customerid_value@OData.Community.Display.V1.FormattedValue":"Fabrikam, Inc.",
			  "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"account"}`,
			Case{ID: "c", Customer: "Fabrikam, Inc.", CustomerType: "account"},
		},
		{
			"nulls everywhere",
			`{"incidentid":"d","title":null,"description":null,"statecode":null,"createdon":null,"customerid_contact":null,"customerid_account":null}`,
			Case{ID: "d"},
		},
		{
			"offset date is put in UTC",
			`{"incidentid":"e","modifiedon":"2026-03-07T15:30:00+02:00"}`,
			Case{ID: "e", ModifiedOn: time.Date(2026, 3, 7, 13, 30, 0, 0, time.UTC)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The row comes second, after a full one, so that nothing of the first may leak into it.
			page := `{"value":[{"incidentid":"x","title":"T","description":"D","statecode":1,"createdon":"2026-01-01T00:00:00Z",
				"customerid_contact":{"fullname":"Zoë O'Connor","emailaddress1":"z@x.example"},
				"customerid_account":{"name":"Fabrikam, Inc.","emailaddress1":"f@x.example"}},` + tt.row + `]}`
			got, next, err := decodeCasePage(strings.NewReader(page), nil, labelSet{})
			if err != nil || next != "" || len(got) != 2 {
				t.Fatalf("decode: %d cases, next %q, %v", len(got), next, err)
			}
			if got[1] != tt.want {
				t.Errorf("got  %+v\nwant %+v", got[1], tt.want)
			}
		})
	}
}

func TestDecodeCasePageRefuses(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ``},
		{"array", `[]`},
		{"no value", `{"@odata.context":"x"}`},
		{"value not an array", `{"value":{}}`},
		{"value null", `{"value":null}`},
		{"row not an object", `{"value":[1]}`},
		{"wrong type", `{"value":[{"statecode":"0"}]}`},
		{"bad date", `{"value":[{"createdon":"yesterday"}]}`},
		{"next link not a string", `{"value":[],"@odata.nextLink":5}`},
		{"truncated", `{"value":[{"incidentid":"5b1f`},
		{"two values", `{"value":[],"value":[]}`},
		{"trailing data", `{"value":[]} {}`},
		{"bad skipped value", `{"x":[1,,2],"value":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeCasePage(strings.NewReader(tt.body), nil, labelSet{})
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestReadError(t *testing.T) {
	tests := []struct {
		name, body, want string
		status           int
	}{
		{
			"documented body", `{"error":{"code":"0x80040217","message":"incident With Id = 1 Does Not Exist"}}`,
			"Dynamics refused the request (404 0x80040217): incident With Id = 1 Does Not Exist", 404,
		},
		{"empty code", `{"error":{"code":"","message":"Bad field"}}`, "Dynamics refused the request (400): Bad field", 400},
		{"HTML page", "<html>\n<title>Gateway</title>\n</html>", "Dynamics failed to answer (502): Bad Gateway", 502},
		{
			"multi-line message with the token", `{"error":{"code":"x","message":"line one\r\nBearer tok-SECRET\nline three"}}`,
			"Dynamics did not accept the sign-in (401 x): line one Bearer … line three", 401,
		},
		{
			"forbidden", `{"error":{"code":"0x80072560","message":"The user is not a member of the organization."}}`,
			"Dynamics denied access (403 0x80072560): The user is not a member of the organization.", 403,
		},
		{"unknown status", ``, "Dynamics refused the request (499)", 499},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Body: io.NopCloser(strings.NewReader(tt.body))}
			if got := readError(resp, "tok-SECRET").Error(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func FuzzDecodeCasePage(f *testing.F) {
	f.Add(readPage(f))
	f.Add([]byte(`{"value":[]}`))
	f.Add([]byte(`{"value":[{"incidentid":"a","customerid_contact":{"fullname":"Z"}}],"@odata.nextLink":"https://x/y"}`))
	f.Add([]byte(`{"value":[{"incidentid":"5b1f`))
	f.Add([]byte(`{"value":[{"createdon":"2026-03-07T15:30:00+02:00","statecode":1e400}]}`))
	f.Add([]byte(`{"@odata.context":"x","value":[null,{}],"extra":{"a":[1,2,{"b":null}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cases, next, err := decodeCasePage(bytes.NewReader(data), nil, labelSet{})
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON as %d cases, next %q", len(cases), next)
		}
	})
}

func FuzzReadError(f *testing.F) {
	f.Add(401, []byte(`{"error":{"code":"0x8006088a","message":"The bearer token tok-SECRET is not valid."}}`))
	f.Add(429, []byte(`{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit."}}`))
	f.Add(500, []byte("<html>\n</html>"))
	f.Add(404, []byte(`{"error":{"code":"`+strings.Repeat("7", 100)+`","message":"a\u2028b\u0000c"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		resp := &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body))}
		e := readError(resp, "tok-SECRET")
		msg := e.Error()
		if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, "tok-SECRET") {
			t.Fatalf("message %q spans lines or shows the token", msg)
		}
		if utf8.RuneCountInString(e.Message) > maxMessage+1 || !utf8.ValidString(msg) {
			t.Fatalf("message of %d runes, or not UTF-8: %q", utf8.RuneCountInString(e.Message), e.Message)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"3", "0", "Tue, 10 Mar 2026 09:30:45 GMT", "Tuesday, 10-Mar-26 09:30:45 GMT", "-1", "1e3", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, now)
		if d < -1 || d > 24*time.Hour {
			t.Fatalf("parseRetryAfter(%q) = %v", v, d)
		}
	})
}

func FuzzDecodeWhoAmI(f *testing.F) {
	f.Add([]byte(`{"@odata.context":"x","BusinessUnitId":"b","UserId":"d96e9f55-1a2b-4c3d-8e4f-5a6b7c8d9e0f","OrganizationId":"o"}`))
	f.Add([]byte(`{"UserId":null}`))
	f.Add([]byte(`{"UserId":"x"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		who, err := decodeWhoAmI(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !isGUID(who.UserID) {
			t.Fatalf("accepted UserId %q", who.UserID)
		}
	})
}
