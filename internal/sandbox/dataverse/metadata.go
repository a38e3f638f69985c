package dataverse

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// keyFields are the EntityKeyMetadata properties, in the order they are written.
var keyFields = []string{
	"MetadataId", "HasChanged", "KeyAttributes", "EntityKeyIndexStatus", "EntityLogicalName", "LogicalName",
	"SchemaName", "IntroducedVersion", "IsManaged", "IsSecondaryKey", "IsSynchronous", "IsExportKey",
	"IsCustomizable", "DisplayName",
}

// entityFields are the EntityMetadata properties the sandbox knows.
var entityFields = []string{
	"MetadataId", "LogicalName", "SchemaName", "EntitySetName", "LogicalCollectionName", "PrimaryIdAttribute",
	"PrimaryNameAttribute", "OwnershipType", "IsCustomEntity", "IsActivity", "IsOptimisticConcurrencyEnabled",
}

var entitySchemaNames = map[string]string{
	"systemuser": "SystemUser", "account": "Account", "contact": "Contact", "incident": "Incident",
	"annotation": "Annotation", "asyncoperation": "AsyncOperation", SessionEntity: "lmi_Session",
	UserSettingEntity: "lmi_UserSetting",
}

// entityDefinitions answers the EntityDefinitions paths: the collection (GET with $select, $filter
// and $expand=Keys; POST to create a table), one table by LogicalName='x' or MetadataId, and its
// Attributes and Keys (GET, POST to create, and one by LogicalName='x' or MetadataId).
func (s *Server) entityDefinitions(q *request, key string, hasKey bool, more []string) *odataError {
	if !hasKey {
		if len(more) > 0 {
			return notImplemented("paths under the EntityDefinitions collection")
		}
		if err := allow(q, "EntityDefinitions", http.MethodGet, http.MethodPost); err != nil {
			return err
		}
		if q.r.Method == http.MethodPost {
			return s.createEntity(q)
		}
		return s.listDefinitions(q)
	}
	t, err := s.definitionByKey(key)
	if err != nil {
		return err
	}
	if len(more) == 0 {
		if err := allow(q, "EntityDefinitions", http.MethodGet); err != nil {
			return err
		}
		if err := q.q.only("$select", "$expand"); err != nil {
			return err
		}
		s.settleKeys(t)
		return s.writeDefinition(q, t)
	}
	seg, keyText, hasKeyName, err := splitKey(more[0])
	if err != nil || len(more) > 1 || (seg != "Keys" && seg != "Attributes") {
		return notImplemented("EntityDefinitions paths other than Attributes and Keys")
	}
	if seg == "Attributes" {
		return s.attributes(q, t, keyText, hasKeyName)
	}
	return s.keys(q, t, keyText, hasKeyName)
}

// definitionByKey finds a table by the key of its EntityMetadata: LogicalName='x' or its MetadataId.
func (s *Server) definitionByKey(key string) (*table, *odataError) {
	if spec, err := parseKeySegment(key); err == nil && spec.guid != "" {
		for _, t := range s.tables {
			if t.metadataID == spec.guid {
				return t, nil
			}
		}
		return nil, newError(http.StatusNotFound, codeNotFound, "Could not find entity with MetadataId = '%s'.", spec.guid)
	}
	name, err := logicalNameKey(key, "EntityMetadata")
	if err != nil {
		return nil, err
	}
	t := s.byEntity[name]
	if t == nil {
		return nil, newError(http.StatusNotFound, codeNotFound, "Could not find entity with LogicalName = '%s'.", name)
	}
	return t, nil
}

