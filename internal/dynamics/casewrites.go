package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Case states (incident statecode).
const (
	CaseActive   = 0
	CaseResolved = 1
	CaseCanceled = 2
)

// statusProblemSolved is the incident statuscode "Problem Solved", the default of the Resolved state.
const statusProblemSolved = 5

func checkCaseID(caseID string) error {
	if !isGUID(caseID) {
		return fmt.Errorf("dynamics: case ID %q is not a GUID", oneLine(caseID, 40, ""))
	}
	return nil
}

// AssignCase makes a user the case's owner: PATCH incidents(<caseID>) with
// {"ownerid@odata.bind":"/systemusers(<userID>)"}. It sends If-Match: * so that a missing case is
// not created; that is an error matching ErrNotFound. Assigning twice changes nothing, so it is
// retried like a GET.
func (c *Client) AssignCase(ctx context.Context, caseID, userID string) error {
	if err := checkCaseID(caseID); err != nil {
		return err
	}
	if !isGUID(userID) {
		return fmt.Errorf("dynamics: user ID %q is not a GUID", oneLine(userID, 40, ""))
	}
	body, err := marshalBody(map[string]string{"ownerid@odata.bind": "/systemusers(" + userID + ")"})
	if err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPatch, url: c.api + "incidents(" + caseID + ")", body: body, ifMatch: "*", repeatable: true})
}

// CaseState returns the case's owner (_ownerid_value, a systemuserid or a team's ID) and its
// statecode (CaseActive, CaseResolved or CaseCanceled):
// GET incidents(<caseID>)?$select=_ownerid_value,statecode. A missing case is an error matching
// ErrNotFound.
func (c *Client) CaseState(ctx context.Context, caseID string) (ownerID string, statecode int, err error) {
	if err := checkCaseID(caseID); err != nil {
		return "", 0, err
	}
	u := c.api + "incidents(" + caseID + ")?$select=" + escapeQuery("_ownerid_value,statecode")
	r := &request{method: http.MethodGet, url: u, read: func(resp *http.Response, body io.Reader) error {
		if err := checkJSON(resp); err != nil {
			return err
		}
		var err error
		ownerID, statecode, err = decodeCaseState(body)
		return err
	}}
	if err := c.do(ctx, r); err != nil {
		return "", 0, err
	}
	return ownerID, statecode, nil
}

// decodeCaseState reads {"_ownerid_value":"…","statecode":0,…}. The owner may be null; the state
// may not, since every case has one.
func decodeCaseState(r io.Reader) (string, int, error) {
	var reply struct {
		OwnerID   *string `json:"_ownerid_value"`
		StateCode *int    `json:"statecode"`
	}
	if err := json.NewDecoder(r).Decode(&reply); err != nil {
		return "", 0, malformed("the case", err)
	}
	if reply.StateCode == nil {
		return "", 0, malformed("the case", errors.New("no statecode"))
	}
	owner := ""
	if reply.OwnerID != nil {
		owner = *reply.OwnerID
		if !isGUID(owner) {
			return "", 0, malformed("the case", errors.New("the owner is not a GUID"))
		}
	}
	return owner, *reply.StateCode, nil
}

// ResolveCase resolves the case with the unbound action CloseIncident:
// {"IncidentResolution":{"subject":"<subject>","incidentid@odata.bind":"/incidents(<caseID>)"},"Status":5}
// (5 is Problem Solved). A case that is already resolved gives an error matching ErrAlreadyResolved;
// the service refuses it with a 400 whose wording is not documented, so after a 400 the case's state
// is read to tell. The request is retried like a GET: a repeat can only find the case resolved, by
// the first attempt or by someone else, and says so with ErrAlreadyResolved.
func (c *Client) ResolveCase(ctx context.Context, caseID, subject string) error {
	if err := checkCaseID(caseID); err != nil {
		return err
	}
	body, err := marshalBody(closeIncident{
		Resolution: incidentResolution{Subject: subject, Incident: "/incidents(" + caseID + ")"},
		Status:     statusProblemSolved,
	})
	if err != nil {
		return err
	}
	err = c.do(ctx, &request{method: http.MethodPost, url: c.api + "CloseIncident", body: body, repeatable: true})
	var apiErr *Error
	if err == nil || !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		return err
	}
	switch _, state, stateErr := c.CaseState(ctx, caseID); {
	case stateErr != nil:
		return err
	case state == CaseResolved:
		return fmt.Errorf("%w: case %s", ErrAlreadyResolved, caseID)
	case state == CaseCanceled:
		return fmt.Errorf("dynamics: case %s is canceled and cannot be resolved: %w", caseID, err)
	}
	return err
}

// closeIncident is the body of the CloseIncident action.
type closeIncident struct {
	Resolution incidentResolution `json:"IncidentResolution"`
	Status     int                `json:"Status"`
}

// incidentResolution is the incidentresolution activity the action creates.
type incidentResolution struct {
	Subject  string `json:"subject"`
	Incident string `json:"incidentid@odata.bind"`
}
