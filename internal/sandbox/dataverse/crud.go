package dataverse

import (
	"net/http"
)

// methods lists what a table takes on its collection or on one row; the sandbox serves the
// organisation's reference tables read-only.
func (t *table) methods(single bool) []string {
	m := []string{http.MethodGet}
	switch {
	case !single && t.creatable:
		m = append(m, http.MethodPost)
	case single && t.updatable:
		m = append(m, http.MethodPatch)
	}
	if single && t.deletable {
		m = append(m, http.MethodDelete)
	}
	return m
}

// create answers POST set: 204 with OData-EntityId, or 201 with the row when return=representation.
func (s *Server) create(q *request, t *table) *odataError {
	if err := q.q.only("$select", "$expand"); err != nil {
		return err
	}
	cq, err := s.parseCollectionQuery(t, q.q)
	if err != nil {
		return err
	}
	ch, err := s.readChanges(q, t)
	if err != nil {
		return err
	}
	r, err := s.insertRow(t, ch, q.caller)
	if err != nil {
		return err
	}
	return s.answerWrite(q, t, r, cq, true)
}

// patch answers PATCH set(key): an upsert. If-Match makes it update-only (404 when missing, 412 on an
// ETag mismatch); If-None-Match: * makes it create-only (412 when the row exists).
func (s *Server) patch(q *request, t *table, spec keySpec) *odataError {
	cq, ref, err := s.keyedQuery(q, t, spec)
	if err != nil {
		return err
	}
	ch, err := s.readChanges(q, t)
	if err != nil {
		return err
	}
	ifMatch, ifNoneMatch := q.r.Header.Get("If-Match"), q.r.Header.Get("If-None-Match")
	if r := s.find(t, ref); r != nil {
		if ifNoneMatch == "*" {
			return duplicateRecord()
		}
		if ifMatch != "" && ifMatch != "*" && !etagMatches(ifMatch, r) {
			return versionMismatch()
		}
		var drop []string
		if ref.key != nil {
			drop = ref.key.attributes
		}
		if err := s.updateRow(t, r, ch, drop); err != nil {
			return err
		}
		return s.answerWrite(q, t, r, cq, false)
	}
	if ifMatch != "" || !t.creatable {
		return ref.notFound(t)
	}
	if err := keyIntoBody(t, ref, ch); err != nil {
		return err
	}
	r, err := s.insertRow(t, ch, q.caller)
	if err != nil {
		return err
	}
	return s.answerWrite(q, t, r, cq, true)
}

// keyIntoBody gives a row created by upsert the key from the URL. For an alternate key the body's own
// values win, as the upsert docs say; the primary key must agree.
func keyIntoBody(t *table, ref keyRef, ch *change) *odataError {
	if ref.key == nil {
		if id, ok := ch.values[t.primaryKey]; ok && id != ref.id {
			return invalidArgument("Entity Id must be the same as the value set in property bag.")
		}
		ch.values[t.primaryKey] = ref.id
		return nil
	}
	for k, v := range ref.values {
		if _, set := ch.values[k]; !set {
			ch.values[k] = v
		}
	}
	return nil
}

// delete answers DELETE set(key).
func (s *Server) delete(q *request, t *table, spec keySpec) *odataError {
	if err := q.q.only(); err != nil {
		return err
	}
	ref, err := s.resolveKey(t, spec)
	if err != nil {
		return err
	}
	r := s.find(t, ref)
	if r == nil {
		return ref.notFound(t)
	}
	if m := q.r.Header.Get("If-Match"); m != "" && m != "*" && !etagMatches(m, r) {
		return versionMismatch()
	}
	delete(t.rows, r.id(t))
	writeNoContent(q.w)
	return nil
}
