package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// TechnicianTable is where the technician settings records live: the entity set and the two
// columns, by their configurable schema names.
type TechnicianTable struct {
	Set       string // entity set, e.g. lmi_usersettings
	IDColumn  string // the Rescue technician ID
	SSOColumn string // the technician's Rescue SSO ID
}

// TechnicianRecord is one technician settings record: which Rescue technician a Dynamics user is.
// It never holds the Rescue auth code.
type TechnicianRecord struct {
	TechnicianID string
	SSOID        string
	OwnerID      string // the Dynamics user (systemuserid) the record belongs to
}

// MyTechnicianRecord finds the technician settings record owned by the user, if there is one.
func (c *Client) MyTechnicianRecord(ctx context.Context, t TechnicianTable, userID string) (TechnicianRecord, bool, error) {
	if !isGUID(userID) {
		return TechnicianRecord{}, false, fmt.Errorf("dynamics: user ID %q is not a GUID", oneLine(userID, 40, ""))
	}
	return c.findTechnician(ctx, t, "_ownerid_value eq "+userID)
}

// TechnicianByID finds the technician settings record holding a Rescue technician ID: whose
// Dynamics user that technician is. found is false when no record holds it.
func (c *Client) TechnicianByID(ctx context.Context, t TechnicianTable, technicianID string) (TechnicianRecord, bool, error) {
	return c.findTechnician(ctx, t, t.IDColumn+" eq "+quote(technicianID))
}

// check refuses schema names that would reshape the request: the set goes into the path.
func (t TechnicianTable) check() error {
	return checkNames("technician entity set", t.Set, "technician ID column", t.IDColumn, "SSO ID column", t.SSOColumn)
}

func (c *Client) findTechnician(ctx context.Context, t TechnicianTable, filter string) (TechnicianRecord, bool, error) {
	if err := t.check(); err != nil {
		return TechnicianRecord{}, false, err
	}
	u := c.api + t.Set + "?$select=" + escapeQuery(t.IDColumn+","+t.SSOColumn+",_ownerid_value") +
		"&$filter=" + escapeQuery(filter) + "&$top=1"
	var rec TechnicianRecord
	var found bool
	r := &request{method: http.MethodGet, url: u, read: func(resp *http.Response, body io.Reader) error {
		if err := checkJSON(resp); err != nil {
			return err
		}
		var err error
		rec, found, err = decodeTechnician(body, t)
		return err
	}}
	if err := c.do(ctx, r); err != nil {
		return TechnicianRecord{}, false, err
	}
	return rec, found, nil
}

// decodeTechnician reads the first row of a collection, if any. Columns may be null.
func decodeTechnician(r io.Reader, t TechnicianTable) (TechnicianRecord, bool, error) {
	var page struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.NewDecoder(r).Decode(&page); err != nil {
		return TechnicianRecord{}, false, malformed("the technician settings", err)
	}
	if page.Value == nil {
		return TechnicianRecord{}, false, malformed("the technician settings", errors.New("no value array"))
	}
	if len(page.Value) == 0 {
		return TechnicianRecord{}, false, nil
	}
	row := page.Value[0]
	if row == nil {
		return TechnicianRecord{}, false, malformed("the technician settings", errors.New("a null row"))
	}
	text := func(k string) string { s, _ := row[k].(string); return s }
	return TechnicianRecord{TechnicianID: text(t.IDColumn), SSOID: text(t.SSOColumn), OwnerID: text("_ownerid_value")}, true, nil
}

// CreateTechnicianRecord creates the signed-in user's technician settings record; Dataverse makes
// the caller its owner. It is not retried after a failure whose outcome is unknown: the caller
// looks for the record again before creating another.
func (c *Client) CreateTechnicianRecord(ctx context.Context, t TechnicianTable, rec TechnicianRecord) error {
	if err := t.check(); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]string{t.IDColumn: rec.TechnicianID, t.SSOColumn: rec.SSOID})
	if err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, url: c.api + t.Set, body: body})
}

// quote writes an OData string literal: single quotes around, and each quote inside doubled.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
