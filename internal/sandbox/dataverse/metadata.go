package dataverse

import (
	"net/http"
	"slices"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// keyFields are the EntityKeyMetadata properties, in the order they are written.
var keyFields = []string{
	"MetadataId", "HasChanged", "KeyAttributes", "EntityKeyIndexStatus", "EntityLogicalName", "LogicalName",
	"SchemaName", "IntroducedVersion", "IsManaged", "IsSecondaryKey", "IsSynchronous", "IsExportKey",
	"IsCustomizable", "DisplayName",
}

// entityFields are the EntityMetadata properties the sandbox knows.
var entityFields = []string{
	"MetadataId", "LogicalName", "SchemaName", "EntitySetName", "PrimaryIdAttribute", "PrimaryNameAttribute",
	"IsOptimisticConcurrencyEnabled",
}

var entitySchemaNames = map[string]string{
	"systemuser": "SystemUser", "account": "Account", "contact": "Contact", "incident": "Incident",
	"annotation": "Annotation", "asyncoperation": "AsyncOperation", SessionEntity: "lmi_Session",
	UserSettingEntity: "lmi_UserSetting",
}

// entityDefinitions answers EntityDefinitions(LogicalName='x'), …/Keys and …/Keys(LogicalName='k').
func (s *Server) entityDefinitions(q *request, key string, hasKey bool, more []string) *odataError {
	if !hasKey {
		return notImplemented("the EntityDefinitions collection; address one table as EntityDefinitions(LogicalName='name')")
	}
	if err := allow(q, "EntityDefinitions", http.MethodGet); err != nil {
		return err
	}
	if err := q.q.only("$select", "$expand"); err != nil {
		return err
	}
	name, err := logicalNameKey(key, "EntityMetadata")
	if err != nil {
		return err
	}
	t := s.byEntity[name]
	if t == nil {
		return newError(http.StatusNotFound, codeNotFound, "Could not find entity with LogicalName = '%s'.", name)
	}
	s.settleKeys(t)
	if len(more) == 0 {
		return s.writeDefinition(q, t)
	}
	seg, keyText, hasKeyName, err := splitKey(more[0])
	if err != nil || seg != "Keys" || len(more) > 1 {
		return notImplemented("EntityDefinitions paths other than Keys")
	}
	if !hasKeyName {
		return s.writeKeys(q, t)
	}
	keyName, err := logicalNameKey(keyText, "EntityKeyMetadata")
	if err != nil {
		return err
	}
	_, k, err := s.findKey(name, keyName)
	if err != nil {
		return err
	}
	return s.writeKey(q, t, k)
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
	var sel []string
	if v, ok := q.q.system["$select"]; ok {
		var err *odataError
		if sel, err = parseMetadataSelect(v, entityFields, "EntityMetadata"); err != nil {
			return err
		}
	}
	expandKeys := false
	if v, ok := q.q.system["$expand"]; ok {
		if v != "Keys" {
			return badRequest("Only $expand=Keys is supported on EntityMetadata in the sandbox; got '%s'.", v)
		}
		expandKeys = true
	}
	all := object{
		{"MetadataId", world.GUID("entity:" + t.entity)},
		{"LogicalName", t.entity},
		{"SchemaName", entitySchemaNames[t.entity]},
		{"EntitySetName", t.set},
		{"PrimaryIdAttribute", t.primaryKey},
		{"PrimaryNameAttribute", t.primaryName},
		{"IsOptimisticConcurrencyEnabled", true},
	}
	shape := slices.Clone(sel)
	body := object{{"@odata.context", ""}}
	body = append(body, pick(all, sel)...)
	if expandKeys {
		keys := []object{}
		for _, k := range t.keys {
			keys = append(keys, s.keyObject(t, k, keyQuery{}))
		}
		body = append(body, field{"Keys", keys})
		shape = append(shape, "Keys()")
	}
	ctx := q.base + "$metadata#EntityDefinitions"
	if len(shape) > 0 {
		ctx += "(" + strings.Join(shape, ",") + ")"
	}
	body[0].val = ctx + "/$entity"
	writeJSON(q.w, http.StatusOK, body)
	return nil
}
