package dataverse

import (
	"fmt"
	"strings"
)

// prepareIncident applies the case's own rules: a title and a customer are required, the case number
// is generated, and a case cannot be resolved by an update (CloseIncident does that).
func prepareIncident(s *Server, t *table, old *record, changes map[string]any, creating bool) *odataError {
	for _, required := range []string{"title", "_customerid_value"} {
		if v, set := changes[required]; (creating || set) && v == nil {
			return invalidArgument("The attribute '%s' is required for an incident and cannot be null.", strings.Trim(strings.TrimSuffix(required, "_value"), "_"))
		}
	}
	if state, set := changes["statecode"]; set && state == 1 && (old == nil || old.values["statecode"] != 1) {
		return invalidArgument("This message can not be used to set the state of incident to Resolved. In order to set state of incident to Resolved, use the CloseIncidentRequest message instead.")
	}
	if creating {
		changes["ticketnumber"] = s.nextTicketNumber(t)
		if changes["prioritycode"] == nil {
			changes["prioritycode"] = 2
		}
	}
	return nil
}

// nextTicketNumber follows the seed's auto-number format, CAS-<5 digits>-<6 letters and digits>.
func (s *Server) nextTicketNumber(t *table) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	n := 1001 + len(t.rows)
	for {
		id := s.opts.NewID()
		suffix := make([]byte, 6)
		for i := range suffix {
			suffix[i] = alphabet[int(id[i])%len(alphabet)]
		}
		number := fmt.Sprintf("CAS-%05d-%s", n, suffix)
		if !ticketTaken(t, number) {
			return number
		}
		n++
	}
}

func ticketTaken(t *table, number string) bool {
	for _, r := range t.rows {
		if r.values["ticketnumber"] == number {
			return true
		}
	}
	return false
}

// prepareAnnotation keeps objecttypecode in step with the record the note is attached to.
func prepareAnnotation(_ *Server, _ *table, _ *record, changes map[string]any, creating bool) *odataError {
	if creating {
		changes["isdocument"] = false
	}
	if v, set := changes["_objectid_value"]; set || creating {
		changes["objecttypecode"] = nil
		if v != nil {
			changes["objecttypecode"] = "incident"
		}
	}
	return nil
}