// keys answers …/Keys: GET lists them, POST creates one, Keys(LogicalName='k') or Keys(<MetadataId>) reads one.
func (s *Server) keys(q *request, t *table, keyText string, hasKeyName bool) *odataError {
	if !hasKeyName {
		if err := allow(q, "Keys", http.MethodGet, http.MethodPost); err != nil {
			return err
		}
		if q.r.Method == http.MethodPost {
			return s.createKey(q, t)
		}
		if err := q.q.only("$select", "$expand"); err != nil {
			return err
		}
		s.settleKeys(t)
		return s.writeKeys(q, t)
	}
	if err := allow(q, "Keys", http.MethodGet); err != nil {
		return err
	}
	if err := q.q.only("$select", "$expand"); err != nil {
		return err
	}
	s.settleKeys(t)
	k, err := s.keyByName(t, keyText)
	if err != nil {
		return err
	}
	return s.writeKey(q, t, k)
}

// keyByName finds a key by LogicalName='k' or by its MetadataId.
func (s *Server) keyByName(t *table, keyText string) (*altKey, *odataError) {
	if spec, err := parseKeySegment(keyText); err == nil && spec.guid != "" {
		for _, k := range t.keys {
			if k.metadataID == spec.guid {
				return k, nil
			}
		}
		return nil, newError(http.StatusNotFound, codeNotFound, "Could not find the entity key with MetadataId = '%s' on entity '%s'.", spec.guid, t.entity)
	}
	keyName, err := logicalNameKey(keyText, "EntityKeyMetadata")
	if err != nil {
		return nil, err
	}
	_, k, err := s.findKey(t.entity, keyName)
	return k, err
}

// logicalNameKey reads LogicalName='x' from a metadata key segment.
func logicalNameKey(key, typeName string) (string, *odataError) {
	spec, err := parseKeySegment(key)
	if err != nil {
		return "", err
	}
	if len(spec.pairs) != 1 || spec.pairs[0].name != "LogicalName" || spec.pairs[0].lit.lit != litString {
		return "", badRequest("The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.%s'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.%s'.", typeName, typeName)
	}
	return spec.pairs[0].lit.val.(string), nil
}

func (s *Server) findKey(entity, keyName string) (*table, *altKey, *odataError) {
	t := s.byEntity[entity]
	if t == nil {
		return nil, nil, newError(http.StatusNotFound, codeNotFound, "Could not find entity with LogicalName = '%s'.", entity)
	}
	k := t.key(keyName)
	if k == nil {
		return nil, nil, newError(http.StatusNotFound, codeNotFound, "Could not find the entity key with LogicalName = '%s' on entity '%s'.", keyName, entity)
	}
	return t, k, nil
}

// keyQuery is the $select and $expand=AsyncJob of a key metadata request.
type keyQuery struct {
	sel       []string // nil: every field
	expandJob bool
	jobSel    []string
}

func (s *Server) parseKeyQuery(q *queryOptions) (keyQuery, *odataError) {
	var kq keyQuery
	if v, ok := q.system["$select"]; ok {
		sel, err := parseMetadataSelect(v, keyFields, "EntityKeyMetadata")
		if err != nil {
			return kq, err
		}
		kq.sel = sel
	}
	if v, ok := q.system["$expand"]; ok {
		name, opts, hasOpts := strings.Cut(v, "(")
		if name != "AsyncJob" {
			return kq, badRequest("Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.EntityKeyMetadata'.", name)
		}
		kq.expandJob = true
		if hasOpts {
			sel, ok := strings.CutPrefix(strings.TrimSuffix(opts, ")"), "$select=")
			if !ok || !strings.HasSuffix(opts, ")") {
				return kq, badRequest("Only $select is supported in $expand=AsyncJob(…).")
			}
			var err *odataError
			if kq.jobSel, err = parseSelect(s.tables["asyncoperations"], sel); err != nil {
				return kq, err
			}
		}
	}
	return kq, nil
}

func parseMetadataSelect(v string, fields []string, typeName string) ([]string, *odataError) {
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(fields, f) {
			return nil, badRequest("Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.%s'.", f, typeName)
		}
		out = append(out, f)
	}
	return out, nil
}

func (s *Server) writeKeys(q *request, t *table) *odataError {
	kq, err := s.parseKeyQuery(q.q)
	if err != nil {
		return err
	}
	values := []object{}
	for _, k := range t.keys {
		values = append(values, s.keyObject(t, k, kq))
	}
	writeJSON(q.w, http.StatusOK, object{{"@odata.context", keysContext(q.base, t, kq, false)}, {"value", values}})
	return nil
}

