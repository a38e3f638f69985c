package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// WhoAmI is the signed-in user as Dataverse knows them.
type WhoAmI struct {
	UserID         string // systemuserid
	BusinessUnitID string
	OrganizationID string
}

// WhoAmI asks the organisation who the token's user is.
func (c *Client) WhoAmI(ctx context.Context) (WhoAmI, error) {
	var out WhoAmI
	r := &request{method: http.MethodGet, url: c.api + "WhoAmI()", read: func(resp *http.Response, body io.Reader) error {
		if err := checkJSON(resp); err != nil {
			return err
		}
		var err error
		out, err = decodeWhoAmI(body)
		return err
	}}
	if err := c.do(ctx, r); err != nil {
		return WhoAmI{}, err
	}
	return out, nil
}

// decodeWhoAmI reads the WhoAmIResponse; UserId must be a GUID, the caller's identity depends on it.
func decodeWhoAmI(r io.Reader) (WhoAmI, error) {
	var reply struct {
		UserID         string `json:"UserId"`
		BusinessUnitID string `json:"BusinessUnitId"`
		OrganizationID string `json:"OrganizationId"`
	}
	if err := json.NewDecoder(r).Decode(&reply); err != nil {
		return WhoAmI{}, malformed("WhoAmI", err)
	}
	if !isGUID(reply.UserID) {
		return WhoAmI{}, malformed("WhoAmI", errors.New("no UserId"))
	}
	return WhoAmI(reply), nil
}

// checkJSON refuses a reply that says it is something else than JSON, such as a proxy's HTML page.
func checkJSON(resp *http.Response) error {
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !hasJSONSuffix(mt)) {
		return malformed("the reply", fmt.Errorf("content type %q is not JSON", oneLine(ct, 60, "")))
	}
	return nil
}

func hasJSONSuffix(mt string) bool { return len(mt) > 5 && mt[len(mt)-5:] == "+json" }

// isGUID reports whether s is a GUID in its usual 8-4-4-4-12 hex form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
