package dataverse

import (
	"net/http"
	"slices"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// The properties each metadata type takes in a create request. The sandbox reads the ones it
// models and accepts the others, as documented, without acting on them.
var (
	entityKnown = []string{
		"Attributes", "SchemaName", "LogicalName", "DisplayName", "DisplayCollectionName", "Description",
		"OwnershipType", "IsActivity", "HasActivities", "HasNotes", "EntitySetName", "TableType",
		"IsAuditEnabled", "IsCustomizable", "ChangeTrackingEnabled", "IsAvailableOffline", "IsConnectionsEnabled",
		"IsDuplicateDetectionEnabled", "IsMailMergeEnabled", "IsValidForQueue", "IsQuickCreateEnabled",
		"IsDocumentManagementEnabled", "IsOneNoteIntegrationEnabled", "IsKnowledgeManagementEnabled",
		"IsVisibleInMobile", "IsVisibleInMobileClient", "IsReadOnlyInMobileClient", "IsOfflineInMobileClient",
		"IsRenameable", "IsMappable", "CanCreateAttributes", "CanCreateForms", "CanCreateViews", "CanCreateCharts",
		"CanBeRelatedEntityInRelationship", "CanBePrimaryEntityInRelationship", "CanBeInManyToMany",
		"IsEnabledForCharts", "IsBusinessProcessEnabled", "AutoRouteToOwnerQueue", "AutoCreateAccessTeams",
		"EntityColor", "EntityHelpUrl", "EntityHelpUrlEnabled", "IconLargeName", "IconMediumName",
		"IconSmallName", "IconVectorName", "IsActivityParty",
	}
	attributeKnown = []string{
		"SchemaName", "LogicalName", "AttributeType", "AttributeTypeName", "DisplayName", "Description",
		"RequiredLevel", "MaxLength", "FormatName", "Format", "ImeMode", "IsLocalizable", "IsPrimaryName",
		"MinValue", "MaxValue", "DefaultValue", "OptionSet", "DateTimeBehavior", "CanChangeDateTimeBehavior",
		"SourceTypeMask", "IsAuditEnabled", "IsSecured", "IsValidForAdvancedFind", "IsCustomizable",
		"IsRenameable", "IsGlobalFilterEnabled", "IsSortableEnabled", "CanModifyAdditionalSettings",
		"AutoNumberFormat", "ExternalName", "IsDataSourceSecret", "FormulaDefinition", "Settings", "Targets",
		"EntityLogicalName", "IsValidForForm", "IsRequiredForForm", "IsValidForGrid", "DatabaseLength",
	}
	keyKnown = []string{
		"SchemaName", "LogicalName", "DisplayName", "KeyAttributes", "EntityLogicalName", "IsCustomizable",
		"IsSecondaryKey", "IsExportKey", "IsSynchronous",
	}
	relationshipKnown = []string{
		"SchemaName", "ReferencedEntity", "ReferencingEntity", "ReferencedAttribute", "ReferencingAttribute",
		"Lookup", "AssociatedMenuConfiguration", "CascadeConfiguration", "ReferencedEntityNavigationPropertyName",
		"ReferencingEntityNavigationPropertyName", "IsHierarchical", "IsValidForAdvancedFind", "RelationshipType",
		"SecurityTypes", "IsCustomizable", "IsCustomRelationship", "RelationshipBehavior",
	}
)

// attributeKind is what the sandbox makes of an AttributeMetadata type.
type attributeKind struct {
	attrType           string // AttributeType
	kind               kind
	defaultLen, maxLen int // MaxLength of text columns
}

var attributeKinds = map[string]attributeKind{
	"StringAttributeMetadata":   {"String", kindString, 100, 4000},
	"MemoAttributeMetadata":     {"Memo", kindString, 2000, 1048576},
	"IntegerAttributeMetadata":  {"Integer", kindInt, 0, 0},
	"BooleanAttributeMetadata":  {"Boolean", kindBool, 0, 0},
	"DateTimeAttributeMetadata": {"DateTime", kindTime, 0, 0},
}

// Metadata limits the sandbox enforces, as Dataverse documents them.
const (
	maxKeysPerTable   = 10
	maxColumnsPerKey  = 16
	codePrivilege     = "0x80040220" // PrivilegeDenied, SecLib::CheckPrivilege
	privCreateEntity  = "prvCreateEntity"
	privCreateAttr    = "prvCreateAttribute"
	privCreateKey     = "prvCreateEntityKey"
	privCreateRel     = "prvCreateRelationship"
	privReactivateKey = "prvWriteEntityKey"
)

// checkPrivilege refuses a customization to a user without the System Customizer privileges: 403 with
// the platform's SecLib::CheckPrivilege message, before anything is read or changed.
func (s *Server) checkPrivilege(q *request, privilege string) *odataError {
	if !s.nonCustomizers[q.caller] {
		return nil
	}
	return newError(http.StatusForbidden, codePrivilege,
		"SecLib::CheckPrivilege failed. User: %s, PrivilegeName: %s, PrivilegeId: %s, Required Depth: Basic, BusinessUnitId: %s",
		q.caller, privilege, world.GUID("privilege:"+privilege), s.world.Org.BusinessUnitID)
}

// createEntity answers POST EntityDefinitions: a new custom table with its primary name attribute and
// any other attributes given, then 204 and OData-EntityId: EntityDefinitions(<MetadataId>).
func (s *Server) createEntity(q *request) *odataError {
	if err := q.q.only(); err != nil {
		return err
	}
	if err := s.checkPrivilege(q, privCreateEntity); err != nil {
		return err
	}
	b, err := readMetaBody(q, "EntityMetadata", entityKnown)
	if err != nil {
		return err
	}
	def, err := s.readEntityDefinition(b)
	if err != nil {
		return err
	}
	t := s.newCustomTable(def)
	s.addTable(t)
	q.w.Header().Set("OData-EntityId", q.base+"EntityDefinitions("+t.metadataID+")")
	writeNoContent(q.w)
	return nil
}

// entityDefinition is a checked EntityMetadata to create.
type entityDefinition struct {
	schemaName, entity, set, ownership, display string
	primary                                     *column
	others                                      []*column
}

func (s *Server) readEntityDefinition(b *metaBody) (entityDefinition, *odataError) {
	var d entityDefinition
	if b.odata != "" && b.odata != "EntityMetadata" {
		return d, badRequest("A table definition must be of type '%sEntityMetadata', not '%s'.", crmNamespace, b.odata)
	}
	var err *odataError
	if d.schemaName, err = required(b, "SchemaName", b.str); err != nil {
		return d, err
	}
	if err := checkSchemaName(d.schemaName); err != nil {
		return d, err
	}
	d.entity = strings.ToLower(d.schemaName)
	if ln, ok, _ := b.str("LogicalName"); ok && ln != d.entity {
		return d, invalidArgument("The LogicalName '%s' must be the SchemaName in lower case, '%s'.", ln, d.entity)
	}
	if s.byEntity[d.entity] != nil {
		return d, invalidArgument("An entity with the name '%s' already exists.", d.entity)
	}
	if d.display, err = required(b, "DisplayName", b.label); err != nil {
		return d, err
	}
	if _, err = required(b, "DisplayCollectionName", b.label); err != nil {
		return d, err
	}
	if err := readEntityFlags(b); err != nil {
		return d, err
	}
	if d.ownership, err = required(b, "OwnershipType", b.str); err != nil {
		return d, err
	}
	if d.ownership != "UserOwned" && d.ownership != "OrganizationOwned" {
		return d, invalidArgument("The OwnershipType '%s' is not valid for a new table: use UserOwned or OrganizationOwned.", d.ownership)
	}
	if d.set, err = s.entitySetName(b, d.entity); err != nil {
		return d, err
	}
	d.primary, d.others, err = readEntityAttributes(b, d.entity)
	return d, err
}

// readEntityFlags checks IsActivity, HasActivities and HasNotes, which a create must give.
func readEntityFlags(b *metaBody) *odataError {
	for _, name := range []string{"IsActivity", "HasActivities", "HasNotes"} {
		v, err := required(b, name, b.boolean)
		if err != nil {
			return err
		}
		if name == "IsActivity" && v {
			return notImplemented("activity tables")
		}
	}
	return nil
}

// entitySetName is the EntitySetName sent, or the plural of the logical name; it must be free.
func (s *Server) entitySetName(b *metaBody, entity string) (string, *odataError) {
	set, ok, err := b.str("EntitySetName")
	if err != nil {
		return "", err
	}
	if !ok {
		set = pluralOf(entity)
	}
	if !isIdentifier(set) {
		return "", invalidArgument("The EntitySetName '%s' is not valid.", set)
	}
	if s.tables[set] != nil || s.byEntity[set] != nil && set != entity {
		return "", invalidArgument("The EntitySetName '%s' is already used by another table.", set)
	}
	return set, nil
}

// pluralOf makes a collection name as Dataverse does for a new table: lmi_session → lmi_sessions.
func pluralOf(name string) string {
	switch {
	case strings.HasSuffix(name, "s"), strings.HasSuffix(name, "x"), strings.HasSuffix(name, "ch"), strings.HasSuffix(name, "sh"):
		return name + "es"
	case strings.HasSuffix(name, "y") && len(name) > 1 && !strings.ContainsRune("aeiou", rune(name[len(name)-2])):
		return name[:len(name)-1] + "ies"
	}
	return name + "s"
}

// readEntityAttributes reads the Attributes of a new table: exactly one string primary name
// attribute, and any others.
func readEntityAttributes(b *metaBody, entity string) (*column, []*column, *odataError) {
	items, err := b.list("Attributes", "AttributeMetadata", attributeKnown)
	if err != nil {
		return nil, nil, err
	}
	var primary *column
	var others []*column
	seen := map[string]bool{entity + "id": true}
	for _, item := range items {
		c, err := readAttribute(item)
		if err != nil {
			return nil, nil, err
		}
		if seen[c.name] {
			return nil, nil, invalidArgument("An attribute with the name '%s' is defined more than once for entity '%s'.", c.name, entity)
		}
		seen[c.name] = true
		isPrimary, _, _ := item.boolean("IsPrimaryName")
		switch {
		case !isPrimary:
			others = append(others, c)
		case primary != nil:
			return nil, nil, invalidArgument("A table can have only one primary name attribute.")
		case c.attr.attrType != "String":
			return nil, nil, invalidArgument("The primary name attribute '%s' must be a StringAttributeMetadata.", c.name)
		default:
			primary = c
		}
	}
	if primary == nil {
		return nil, nil, invalidArgument("The Attributes of a new table must include one StringAttributeMetadata with IsPrimaryName set to true.")
	}
	return primary, others, nil
}

// readAttribute checks an AttributeMetadata of a type the sandbox stores and makes its column.
func readAttribute(b *metaBody) (*column, *odataError) {
	switch {
	case b.odata == "":
		return nil, badRequest("An attribute definition must give its type in '@odata.type', such as '%sStringAttributeMetadata'.", crmNamespace)
	case b.odata == "LookupAttributeMetadata":
		return nil, invalidArgument("A lookup attribute is created with its relationship: POST a %sOneToManyRelationshipMetadata to RelationshipDefinitions.", crmNamespace)
	}
	ak, ok := attributeKinds[b.odata]
	if !ok {
		return nil, notImplemented("attributes of type '" + b.odata + "'")
	}
	if t, ok, err := b.str("AttributeType"); err != nil || ok && t != ak.attrType {
		if err != nil {
			return nil, err
		}
		return nil, invalidArgument("The AttributeType '%s' does not match the type '%s'.", t, b.odata)
	}
	schemaName, err := required(b, "SchemaName", b.str)
	if err != nil {
		return nil, err
	}
	if err := checkSchemaName(schemaName); err != nil {
		return nil, err
	}
	display, err := required(b, "DisplayName", b.label)
	if err != nil {
		return nil, err
	}
	c := &column{
		name: strings.ToLower(schemaName), kind: ak.kind, writable: true,
		attr: &attribute{schemaName: schemaName, attrType: ak.attrType, display: display},
	}
	if ak.maxLen > 0 {
		n, ok, err := b.integer("MaxLength")
		switch {
		case err != nil:
			return nil, err
		case !ok:
			n = ak.defaultLen
		case n < 1 || n > ak.maxLen:
			return nil, invalidArgument("The MaxLength of '%s' must be between 1 and %d.", schemaName, ak.maxLen)
		}
		c.maxLen = n
	}
	return c, nil
}

// newCustomTable makes a table from a checked definition, with the columns Dataverse gives every
// custom table: the primary key, the primary name, state and status, the owner of a user-owned
// table, and the creation and modification dates.
func (s *Server) newCustomTable(d entityDefinition) *table {
	cols := []*column{col(d.entity+"id", kindGUID), d.primary}
	cols = append(cols, stateCols(activeInactiveState, activeInactiveStatus)...)
	if d.ownership == "UserOwned" {
		cols = append(cols, ownerLookup())
	}
	cols = append(cols, col("createdon", kindTime), col("modifiedon", kindTime))
	t := newTable(d.entity, d.set, d.entity+"id", d.primary.name, append(cols, d.others...)...)
	t.schemaName, t.metadataID, t.custom, t.ownership = d.schemaName, s.opts.NewID(), true, d.ownership
	t.stateOf, t.defaultOf = map[int]int{1: 0, 2: 1}, map[int]int{0: 1, 1: 2}
	t.creatable, t.updatable, t.deletable = true, true, true
	for _, c := range append([]*column{d.primary}, d.others...) {
		c.attr.metadataID = s.opts.NewID()
	}
	return t
}

// createAttribute answers POST EntityDefinitions(…)/Attributes: a new column, then 204 and
// OData-EntityId: EntityDefinitions(LogicalName='x')/Attributes(<MetadataId>).
func (s *Server) createAttribute(q *request, t *table) *odataError {
	if err := q.q.only(); err != nil {
		return err
	}
	if err := s.checkPrivilege(q, privCreateAttr); err != nil {
		return err
	}
	b, err := readMetaBody(q, "AttributeMetadata", attributeKnown)
	if err != nil {
		return err
	}
	c, err := readAttribute(b)
	if err != nil {
		return err
	}
	if isPrimary, _, _ := b.boolean("IsPrimaryName"); isPrimary {
		return invalidArgument("The table '%s' already has a primary name attribute.", t.entity)
	}
	if t.set == "asyncoperations" || t.set == "systemusers" {
		return invalidArgument("The entity '%s' cannot be customized.", t.entity)
	}
	if t.hasAttribute(c.name) {
		return invalidArgument("An attribute with the name '%s' already exists for entity '%s'.", c.name, t.entity)
	}
	c.attr.metadataID = s.opts.NewID()
	t.addColumn(c)
	q.w.Header().Set("OData-EntityId", q.base+"EntityDefinitions(LogicalName='"+t.entity+"')/Attributes("+c.attr.metadataID+")")
	writeNoContent(q.w)
	return nil
}

// createKey answers POST EntityDefinitions(…)/Keys: a new alternate key, Pending while its index job
// waits; the job runs by the next read of the table's keys, and fails when rows share key values.
func (s *Server) createKey(q *request, t *table) *odataError {
	if err := q.q.only(); err != nil {
		return err
	}
	if err := s.checkPrivilege(q, privCreateKey); err != nil {
		return err
	}
	b, err := readMetaBody(q, "EntityKeyMetadata", keyKnown)
	if err != nil {
		return err
	}
	k, err := readKeyDefinition(b, t)
	if err != nil {
		return err
	}
	k.metadataID, k.labelID = s.opts.NewID(), s.opts.NewID()
	t.keys = append(t.keys, k)
	s.startKeyJob(t, k, jobWaiting)
	k.settleOnRead = true
	q.w.Header().Set("OData-EntityId", q.base+"EntityDefinitions(LogicalName='"+t.entity+"')/Keys("+k.metadataID+")")
	writeNoContent(q.w)
	return nil
}

// readKeyDefinition checks an EntityKeyMetadata against the table: a free name, and 1 to 16 text,
// whole-number or date columns that no other key already has.
func readKeyDefinition(b *metaBody, t *table) (*altKey, *odataError) {
	schemaName, err := required(b, "SchemaName", b.str)
	if err != nil {
		return nil, err
	}
	if err := checkSchemaName(schemaName); err != nil {
		return nil, err
	}
	display, err := required(b, "DisplayName", b.label)
	if err != nil {
		return nil, err
	}
	attrs, err := required(b, "KeyAttributes", b.stringList)
	if err != nil {
		return nil, err
	}
	k := &altKey{logicalName: strings.ToLower(schemaName), schemaName: schemaName, display: display, attributes: attrs}
	switch {
	case t.key(k.logicalName) != nil:
		return nil, invalidArgument("An entity key with the name '%s' already exists for entity '%s'.", k.logicalName, t.entity)
	case len(t.keys) >= maxKeysPerTable:
		return nil, invalidArgument("The entity '%s' already has %d keys, the most a table can have.", t.entity, maxKeysPerTable)
	case len(attrs) == 0 || len(attrs) > maxColumnsPerKey:
		return nil, invalidArgument("An entity key must have between 1 and %d KeyAttributes.", maxColumnsPerKey)
	}
	for i, a := range attrs {
		if err := checkKeyColumn(t, a, attrs[:i]); err != nil {
			return nil, err
		}
	}
	sorted := slices.Sorted(slices.Values(attrs))
	for _, other := range t.keys {
		if slices.Equal(slices.Sorted(slices.Values(other.attributes)), sorted) {
			return nil, invalidArgument("The entity key '%s' already has the attributes %s.", other.logicalName, strings.Join(attrs, ", "))
		}
	}
	return k, nil
}

// checkKeyColumn refuses a key column that is missing, repeated, or of a type the sandbox does not
// index: keys on lookups and on the seeded table's free-form columns are not modelled.
func checkKeyColumn(t *table, name string, before []string) *odataError {
	c := t.byName[name]
	for _, col := range t.columns {
		if c == nil && col.lookup != nil && col.lookup.attribute == name {
			c = col
		}
	}
	switch {
	case slices.Contains(before, name):
		return invalidArgument("The attribute '%s' appears more than once in KeyAttributes.", name)
	case c == nil && t.hasAttribute(name):
		return notImplemented("keys on the free-form columns of the seeded tables")
	case c == nil:
		return invalidArgument("The attribute '%s' does not exist on entity '%s'.", name, t.entity)
	case c.lookup != nil:
		return notImplemented("keys on lookup columns")
	case c.kind == kindDynamic:
		return notImplemented("keys on the free-form columns of the seeded tables")
	case c.kind == kindBool || c.kind == kindGUID || c.attr != nil && c.attr.attrType == "Memo":
		return invalidArgument("The attribute '%s' of type %s cannot be part of an entity key.", name, seedAttributeType(t, c))
	}
	return nil
}

// relationshipDefinitions answers POST RelationshipDefinitions with a one-to-many relationship: the
// lookup column on the referencing table and its navigation property, then 204 and
// OData-EntityId: RelationshipDefinitions(<MetadataId>).
func (s *Server) relationshipDefinitions(q *request, hasKey bool, segments int) *odataError {
	if hasKey || segments > 1 || q.r.Method == http.MethodGet {
		return notImplemented("reading relationship definitions")
	}
	if err := allow(q, "RelationshipDefinitions", http.MethodPost); err != nil {
		return err
	}
	if err := q.q.only(); err != nil {
		return err
	}
	if err := s.checkPrivilege(q, privCreateRel); err != nil {
		return err
	}
	b, err := readMetaBody(q, "RelationshipMetadataBase", relationshipKnown)
	if err != nil {
		return err
	}
	switch b.odata {
	case "OneToManyRelationshipMetadata":
	case "ManyToManyRelationshipMetadata":
		return notImplemented("many-to-many relationships")
	default:
		return badRequest("A relationship definition must give its type in '@odata.type': '%sOneToManyRelationshipMetadata'.", crmNamespace)
	}
	b.typeName = "OneToManyRelationshipMetadata"
	referencing, c, err := s.readRelationship(b)
	if err != nil {
		return err
	}
	id := s.opts.NewID()
	s.relationships[strings.ToLower(mustStr(b, "SchemaName"))] = id
	c.attr.metadataID = s.opts.NewID()
	referencing.addColumn(c)
	q.w.Header().Set("OData-EntityId", q.base+"RelationshipDefinitions("+id+")")
	writeNoContent(q.w)
	return nil
}

func mustStr(b *metaBody, name string) string {
	v, _, _ := b.str(name)
	return v
}

// readRelationship checks a one-to-many relationship and makes the lookup column it adds to the
// referencing table. The navigation property is ReferencingEntityNavigationPropertyName, or the
// lookup's SchemaName as Dataverse names it by default.
func (s *Server) readRelationship(b *metaBody) (*table, *column, *odataError) {
	name, err := required(b, "SchemaName", b.str)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSchemaName(name); err != nil {
		return nil, nil, err
	}
	if _, dup := s.relationships[strings.ToLower(name)]; dup {
		return nil, nil, invalidArgument("A relationship with the name '%s' already exists.", name)
	}
	referenced, err := s.relationshipEntity(b, "ReferencedEntity")
	if err != nil {
		return nil, nil, err
	}
	if attr, ok, _ := b.str("ReferencedAttribute"); ok && attr != referenced.primaryKey {
		return nil, nil, invalidArgument("The ReferencedAttribute of a one-to-many relationship must be the primary key of '%s', '%s'.", referenced.entity, referenced.primaryKey)
	}
	referencing, err := s.relationshipEntity(b, "ReferencingEntity")
	if err != nil {
		return nil, nil, err
	}
	lookup, ok, err := b.nested("Lookup", "LookupAttributeMetadata", attributeKnown)
	switch {
	case err != nil:
		return nil, nil, err
	case !ok:
		return nil, nil, invalidArgument("The property 'Lookup' is required to create a OneToManyRelationshipMetadata.")
	case lookup.odata != "" && lookup.odata != "LookupAttributeMetadata":
		return nil, nil, invalidArgument("The Lookup of a one-to-many relationship must be a %sLookupAttributeMetadata.", crmNamespace)
	}
	c, err := readLookup(lookup, referencing, referenced, b)
	return referencing, c, err
}

func (s *Server) relationshipEntity(b *metaBody, prop string) (*table, *odataError) {
	name, err := required(b, prop, b.str)
	if err != nil {
		return nil, err
	}
	t := s.byEntity[name]
	if t == nil {
		return nil, newError(http.StatusNotFound, codeNotFound, "Could not find entity with LogicalName = '%s'.", name)
	}
	return t, nil
}

// readLookup makes the lookup column of a relationship: _<lookup>_value, set through the navigation property.
func readLookup(b *metaBody, referencing, referenced *table, rel *metaBody) (*column, *odataError) {
	schemaName, err := required(b, "SchemaName", b.str)
	if err != nil {
		return nil, err
	}
	if err := checkSchemaName(schemaName); err != nil {
		return nil, err
	}
	display, err := required(b, "DisplayName", b.label)
	if err != nil {
		return nil, err
	}
	attr := strings.ToLower(schemaName)
	nav, ok, err := rel.str("ReferencingEntityNavigationPropertyName")
	if err != nil {
		return nil, err
	}
	if !ok {
		nav = schemaName
	}
	switch {
	case referencing.hasAttribute(attr):
		return nil, invalidArgument("An attribute with the name '%s' already exists for entity '%s'.", attr, referencing.entity)
	case !isIdentifier(nav):
		return nil, invalidArgument("The navigation property name '%s' is not valid.", nav)
	case referencing.hasAttribute(nav) || referencing.hasAttribute("_"+attr+"_value"):
		return nil, invalidArgument("The navigation property name '%s' is already used on entity '%s'.", nav, referencing.entity)
	}
	return &column{
		name: "_" + attr + "_value", kind: kindGUID,
		lookup: &lookup{attribute: attr, navFor: map[string]string{referenced.entity: nav}},
		attr:   &attribute{schemaName: schemaName, attrType: "Lookup", display: display},
	}, nil
}
