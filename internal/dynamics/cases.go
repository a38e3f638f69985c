package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Case is an open case as the technician's list shows it.
type Case struct {
	ID, Number, Title, Description string
	// Customer and CustomerEmail come from the expanded contact (fullname, emailaddress1) or account
	// (name, emailaddress1); CustomerType is "contact" or "account".
	Customer, CustomerEmail, CustomerType string
	// Priority, Status and State are the organisation's labels (FormattedValue) of the codes.
	Priority, Status, State             string
	PriorityCode, StatusCode, StateCode int
	OwnerID, Owner                      string // _ownerid_value and its FormattedValue
	CreatedOn, ModifiedOn               time.Time
}

// Customer kinds, as the lookuplogicalname annotation names them.
const (
	CustomerContact = "contact"
	CustomerAccount = "account"
)

// The "my open cases" query of the reference (§A.4).
const (
	caseSelect = "incidentid,title,ticketnumber,statecode,statuscode,prioritycode,description," +
		"_customerid_value,_ownerid_value,createdon,modifiedon"
	caseOrderBy = "modifiedon desc"
	caseExpand  = "customerid_contact($select=fullname,emailaddress1),customerid_account($select=name,emailaddress1)"
	annotations = "OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname," +
		"Microsoft.Dynamics.CRM.associatednavigationproperty"
)

// maxPages stops a server that never stops sending next links (100,000 cases at the default page size).
const maxPages = 1000

// MyOpenCases returns the active cases (statecode 0) owned by the user, most recently modified first,
// following every @odata.nextLink as given. The list is empty, not nil, when the user has none.
func (c *Client) MyOpenCases(ctx context.Context, userID string) ([]Case, error) {
	if !isGUID(userID) {
		return nil, fmt.Errorf("dynamics: user ID %q is not a GUID", oneLine(userID, 40, ""))
	}
	var (
		cases  = make([]Case, 0, c.opts.PageSize)
		labels = labelSet{}
		next   = c.openCasesURL(userID)
		prefer = c.casesPrefer()
	)
	for page := 1; next != ""; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("dynamics: more than %d pages of cases", maxPages)
		}
		start, link := len(cases), ""
		r := &request{method: http.MethodGet, url: next, prefer: prefer, read: func(resp *http.Response, body io.Reader) error {
			if err := checkJSON(resp); err != nil {
				return err
			}
			var err error
			cases, link, err = decodeCasePage(body, cases[:start], labels)
			return err
		}}
		if err := c.do(ctx, r); err != nil {
			return nil, err
		}
		var err error
		if next, err = c.followable(next, link); err != nil {
			return nil, err
		}
	}
	return cases, nil
}

// openCasesURL is the first page's address. The user ID is a checked GUID, so it needs no quoting.
func (c *Client) openCasesURL(userID string) string {
	filter := "statecode eq 0 and _ownerid_value eq " + userID
	return c.api + "incidents?$select=" + escapeQuery(caseSelect) +
		"&$filter=" + escapeQuery(filter) +
		"&$orderby=" + escapeQuery(caseOrderBy) +
		"&$expand=" + escapeQuery(caseExpand)
}

// casesPrefer is sent with every page, as paging asks.
func (c *Client) casesPrefer() string {
	return "odata.maxpagesize=" + strconv.Itoa(c.opts.PageSize) + `,odata.include-annotations="` + annotations + `"`
}

// followable checks a next link of the case list before the token goes with it.
func (c *Client) followable(current, link string) (string, error) {
	return c.followableFor("the case list", current, link)
}

// followableFor checks a next link before the token goes with it: same origin as the organisation,
// and not the page just read. what names the list in messages.
func (c *Client) followableFor(what, current, link string) (string, error) {
	if link == "" {
		return "", nil
	}
	if link == current {
		return "", malformed(what, errors.New("the next link points to the same page"))
	}
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Scheme+"://"+u.Host, c.org) {
		return "", malformed(what, errors.New("the next link leaves the organisation"))
	}
	return link, nil
}