func (s *Server) writeKey(q *request, t *table, k *altKey) *odataError {
	kq, err := s.parseKeyQuery(q.q)
	if err != nil {
		return err
	}
	body := object{{"@odata.context", keysContext(q.base, t, kq, true)}}
	writeJSON(q.w, http.StatusOK, append(body, s.keyObject(t, k, kq)...))
	return nil
}

func keysContext(base string, t *table, kq keyQuery, single bool) string {
	u := base + "$metadata#EntityDefinitions('" + t.entity + "')/Keys"
	if kq.sel != nil || kq.expandJob {
		parts := slices.Clone(kq.sel)
		if kq.expandJob {
			parts = append(parts, "AsyncJob("+strings.Join(kq.jobSel, ",")+")")
		}
		u += "(" + strings.Join(parts, ",") + ")"
	}
	if single {
		u += "/$entity"
	}
	return u
}

// keyObject writes an EntityKeyMetadata. EntityKeyIndexStatus is the enum member's name, as the Web
// API serialises enums; AsyncJob is a navigation property, present only when expanded.
func (s *Server) keyObject(t *table, k *altKey, kq keyQuery) object {
	label := object{{"Label", k.display}, {"LanguageCode", 1033}, {"IsManaged", false}, {"MetadataId", k.labelID}, {"HasChanged", nil}}
	all := object{
		{"MetadataId", k.metadataID},
		{"HasChanged", nil},
		{"KeyAttributes", slices.Clone(k.attributes)},
		{"EntityKeyIndexStatus", k.status},
		{"EntityLogicalName", t.entity},
		{"LogicalName", k.logicalName},
		{"SchemaName", k.schemaName},
		{"IntroducedVersion", "1.0.0.0"},
		{"IsManaged", false},
		{"IsSecondaryKey", false},
		{"IsSynchronous", false},
		{"IsExportKey", false},
		{"IsCustomizable", object{{"Value", true}, {"CanBeChanged", true}, {"ManagedPropertyLogicalName", "iscustomizable"}}},
		{"DisplayName", object{{"LocalizedLabels", []object{label}}, {"UserLocalizedLabel", label}}},
	}
	o := pick(all, kq.sel)
	if kq.expandJob {
		jobs := s.tables["asyncoperations"]
		var job any
		if r := jobs.rows[k.asyncJob]; r != nil {
			job = renderer{sc: &s.schema}.entity(jobs, r, kq.jobSel, nil, false)
		}
		o = append(o, field{"AsyncJob", job})
	}
	return o
}

// pick keeps the selected members (and MetadataId, which metadata always returns), in schema order.
func pick(all object, sel []string) object {
	if sel == nil {
		return all
	}
	var out object
	for _, f := range all {
		if f.key == "MetadataId" || slices.Contains(sel, f.key) {
			out = append(out, f)
		}
	}
	return out
}

// writeDefinition answers EntityDefinitions(LogicalName='x') with the few EntityMetadata properties
// the sandbox knows, and $expand=Keys.
func (s *Server) writeDefinition(q *request, t *table) *odataError {
	dq, err := parseDefinitionQuery(q.q)
	if err != nil {
		return err
	}
	body := object{{"@odata.context", q.base + "$metadata#EntityDefinitions" + dq.shape() + "/$entity"}}
	writeJSON(q.w, http.StatusOK, append(body, s.entityObject(t, dq)...))
	return nil
}

// definitionQuery is the $select and $expand=Keys of an EntityMetadata request.
type definitionQuery struct {
	sel        []string
	expandKeys bool
}

func parseDefinitionQuery(q *queryOptions) (definitionQuery, *odataError) {
	var dq definitionQuery
	if v, ok := q.system["$select"]; ok {
		var err *odataError
		if dq.sel, err = parseMetadataSelect(v, entityFields, "EntityMetadata"); err != nil {
			return dq, err
		}
	}
	if v, ok := q.system["$expand"]; ok {
		if v != "Keys" {
			return dq, badRequest("Only $expand=Keys is supported on EntityMetadata in the sandbox; got '%s'.", v)
		}
		dq.expandKeys = true
	}
	return dq, nil
}

