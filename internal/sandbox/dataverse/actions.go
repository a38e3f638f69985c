package dataverse

import (
	"encoding/json"
	"net/http"
	"slices"
)

// action answers the unbound actions: ReactivateEntityKey and CloseIncident.
func (s *Server) action(q *request, name string) *odataError {
	if err := allow(q, name, http.MethodPost); err != nil {
		return err
	}
	if err := q.q.only(); err != nil {
		return err
	}
	props, err := parseBody(q.r, q.body)
	if err != nil {
		return err
	}
	if name == "ReactivateEntityKey" {
		params, err := actionParams(name, props, "EntityLogicalName", "EntityKeyLogicalName")
		if err != nil {
			return err
		}
		if err := s.checkPrivilege(q, privReactivateKey); err != nil {
			return err
		}
		return s.reactivateKey(q, params)
	}
	params, err := actionParams(name, props, "IncidentResolution", "Status")
	if err != nil {
		return err
	}
	return s.closeIncident(q, params)
}

// actionParams checks an action's body: exactly the named parameters, each required.
func actionParams(action string, props []bodyProp, names ...string) (map[string]json.RawMessage, *odataError) {
	params := map[string]json.RawMessage{}
	for _, p := range props {
		if !slices.Contains(names, p.name) {
			return nil, badRequest("The parameter '%s' in the request payload is not a valid parameter for the operation '%s'.", p.name, action)
		}
		params[p.name] = p.raw
	}
	for _, n := range names {
		if _, ok := params[n]; !ok {
			return nil, badRequest("The parameter '%s' of the operation '%s' is missing from the request payload.", n, action)
		}
	}
	return params, nil
}

func stringParam(raw json.RawMessage) (string, *odataError) {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", cannotConvert(raw, "Edm.String")
	}
	return v, nil
}

// reactivateKey submits a new index job for a key: the key goes to Pending, and the next time its
// metadata is read to Active (its job Succeeded), or to Failed again while rows share key values.
func (s *Server) reactivateKey(q *request, params map[string]json.RawMessage) *odataError {
	entity, err := stringParam(params["EntityLogicalName"])
	if err != nil {
		return err
	}
	keyName, err := stringParam(params["EntityKeyLogicalName"])
	if err != nil {
		return err
	}
	t, k, err := s.findKey(entity, keyName)
	if err != nil {
		return err
	}
	s.startKeyJob(t, k, 0)
	k.settleOnRead = true
	writeNoContent(q.w)
	return nil
}

// closeIncident resolves a case: {"IncidentResolution":{"subject":…,"incidentid@odata.bind":"/incidents(id)"},"Status":5}.
func (s *Server) closeIncident(q *request, params map[string]json.RawMessage) *odataError {
	incidents := s.tables["incidents"]
	var status int
	if err := json.Unmarshal(params["Status"], &status); err != nil {
		return cannotConvert(params["Status"], "Edm.Int32")
	}
	if incidents.stateOf[status] != 1 {
		return invalidArgument("%d is not a valid status code for state code 1 of incident.", status)
	}
	id, err := s.resolutionIncident(params["IncidentResolution"])
	if err != nil {
		return err
	}
	r := incidents.rows[id]
	if r.values["statecode"] != 0 {
		return invalidArgument("Only an active incident can be resolved; incident With Id = %s is not active.", id)
	}
	r.values["statecode"], r.values["statuscode"] = 1, status
	r.values["modifiedon"], r.version = s.now(), s.nextVersion()
	writeNoContent(q.w)
	return nil
}

// resolutionIncident reads the incidentresolution entity and returns the case it resolves.
func (s *Server) resolutionIncident(raw json.RawMessage) (string, *odataError) {
	props, err := parseJSONObject(raw)
	if err != nil {
		return "", err
	}
	id := ""
	for _, p := range props {
		switch p.name {
		case "subject", "description", "@odata.type":
		case "incidentid@odata.bind":
			ref, err := stringParam(p.raw)
			if err != nil {
				return "", err
			}
			t, rid, err := s.resolveRef(ref)
			if err != nil {
				return "", err
			}
			if t.entity != "incident" {
				return "", badRequest("The entity set '%s' is not a valid target of the navigation property 'incidentid'.", t.set)
			}
			id = rid
		default:
			return "", badRequest("The property '%s' does not exist on type 'Microsoft.Dynamics.CRM.incidentresolution'. Make sure to only use property names that are defined by the type.", p.name)
		}
	}
	if id == "" {
		return "", invalidArgument("The incident resolution must name its incident with 'incidentid@odata.bind'.")
	}
	return id, nil
}
