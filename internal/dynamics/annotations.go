package dynamics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// FindNote finds a note (annotation) on the case whose subject holds the marker, such as a Rescue
// session ID, so that a note is never written twice:
// GET annotations?$select=annotationid,subject&$filter=_objectid_value eq <caseID> and contains(subject,'<marker>').
// contains() runs as SQL LIKE, ignoring case and accents, so the marker's % _ [ are escaped and each
// subject found is checked to hold the marker exactly. found is false when no note does.
func (c *Client) FindNote(ctx context.Context, caseID, marker string) (noteID string, found bool, err error) {
	if err := checkCaseID(caseID); err != nil {
		return "", false, err
	}
	if marker == "" {
		return "", false, errors.New("dynamics: empty note marker")
	}
	filter := "_objectid_value eq " + caseID + " and contains(subject," + quote(likeLiteral(marker)) + ")"
	u := c.collectionURL("annotations", "$select", "annotationid,subject", "$filter", filter)
	rows, err := c.listRows(ctx, u, "the case's notes")
	if err != nil {
		return "", false, err
	}
	for _, row := range rows {
		subject, _ := row["subject"].(string)
		id, _ := row["annotationid"].(string)
		if strings.Contains(subject, marker) && isGUID(id) {
			return id, true, nil
		}
	}
	return "", false, nil
}

// likeLiteral escapes the characters SQL LIKE reads as wildcards, each by putting it in brackets.
func likeLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '%', '_', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CreateNote writes a note on the case: POST annotations with
// {"notetext":"<text>","objectid_incident@odata.bind":"/incidents(<caseID>)","subject":"<subject>"}.
// It returns the note's GUID from the OData-EntityId header. It is not sent again after a failure
// whose outcome is unknown: the note may exist, so the caller looks with FindNote before writing
// another.
func (c *Client) CreateNote(ctx context.Context, caseID, subject, text string) (noteID string, err error) {
	if err := checkCaseID(caseID); err != nil {
		return "", err
	}
	body, err := marshalBody(map[string]string{
		"subject": subject, "notetext": text, "objectid_incident@odata.bind": "/incidents(" + caseID + ")",
	})
	if err != nil {
		return "", err
	}
	var id string
	r := &request{method: http.MethodPost, url: c.api + "annotations", body: body, read: func(resp *http.Response, _ io.Reader) error {
		if id = guidFromEntityID(resp.Header.Get("OData-EntityId"), "annotations"); id == "" {
			return malformed("the new note", fmt.Errorf("no record in OData-EntityId %q", oneLine(resp.Header.Get("OData-EntityId"), 120, "")))
		}
		return nil
	}}
	if err := c.do(ctx, r); err != nil {
		return "", err
	}
	return id, nil
}
