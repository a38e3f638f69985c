package dataverse

import (
	"net/http"
	"slices"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// attributeFields are the AttributeMetadata properties the sandbox knows: those every attribute
// type shares.
var attributeFields = []string{
	"MetadataId", "LogicalName", "SchemaName", "AttributeType", "EntityLogicalName", "IsPrimaryId",
	"IsPrimaryName", "IsCustomAttribute", "IsValidForCreate", "IsValidForUpdate", "AttributeOf",
}

// attributeView is one attribute of a table as its metadata describes it.
type attributeView struct {
	name, schemaName, attrType, metadataID   string
	primaryID, primaryName, custom, writable bool
}

// odataType is the derived AttributeMetadata type, which each attribute of a collection names.
func (a attributeView) odataType() string {
	switch a.attrType {
	case "Uniqueidentifier":
		return crmNamespace + "UniqueIdentifierAttributeMetadata"
	case "Lookup", "Owner", "Customer":
		return crmNamespace + "LookupAttributeMetadata"
	}
	return crmNamespace + a.attrType + "AttributeMetadata"
}

// attributeViews lists a table's attributes: its columns (a lookup under its attribute name), then
// the attributes declared by the solution and the free-form columns written so far.
func (t *table) attributeViews() []attributeView {
	var out []attributeView
	seen := map[string]bool{}
	add := func(c *column) {
		v := t.attributeView(c)
		if !seen[v.name] {
			seen[v.name] = true
			out = append(out, v)
		}
	}
	for _, c := range t.columns {
		add(c)
	}
	for _, c := range t.declared {
		add(c)
	}
	for _, name := range t.dynColumns {
		add(t.byName[name])
	}
	return out
}

func (t *table) attributeView(c *column) attributeView {
	v := attributeView{
		name: c.name, schemaName: c.name, primaryID: c.name == t.primaryKey, primaryName: c.name == t.primaryName,
		writable: c.writable || c.lookup != nil,
	}
	if c.lookup != nil {
		v.name, v.schemaName = c.lookup.attribute, c.lookup.attribute
	}
	v.metadataID = world.GUID("attribute:" + t.entity + "." + v.name)
	v.custom = t.custom && !systemColumns[v.name]
	v.attrType = seedAttributeType(t, c)
	if c.attr != nil {
		v.schemaName, v.attrType, v.metadataID = c.attr.schemaName, c.attr.attrType, c.attr.metadataID
	}
	return v
}

// systemColumns are the columns Dataverse gives every table; they are not custom attributes.
var systemColumns = map[string]bool{
	"statecode": true, "statuscode": true, "ownerid": true, "createdon": true, "modifiedon": true,
}

// seedAttributeType is the AttributeType of a seed column, from its kind and role.
func seedAttributeType(t *table, c *column) string {
	switch {
	case c.name == t.primaryKey:
		return "Uniqueidentifier"
	case c.lookup != nil && c.lookup.attribute == "ownerid":
		return "Owner"
	case c.lookup != nil && len(c.lookup.navFor) > 1:
		return "Customer"
	case c.lookup != nil:
		return "Lookup"
	case c.name == "statecode":
		return "State"
	case c.name == "statuscode":
		return "Status"
	case c.labels != nil:
		return "Picklist"
	}
	switch c.kind {
	case kindGUID:
		return "Uniqueidentifier"
	case kindInt:
		return "Integer"
	case kindTime:
		return "DateTime"
	case kindBool:
		return "Boolean"
	}
	return "String"
}

// attributeObject writes an AttributeMetadata: its derived type, then the selected properties.
func (t *table) attributeObject(v attributeView, sel []string) object {
	all := object{
		{"MetadataId", v.metadataID},
		{"LogicalName", v.name},
		{"SchemaName", v.schemaName},
		{"AttributeType", v.attrType},
		{"EntityLogicalName", t.entity},
		{"IsPrimaryId", v.primaryID},
		{"IsPrimaryName", v.primaryName},
		{"IsCustomAttribute", v.custom},
		{"IsValidForCreate", v.writable || v.primaryID},
		{"IsValidForUpdate", v.writable},
		{"AttributeOf", nil},
	}
	return append(object{{"@odata.type", "#" + v.odataType()}}, pick(all, sel)...)
}

// attributes answers …/Attributes: GET lists them, POST creates one, Attributes(LogicalName='a') or
// Attributes(<MetadataId>) reads one.
func (s *Server) attributes(q *request, t *table, keyText string, hasKeyName bool) *odataError {
	if !hasKeyName {
		if err := allow(q, "Attributes", http.MethodGet, http.MethodPost); err != nil {
			return err
		}
		if q.r.Method == http.MethodPost {
			return s.createAttribute(q, t)
		}
	} else if err := allow(q, "Attributes", http.MethodGet); err != nil {
		return err
	}
	if err := q.q.only("$select"); err != nil {
		return err
	}
	var sel []string
	if v, ok := q.q.system["$select"]; ok {
		var err *odataError
		if sel, err = parseMetadataSelect(v, attributeFields, "AttributeMetadata"); err != nil {
			return err
		}
	}
	ctx := q.base + "$metadata#EntityDefinitions('" + t.entity + "')/Attributes"
	if sel != nil {
		ctx += "(" + strings.Join(sel, ",") + ")"
	}
	if !hasKeyName {
		values := []object{}
		for _, v := range t.attributeViews() {
			values = append(values, t.attributeObject(v, sel))
		}
		writeJSON(q.w, http.StatusOK, object{{"@odata.context", ctx}, {"value", values}})
		return nil
	}
	v, err := t.attributeByKey(keyText)
	if err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, append(object{{"@odata.context", ctx + "/$entity"}}, t.attributeObject(v, sel)...))
	return nil
}

// attributeByKey finds an attribute by LogicalName='a' or by its MetadataId.
func (t *table) attributeByKey(keyText string) (attributeView, *odataError) {
	spec, err := parseKeySegment(keyText)
	if err != nil {
		return attributeView{}, err
	}
	var match func(attributeView) bool
	switch {
	case spec.guid != "":
		match = func(v attributeView) bool { return v.metadataID == spec.guid }
	case len(spec.pairs) == 1 && spec.pairs[0].name == "LogicalName" && spec.pairs[0].lit.lit == litString:
		name := spec.pairs[0].lit.val.(string)
		match = func(v attributeView) bool { return v.name == name }
	default:
		return attributeView{}, badRequest("The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.AttributeMetadata'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.AttributeMetadata'.")
	}
	if i := slices.IndexFunc(t.attributeViews(), match); i >= 0 {
		return t.attributeViews()[i], nil
	}
	return attributeView{}, newError(http.StatusNotFound, codeNotFound, "Could not find attribute %s on entity '%s'.", keyText, t.entity)
}

// hasAttribute reports whether the table's metadata already has an attribute, a lookup property or a
// navigation property of that name.
func (t *table) hasAttribute(name string) bool {
	if _, ok := t.byName[name]; ok {
		return true
	}
	if _, ok := t.navs[name]; ok {
		return true
	}
	return slices.ContainsFunc(t.attributeViews(), func(v attributeView) bool { return v.name == name })
}
