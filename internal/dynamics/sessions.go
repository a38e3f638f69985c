package dynamics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SessionTable names the Rescue session table by its configurable schema names.
type SessionTable struct {
	Set       string // entity set, e.g. lmi_sessions
	KeyColumn string // the string column of the alternate key, holding the Rescue session ID, e.g. lmi_sessionid
	// CaseNav is the single-valued navigation property of the lookup to incident, e.g. lmi_incidentid.
	// It is written as given in "<CaseNav>@odata.bind", and in lower case in the lookup property
	// _<casenav>_value, as Dataverse names lookup properties by their logical name.
	CaseNav string
}

func (t SessionTable) check() error {
	return checkNames("session entity set", t.Set, "session key column", t.KeyColumn, "session case navigation property", t.CaseNav)
}

// caseLookup is the lookup property behind CaseNav, for filters and reads.
func (t SessionTable) caseLookup() string { return "_" + strings.ToLower(t.CaseNav) + "_value" }

// badKeyChars are the characters the Dataverse documentation says break a key value in a URL.
const badKeyChars = `/<>*%&:\?+`

// keyURL is the address of the record whose key column holds value: <set>(<column>='<value>').
func (c *Client) keyURL(set, column, value string) (string, error) {
	switch i := strings.IndexAny(value, badKeyChars); {
	case value == "":
		return "", errors.New("dynamics: empty session ID")
	case i >= 0:
		return "", fmt.Errorf("dynamics: session ID %q holds %q, which Dataverse cannot take in a key", oneLine(value, 40, ""), value[i])
	}
	return c.api + set + "(" + column + "=" + escapeQuery(quote(value)) + ")", nil
}

// sessionURL checks the table and the session ID and addresses the session's record by its key.
func (c *Client) sessionURL(t SessionTable, sessionID string) (string, error) {
	if err := t.check(); err != nil {
		return "", err
	}
	return c.keyURL(t.Set, t.KeyColumn, sessionID)
}

// sessionError says which record a failed session write was about.
func sessionError(t SessionTable, sessionID string, err error) error {
	return fmt.Errorf("dynamics: session %s in %s (by %s): %w", quote(oneLine(sessionID, 40, "")), t.Set, t.KeyColumn, err)
}

// UpsertSession creates or updates the session's record, addressed by its alternate key:
// PATCH <set>(<KeyColumn>='<sessionID>') with the columns, and no If-Match or If-None-Match, so that
// the service creates the record when it is missing and updates it otherwise. A non-empty caseID
// binds the case with "<CaseNav>@odata.bind": "/incidents(<caseID>)"; an empty one leaves the lookup
// as it is. The columns must not hold the key column (it is in the URL) nor the case binding.
//
// It returns the record's GUID. Whether the record was created is not known: the service answers
// 204 in both cases. Being idempotent by key, the request is sent again after a server error, a
// timeout or a dropped connection, like a GET.
func (c *Client) UpsertSession(ctx context.Context, t SessionTable, sessionID, caseID string, columns map[string]any) (recordID string, err error) {
	u, err := c.sessionURL(t, sessionID)
	if err != nil {
		return "", err
	}
	if caseID != "" && !isGUID(caseID) {
		return "", fmt.Errorf("dynamics: case ID %q is not a GUID", oneLine(caseID, 40, ""))
	}
	body, err := sessionBody(t, caseID, columns)
	if err != nil {
		return "", err
	}
	var id string
	r := &request{method: http.MethodPatch, url: u, body: body, repeatable: true, read: func(resp *http.Response, _ io.Reader) error {
		id = guidFromEntityID(resp.Header.Get("OData-EntityId"), t.Set)
		return nil
	}}
	if err := c.do(ctx, r); err != nil {
		return "", sessionError(t, sessionID, err)
	}
	if id != "" {
		return id, nil
	}
	// The header named the record by its key, as the upsert documentation shows, or not at all.
	if id, err = c.recordIDByKey(ctx, u, t.KeyColumn); err != nil {
		return "", sessionError(t, sessionID, err)
	}
	return id, nil
}

