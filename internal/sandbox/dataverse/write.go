package dataverse

import (
	"encoding/json"
	"net/http"
	"strings"
)

// change is what a request body asks to write.
type change struct {
	values  map[string]any
	targets map[string]string // lookup property -> entity it now points to
	dynamic []string          // free-form columns the body brings
	bound   map[string]bool   // lookups set through @odata.bind
}

// readChanges checks a create or update body against the table.
func (s *Server) readChanges(q *request, t *table) (*change, *odataError) {
	props, err := parseBody(q.r, q.body)
	if err != nil {
		return nil, err
	}
	ch := &change{values: map[string]any{}, targets: map[string]string{}, bound: map[string]bool{}}
	for _, p := range props {
		if err := s.applyProp(t, ch, p); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

func (s *Server) applyProp(t *table, ch *change, p bodyProp) *odataError {
	if base, ann, isAnnotation := strings.Cut(p.name, "@"); isAnnotation {
		switch {
		case base == "":
			return nil // instance annotations such as @odata.type describe the payload, they are not data
		case ann == "odata.bind":
			return s.applyBind(t, ch, base, p.raw)
		}
		return badRequest("The property annotation '%s' is not supported in a request body.", p.name)
	}
	if _, isNav := t.navs[p.name]; isNav {
		return badRequest("A 'PrimitiveValue' node with non-null value was found when trying to read the value of the navigation property '%s'; however, a 'StartArray' node, a 'StartObject' node, or a 'PrimitiveValue' node with null value was expected.", p.name)
	}
	c := t.column(p.name, false)
	if c == nil {
		return badRequest("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type.", p.name, t.typeName())
	}
	if !c.writable && c.name != t.primaryKey {
		if c.lookup != nil {
			return badRequest("The lookup property '%s' is read-only; set it with '<navigation property>@odata.bind'.", c.name)
		}
		return invalidArgument("The attribute '%s' of '%s' cannot be set in a request body.", c.name, t.entity)
	}
	v, err := decodeValue(t, c, p.raw)
	if err != nil {
		return err
	}
	if c.name == t.primaryKey && v == nil {
		return cannotConvert(p.raw, "Edm.Guid")
	}
	ch.values[c.name] = v
	if c.kind == kindDynamic {
		ch.dynamic = append(ch.dynamic, c.name)
	}
	return nil
}

// applyBind sets a lookup from "<nav>@odata.bind": "/set(<id>)" (or null to clear it).
func (s *Server) applyBind(t *table, ch *change, navName string, raw json.RawMessage) *odataError {
	nav, ok := t.navs[navName]
	if !ok {
		return badRequest("An undeclared property '%s' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.", navName)
	}
	var ref *string
	if err := json.Unmarshal(raw, &ref); err != nil {
		return badRequest("The value of '%s@odata.bind' must be the URL of a record, or null.", navName)
	}
	if ch.bound[nav.lookup] {
		return badRequest("The lookup '%s' is set more than once in the request body.", nav.lookup)
	}
	ch.bound[nav.lookup] = true
	if ref == nil {
		ch.values[nav.lookup] = nil
		return nil
	}
	target, id, err := s.resolveRef(*ref)
	if err != nil {
		return err
	}
	if target.entity != nav.target {
		return badRequest("The entity set '%s' is not a valid target of the navigation property '%s'.", target.set, nav.name)
	}
	ch.values[nav.lookup], ch.targets[nav.lookup] = id, nav.target
	return nil
}

// resolveRef finds the row an @odata.bind URL names: "/set(id)", "set(id)" or an absolute URL.
func (s *Server) resolveRef(ref string) (*table, string, *odataError) {
	if i := strings.Index(ref, "/api/data/"); i >= 0 {
		_, rest, ok := splitAPIPath(ref[i:])
		if !ok {
			return nil, "", badRequest("The URL '%s' in @odata.bind is not a record of this organization.", ref)
		}
		ref = rest
	}
	name, key, hasKey, err := splitKey(strings.TrimPrefix(ref, "/"))
	if err != nil || !hasKey {
		return nil, "", badRequest("The URL '%s' in @odata.bind does not name a record.", ref)
	}
	t := s.tables[name]
	if t == nil {
		return nil, "", resourceNotFound(name)
	}
	spec, err := parseKeySegment(key)
	if err != nil {
		return nil, "", err
	}
	kr, err := s.resolveKey(t, spec)
	if err != nil {
		return nil, "", err
	}
	r := s.find(t, kr)
	if r == nil {
		return nil, "", kr.notFound(t)
	}
	return t, r.id(t), nil
}

// insertRow creates a row from a body: defaults, state, the table's own rules, key uniqueness.
func (s *Server) insertRow(t *table, ch *change, caller string) (*record, *odataError) {
	values := map[string]any{}
	for _, c := range t.columns {
		values[c.name] = nil
	}
	for k, v := range ch.values {
		values[k] = v
	}
	id, _ := values[t.primaryKey].(string)
	if id == "" {
		id = strings.ToLower(s.opts.NewID())
		values[t.primaryKey] = id
	}
	if t.rows[id] != nil {
		return nil, duplicateRecord()
	}
	targets := copyTargets(ch.targets)
	if _, owned := t.byName["_ownerid_value"]; owned && values["_ownerid_value"] == nil {
		values["_ownerid_value"], targets["_ownerid_value"] = caller, "systemuser"
	}
	if _, dated := t.byName["createdon"]; dated {
		values["createdon"], values["modifiedon"] = s.now(), s.now()
	}
	if err := s.checkWrite(t, nil, ch, values, values); err != nil {
		return nil, err
	}
	r := &record{values: values, targets: targets, version: s.nextVersion()}
	t.rows[id] = r
	return r, nil
}

// checkWrite runs the checks a create or update shares, then adds the free-form columns it brings.
func (s *Server) checkWrite(t *table, old *record, ch *change, changes, merged map[string]any) *odataError {
	if err := settleState(t, old, ch.values, changes); err != nil {
		return err
	}
	if t.prepare != nil {
		if err := t.prepare(s, t, old, changes, old == nil); err != nil {
			return err
		}
	}
	for k, v := range changes {
		merged[k] = v
	}
	id, _ := merged[t.primaryKey].(string)
	if err := s.checkUniqueKeys(t, id, merged); err != nil {
		return err
	}
	for _, name := range ch.dynamic {
		t.column(name, true)
	}
	return nil
}

// updateRow applies a body to an existing row. drop lists the key columns an upsert by alternate key
// leaves out of the update.
func (s *Server) updateRow(t *table, r *record, ch *change, drop []string) *odataError {
	if id, ok := ch.values[t.primaryKey]; ok && id != r.id(t) {
		return invalidArgument("Entity Id must be the same as the value set in property bag.")
	}
	delete(ch.values, t.primaryKey)
	for _, k := range drop {
		delete(ch.values, k)
	}
	merged := map[string]any{}
	for k, v := range r.values {
		merged[k] = v
	}
	if err := s.checkWrite(t, r, ch, ch.values, merged); err != nil {
		return err
	}
	for k, v := range ch.values {
		r.values[k] = v
		if c := t.byName[k]; c != nil && c.lookup != nil {
			r.targets[k] = ch.targets[k]
			if v == nil {
				delete(r.targets, k)
			}
		}
	}
	r.version = s.nextVersion()
	if _, dated := t.byName["modifiedon"]; dated {
		r.values["modifiedon"] = s.now()
	}
	return nil
}

// settleState checks statecode/statuscode: a statecode alone takes its default status, and a status
// must belong to its state. The result goes into target.
func settleState(t *table, old *record, changes, target map[string]any) *odataError {
	sv, hasState := changes["statecode"]
	tv, hasStatus := changes["statuscode"]
	if t.defaultOf == nil || old != nil && !hasState && !hasStatus {
		return nil
	}
	state, status := 0, t.defaultOf[0]
	if old != nil {
		state, _ = old.values["statecode"].(int)
		status, _ = old.values["statuscode"].(int)
	}
	if hasState {
		n, ok := sv.(int)
		if _, known := t.defaultOf[n]; !ok || !known {
			return invalidArgument("%v is not a valid state code of %s.", sv, t.entity)
		}
		state, status = n, t.defaultOf[n]
	}
	if hasStatus {
		n, ok := tv.(int)
		if !ok {
			return invalidArgument("The status code of %s cannot be null.", t.entity)
		}
		status = n
	}
	if st, ok := t.stateOf[status]; !ok || st != state {
		return invalidArgument("%d is not a valid status code for state code %d of %s.", status, state, t.entity)
	}
	target["statecode"], target["statuscode"] = state, status
	return nil
}

func copyTargets(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// etagMatches compares an If-Match value (one ETag or a list) with the row's.
func etagMatches(header string, r *record) bool {
	want := strings.TrimPrefix(etagOf(r), "W/")
	for _, tag := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == want {
			return true
		}
	}
	return false
}

// answerWrite answers a create or update: 204 with OData-EntityId, or the row with return=representation
// (201 when created, 200 when updated).
func (s *Server) answerWrite(q *request, t *table, r *record, cq *collectionQuery, created bool) *odataError {
	if q.prefs.representation {
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		s.writeEntity(q, t, r, cq, status, []string{"return=representation"})
		return nil
	}
	q.w.Header().Set("OData-EntityId", q.base+t.set+"("+r.id(t)+")")
	writeNoContent(q.w)
	return nil
}