// shape is the $select and $expand part of an @odata.context, in parentheses, or "".
func (dq definitionQuery) shape() string {
	parts := slices.Clone(dq.sel)
	if dq.expandKeys {
		parts = append(parts, "Keys()")
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// entityObject writes a table's EntityMetadata: the selected properties and the expanded keys.
func (s *Server) entityObject(t *table, dq definitionQuery) object {
	schemaName := t.schemaName
	if schemaName == "" {
		schemaName = t.entity
	}
	all := object{
		{"MetadataId", t.metadataID},
		{"LogicalName", t.entity},
		{"SchemaName", schemaName},
		{"EntitySetName", t.set},
		{"LogicalCollectionName", t.set},
		{"PrimaryIdAttribute", t.primaryKey},
		{"PrimaryNameAttribute", t.primaryName},
		{"OwnershipType", t.ownership},
		{"IsCustomEntity", t.custom},
		{"IsActivity", false},
		{"IsOptimisticConcurrencyEnabled", true},
	}
	o := pick(all, dq.sel)
	if dq.expandKeys {
		keys := []object{}
		for _, k := range t.keys {
			keys = append(keys, s.keyObject(t, k, keyQuery{}))
		}
		o = append(o, field{"Keys", keys})
	}
	return o
}

// listDefinitions answers GET EntityDefinitions: every table that passes the $filter, by logical
// name, all in one response (metadata queries are not paged).
func (s *Server) listDefinitions(q *request) *odataError {
	if err := q.q.only("$select", "$filter", "$expand"); err != nil {
		return err
	}
	dq, err := parseDefinitionQuery(q.q)
	if err != nil {
		return err
	}
	meta, rows := s.entityMetadataRows()
	var filter boolNode
	if v, ok := q.q.system["$filter"]; ok {
		if filter, err = s.parseFilter(meta, v, q.q.aliases); err != nil {
			return err
		}
	}
	ctx := &evalCtx{sc: &s.schema, userID: q.caller}
	values := []object{}
	for _, row := range rows {
		if filter != nil && !filter.eval(ctx, row.rec) {
			continue
		}
		if dq.expandKeys {
			s.settleKeys(row.t)
		}
		values = append(values, s.entityObject(row.t, dq))
	}
	writeJSON(q.w, http.StatusOK, object{{"@odata.context", q.base + "$metadata#EntityDefinitions" + dq.shape()}, {"value", values}})
	return nil
}

// metadataRow is a table seen as a row of EntityDefinitions, for $filter.
type metadataRow struct {
	t   *table
	rec *record
}

// entityMetadataRows describes every table as a row whose columns are the primitive EntityMetadata
// properties, so that the $filter parser checks and evaluates metadata filters as it does others.
func (s *Server) entityMetadataRows() (*table, []metadataRow) {
	meta := newTable("EntityMetadata", "EntityDefinitions", "MetadataId", "LogicalName",
		col("MetadataId", kindGUID), col("LogicalName", kindString), col("SchemaName", kindString),
		col("EntitySetName", kindString), col("LogicalCollectionName", kindString),
		col("PrimaryIdAttribute", kindString), col("PrimaryNameAttribute", kindString),
		col("IsCustomEntity", kindBool), col("IsActivity", kindBool), col("IsOptimisticConcurrencyEnabled", kindBool))
	var rows []metadataRow
	for _, t := range s.tables {
		o := s.entityObject(t, definitionQuery{})
		values := map[string]any{}
		for _, f := range o {
			if _, ok := meta.byName[f.key]; ok {
				values[f.key] = f.val
			}
		}
		rows = append(rows, metadataRow{t: t, rec: &record{values: values}})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].t.entity < rows[j].t.entity })
	return meta, rows
}