// sessionBody writes the columns of an upsert and the case binding.
func sessionBody(t SessionTable, caseID string, columns map[string]any) ([]byte, error) {
	bind := t.CaseNav + "@odata.bind"
	body := make(map[string]any, len(columns)+1)
	for name, v := range columns {
		base, ann, annotated := strings.Cut(name, "@")
		switch {
		case strings.EqualFold(name, t.KeyColumn):
			return nil, fmt.Errorf("dynamics: the key column %s goes in the URL, not among the columns", t.KeyColumn)
		case strings.EqualFold(name, bind):
			return nil, errors.New("dynamics: the case is bound from the case ID, not among the columns")
		case !validName(base) || annotated && ann != "odata.bind":
			return nil, fmt.Errorf("dynamics: column %q is not a schema name", oneLine(name, 40, ""))
		}
		body[name] = v
	}
	if caseID != "" {
		body[bind] = "/incidents(" + caseID + ")"
	}
	return marshalBody(body)
}

// recordIDByKey reads the GUID of the record at a key URL: GET <key URL>?$select=<keyColumn>.
func (c *Client) recordIDByKey(ctx context.Context, keyURL, keyColumn string) (string, error) {
	var id string
	r := &request{method: http.MethodGet, url: keyURL + "?$select=" + escapeQuery(keyColumn), read: func(resp *http.Response, body io.Reader) error {
		if err := checkJSON(resp); err != nil {
			return err
		}
		var err error
		id, err = decodeRecordID(body, keyColumn)
		return err
	}}
	if err := c.do(ctx, r); err != nil {
		return "", err
	}
	return id, nil
}

// DeactivateSession sets the session's record, addressed by its key, to Inactive: statecode 1,
// statuscode 2. It sends If-Match: * so that a missing record is not created; that is an error
// matching ErrNotFound. Deactivating twice changes nothing, so it is retried like a GET.
func (c *Client) DeactivateSession(ctx context.Context, t SessionTable, sessionID string) error {
	u, err := c.sessionURL(t, sessionID)
	if err != nil {
		return err
	}
	r := &request{method: http.MethodPatch, url: u, body: []byte(`{"statecode":1,"statuscode":2}`), ifMatch: "*", repeatable: true}
	if err := c.do(ctx, r); err != nil {
		return sessionError(t, sessionID, err)
	}
	return nil
}

// SessionRecords lists the session records linked to a case, newest first (createdon desc), every
// page of them. columns are the columns to read ($select); none means all. Each row is the record as
// the service wrote it: the chosen columns, the primary key, @odata.etag, and the labels of choices
// and lookups as "<column>@OData.Community.Display.V1.FormattedValue"; numbers are json.Number.
func (c *Client) SessionRecords(ctx context.Context, t SessionTable, caseID string, columns []string) ([]map[string]any, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if !isGUID(caseID) {
		return nil, fmt.Errorf("dynamics: case ID %q is not a GUID", oneLine(caseID, 40, ""))
	}
	sel, err := selectList(columns)
	if err != nil {
		return nil, err
	}
	// caseID is a checked GUID, so it needs no quoting.
	u := c.collectionURL(t.Set, "$select", sel, "$filter", t.caseLookup()+" eq "+caseID, "$orderby", "createdon desc")
	return c.listRows(ctx, u, "the session records")
}

// SessionRecordsSince lists every session record modified at or after since, most recently modified
// first, every page of them: the team's sessions for a lead. columns and rows are as in SessionRecords.
// The time is sent to the second, rounded down.
func (c *Client) SessionRecordsSince(ctx context.Context, t SessionTable, since time.Time, columns []string) ([]map[string]any, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	since = since.UTC()
	if y := since.Year(); y < 1753 || y > 9999 {
		// 1753 is where the service's dates begin; the zero time is surely a mistake.
		return nil, fmt.Errorf("dynamics: start time %s is out of range", since.Format(time.RFC3339))
	}
	sel, err := selectList(columns)
	if err != nil {
		return nil, err
	}
	filter := "modifiedon ge " + since.Format("2006-01-02T15:04:05Z")
	u := c.collectionURL(t.Set, "$select", sel, "$filter", filter, "$orderby", "modifiedon desc")
	return c.listRows(ctx, u, "the session records")
}

// SessionRecord finds the session record of a Rescue session by its key column, with a $filter
// rather than the alternate key's address, so that it works while the key's index is not active.
// found is false when there is none.
func (c *Client) SessionRecord(ctx context.Context, t SessionTable, sessionID string, columns []string) (map[string]any, bool, error) {
	if err := t.check(); err != nil {
		return nil, false, err
	}
	sel, err := selectList(columns)
	if err != nil {
		return nil, false, err
	}
	u := c.collectionURL(t.Set, "$select", sel, "$filter", t.KeyColumn+" eq "+quote(sessionID), "$top", "1")
	rows, err := c.listRows(ctx, u, "the session record")
	if err != nil || len(rows) == 0 {
		return nil, false, err
	}
	return rows[0], true, nil
}