// escapeQuery percent-encodes a query option's value, leaving the characters OData writes plainly
// (such as $ ( ) , = ' :) as they are, so the URL reads like the documentation's.
func escapeQuery(s string) string {
	const plain = "-._~$(),='*:@/;"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte(plain, ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// caseRow is one row of the incidents query as it comes over the wire.
type caseRow struct {
	ID           string      `json:"incidentid"`
	Number       string      `json:"ticketnumber"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	StateCode    int         `json:"statecode"`
	State        string      `json:"statecode@OData.Community.Display.V1.FormattedValue"`
	StatusCode   int         `json:"statuscode"`
	Status       string      `json:"statuscode@OData.Community.Display.V1.FormattedValue"`
	PriorityCode int         `json:"prioritycode"`
	Priority     string      `json:"prioritycode@OData.Community.Display.V1.FormattedValue"`
	CustomerName string      `json:"_customerid_value@OData.Community.Display.V1.FormattedValue"`
	CustomerKind string      `json:"_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"`
	OwnerID      string      `json:"_ownerid_value"`
	Owner        string      `json:"_ownerid_value@OData.Community.Display.V1.FormattedValue"`
	CreatedOn    time.Time   `json:"createdon"`
	ModifiedOn   time.Time   `json:"modifiedon"`
	ContactParty customerRow `json:"customerid_contact"`
	AccountParty customerRow `json:"customerid_account"`
}

// customerRow is an expanded contact or account.
type customerRow struct {
	FullName string `json:"fullname"` // contact
	Name     string `json:"name"`     // account
	Email    string `json:"emailaddress1"`
}

// labelSet shares the strings that repeat from row to row (labels, owner), so 5,000 cases hold one copy.
type labelSet map[string]string

func (l labelSet) get(s string) string {
	if v, ok := l[s]; ok {
		return v
	}
	if len(l) < 1024 {
		l[s] = s
	}
	return s
}

func (row *caseRow) toCase(labels labelSet) Case {
	kind := row.CustomerKind
	if kind == "" {
		switch {
		case row.ContactParty.FullName != "":
			kind = CustomerContact
		case row.AccountParty.Name != "":
			kind = CustomerAccount
		}
	}
	var name, email string
	switch kind {
	case CustomerContact:
		name, email = row.ContactParty.FullName, row.ContactParty.Email
	case CustomerAccount:
		name, email = row.AccountParty.Name, row.AccountParty.Email
	}
	if name == "" {
		name = row.CustomerName
	}
	return Case{
		ID: row.ID, Number: row.Number, Title: row.Title, Description: row.Description,
		Customer: name, CustomerEmail: email, CustomerType: labels.get(kind),
		Priority: labels.get(row.Priority), Status: labels.get(row.Status), State: labels.get(row.State),
		PriorityCode: row.PriorityCode, StatusCode: row.StatusCode, StateCode: row.StateCode,
		OwnerID: labels.get(row.OwnerID), Owner: labels.get(row.Owner),
		CreatedOn: row.CreatedOn.UTC(), ModifiedOn: row.ModifiedOn.UTC(),
	}
}

// decodeCasePage reads one page, {"value":[rows…],"@odata.nextLink":"…"}, as a stream: one row at a
// time into a reused struct, appended to out. It returns the next link, "" on the last page.
func decodeCasePage(r io.Reader, out []Case, labels labelSet) ([]Case, string, error) {
	var row caseRow
	next, err := decodePage(r, "the case list", func(dec *json.Decoder) error {
		row = caseRow{} // a null or missing column must not keep the previous row's value
		if err := dec.Decode(&row); err != nil {
			return fmt.Errorf("row %d: %w", len(out)+1, err)
		}
		out = append(out, row.toCase(labels))
		return nil
	})
	return out, next, err
}

// decodePage reads one page of a collection, {"value":[rows…],"@odata.nextLink":"…"}, as a stream,
// handing each row to readRow, which must decode exactly one value. It returns the next link, "" on
// the last page; every error wraps ErrMalformed.
func decodePage(r io.Reader, what string, readRow func(*json.Decoder) error) (string, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return "", malformed(what, err)
	}
	var next string
	sawValue := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", malformed(what, err)
		}
		switch key, _ := tok.(string); key {
		case "value":
			if sawValue {
				return "", malformed(what, errors.New("two value arrays"))
			}
			sawValue = true
			if err := decodeRows(dec, readRow); err != nil {
				return "", malformed(what, err)
			}
		case "@odata.nextLink":
			if err := dec.Decode(&next); err != nil {
				return "", malformed(what, err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", malformed(what, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return "", malformed(what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", malformed(what, errors.New("data after the page"))
	}
	if !sawValue {
		return "", malformed(what, errors.New("no value array"))
	}
	return next, nil
}

func decodeRows(dec *json.Decoder, readRow func(*json.Decoder) error) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		if err := readRow(dec); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("found %v where %q was expected", describeToken(tok), string(want))
	}
	return nil
}

// describeToken names a JSON token for a message without quoting a long value.
func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return strconv.Quote(string(v))
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}
