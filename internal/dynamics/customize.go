package dynamics

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
)

// ColumnType is the kind of a column to create.
type ColumnType string

// The column types CreateColumn makes.
const (
	ColumnString   ColumnType = "String"   // single line of text, up to 4,000 characters
	ColumnMemo     ColumnType = "Memo"     // multiple lines of text, up to 1,048,576 characters
	ColumnInteger  ColumnType = "Integer"  // whole number
	ColumnBoolean  ColumnType = "Boolean"  // yes/no
	ColumnDateTime ColumnType = "DateTime" // date and time, user local
)

// ColumnDefinition describes a column to create.
type ColumnDefinition struct {
	SchemaName  string // with the publisher prefix, e.g. lmi_CaseNumber; the logical name is it in lower case
	DisplayName string
	Description string
	Type        ColumnType
	MaxLength   int    // String and Memo; 0 means 100 for String, 2,000 for Memo
	Format      string // String only: Text (default), Email, Url, Phone
}

// TableDefinition describes a user-owned custom table to create, with its primary name column.
type TableDefinition struct {
	SchemaName            string // e.g. lmi_Session; the logical name is it in lower case
	EntitySetName         string // e.g. lmi_sessions; "" lets Dataverse choose
	DisplayName           string
	DisplayCollectionName string
	Description           string
	PrimaryName           ColumnDefinition // a String column
}

// LookupDefinition describes a one-to-many relationship and the lookup column it adds to the
// referencing table.
type LookupDefinition struct {
	SchemaName         string // the relationship, e.g. lmi_incident_lmi_session
	ReferencedEntity   string // the "one" side, e.g. incident
	ReferencedKey      string // its primary key, e.g. incidentid
	ReferencingEntity  string // the "many" side, e.g. lmi_session
	Lookup             ColumnDefinition
	NavigationProperty string // the single-valued navigation property, e.g. lmi_incidentid; "" for the default
}

// KeyDefinition describes an alternate key to create.
type KeyDefinition struct {
	SchemaName  string // e.g. lmi_SessionKey
	DisplayName string
	Columns     []string // logical names of the key's columns
}

// CreateTable creates a table through the metadata API: POST EntityDefinitions. It returns the new
// table's MetadataId. Like every create it is not sent twice: the caller looks for the table first.
func (c *Client) CreateTable(ctx context.Context, def TableDefinition) (string, error) {
	if err := checkNames("table", def.SchemaName); err != nil {
		return "", err
	}
	if def.EntitySetName != "" {
		if err := checkNames("entity set", def.EntitySetName); err != nil {
			return "", err
		}
	}
	primary := def.PrimaryName
	primary.Type = ColumnString
	attr, err := columnBody(primary)
	if err != nil {
		return "", err
	}
	attr["IsPrimaryName"] = true
	body := map[string]any{
		"@odata.type":           "Microsoft.Dynamics.CRM.EntityMetadata",
		"SchemaName":            def.SchemaName,
		"DisplayName":           label(def.DisplayName),
		"DisplayCollectionName": label(def.DisplayCollectionName),
		"OwnershipType":         "UserOwned",
		"IsActivity":            false,
		"HasActivities":         false,
		"HasNotes":              false,
		"Attributes":            []any{attr},
	}
	describe(body, def.Description)
	if def.EntitySetName != "" {
		body["EntitySetName"] = def.EntitySetName
	}
	var id string
	err = c.postMetadata(ctx, c.api+"EntityDefinitions", body, func(entityID string) { id = metadataIDFrom(entityID) })
	if err != nil {
		return "", fmt.Errorf("dynamics: creating the table %s: %w", def.SchemaName, err)
	}
	return id, nil
}

// CreateColumn adds a column to a table: POST EntityDefinitions(LogicalName='<entity>')/Attributes.
func (c *Client) CreateColumn(ctx context.Context, entity string, col ColumnDefinition) error {
	if err := checkNames("table", entity); err != nil {
		return err
	}
	body, err := columnBody(col)
	if err != nil {
		return err
	}
	if err := c.postMetadata(ctx, c.definitionURL(entity)+"/Attributes", body, nil); err != nil {
		return fmt.Errorf("dynamics: creating the column %s of %s: %w", col.SchemaName, entity, err)
	}
	return nil
}

// CreateLookup creates a one-to-many relationship with its lookup column: POST RelationshipDefinitions
// with a OneToManyRelationshipMetadata whose Lookup is created with it. Removing the referenced
// record clears the lookup; nothing else cascades.
func (c *Client) CreateLookup(ctx context.Context, def LookupDefinition) error {
	if err := checkNames("relationship", def.SchemaName, "table", def.ReferencedEntity, "key", def.ReferencedKey,
		"table", def.ReferencingEntity, "lookup", def.Lookup.SchemaName); err != nil {
		return err
	}
	body := map[string]any{
		"@odata.type":         "Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
		"SchemaName":          def.SchemaName,
		"ReferencedEntity":    def.ReferencedEntity,
		"ReferencedAttribute": def.ReferencedKey,
		"ReferencingEntity":   def.ReferencingEntity,
		"AssociatedMenuConfiguration": map[string]any{
			"Behavior": "UseCollectionName", "Group": "Details", "Order": 10000,
		},
		"CascadeConfiguration": map[string]string{
			"Assign": "NoCascade", "Delete": "RemoveLink", "Merge": "NoCascade",
			"Reparent": "NoCascade", "Share": "NoCascade", "Unshare": "NoCascade",
		},
		"Lookup": map[string]any{
			"@odata.type":       "Microsoft.Dynamics.CRM.LookupAttributeMetadata",
			"AttributeType":     "Lookup",
			"AttributeTypeName": map[string]string{"Value": "LookupType"},
			"SchemaName":        def.Lookup.SchemaName,
			"DisplayName":       label(def.Lookup.DisplayName),
			"RequiredLevel":     requiredLevelNone,
		},
	}
	describe(body["Lookup"].(map[string]any), def.Lookup.Description)
	if def.NavigationProperty != "" {
		if err := checkNames("navigation property", def.NavigationProperty); err != nil {
			return err
		}
		body["ReferencingEntityNavigationPropertyName"] = def.NavigationProperty
	}
	if err := c.postMetadata(ctx, c.api+"RelationshipDefinitions", body, nil); err != nil {
		return fmt.Errorf("dynamics: creating the lookup %s of %s: %w", def.Lookup.SchemaName, def.ReferencingEntity, err)
	}
	return nil
}

// CreateKey creates an alternate key: POST EntityDefinitions(LogicalName='<entity>')/Keys. Dataverse
// then builds its index in a system job; the key is Pending until that job is done.
func (c *Client) CreateKey(ctx context.Context, entity string, def KeyDefinition) error {
	if err := checkNames("table", entity, "key", def.SchemaName); err != nil {
		return err
	}
	if len(def.Columns) == 0 {
		return fmt.Errorf("dynamics: the key %s has no columns", def.SchemaName)
	}
	for _, col := range def.Columns {
		if err := checkNames("key column", col); err != nil {
			return err
		}
	}
	body := map[string]any{
		"@odata.type":   "Microsoft.Dynamics.CRM.EntityKeyMetadata",
		"SchemaName":    def.SchemaName,
		"DisplayName":   label(def.DisplayName),
		"KeyAttributes": def.Columns,
	}
	if err := c.postMetadata(ctx, c.definitionURL(entity)+"/Keys", body, nil); err != nil {
		return fmt.Errorf("dynamics: creating the key %s of %s: %w", def.SchemaName, entity, err)
	}
	return nil
}

// requiredLevelNone is the RequiredLevel of every column the app creates: none is required on forms.
var requiredLevelNone = map[string]any{
	"Value": "None", "CanBeChanged": true, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings",
}

// label is a Label with one English (1033) localized label.
func label(text string) map[string]any {
	return map[string]any{
		"@odata.type": "Microsoft.Dynamics.CRM.Label",
		"LocalizedLabels": []any{map[string]any{
			"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": text, "LanguageCode": 1033,
		}},
	}
}

// describe sets a definition's Description, when there is one.
func describe(body map[string]any, text string) {
	if text != "" {
		body["Description"] = label(text)
	}
}

// columnBody writes the AttributeMetadata of a column, as the metadata documentation's examples do.
func columnBody(col ColumnDefinition) (map[string]any, error) {
	if err := checkNames("column", col.SchemaName); err != nil {
		return nil, err
	}
	body := map[string]any{
		"SchemaName":    col.SchemaName,
		"DisplayName":   label(col.DisplayName),
		"RequiredLevel": requiredLevelNone,
	}
	describe(body, col.Description)
	typed := func(odataType, attrType string) {
		body["@odata.type"] = "Microsoft.Dynamics.CRM." + odataType
		body["AttributeType"] = attrType
		body["AttributeTypeName"] = map[string]string{"Value": attrType + "Type"}
	}
	switch col.Type {
	case ColumnString:
		typed("StringAttributeMetadata", "String")
		format := col.Format
		if format == "" {
			format = "Text"
		}
		body["FormatName"] = map[string]string{"Value": format}
		body["MaxLength"] = lengthOr(col.MaxLength, 100)
	case ColumnMemo:
		typed("MemoAttributeMetadata", "Memo")
		body["Format"] = "TextArea"
		body["MaxLength"] = lengthOr(col.MaxLength, 2000)
	case ColumnInteger:
		typed("IntegerAttributeMetadata", "Integer")
		body["Format"] = "None"
		body["MinValue"], body["MaxValue"] = math.MinInt32, math.MaxInt32
	case ColumnBoolean:
		typed("BooleanAttributeMetadata", "Boolean")
		body["DefaultValue"] = false
		body["OptionSet"] = map[string]any{
			"TrueOption":    map[string]any{"Value": 1, "Label": label("Yes")},
			"FalseOption":   map[string]any{"Value": 0, "Label": label("No")},
			"OptionSetType": "Boolean",
		}
	case ColumnDateTime:
		typed("DateTimeAttributeMetadata", "DateTime")
		body["Format"] = "DateAndTime"
		body["DateTimeBehavior"] = map[string]string{"Value": "UserLocal"}
	default:
		return nil, fmt.Errorf("dynamics: column %s has no type the app creates (%q)", col.SchemaName, col.Type)
	}
	return body, nil
}

func lengthOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// postMetadata sends a metadata create and hands the OData-EntityId of the 204 to created, when set.
// It is sent once: a create that may have reached the service is looked for, not repeated.
func (c *Client) postMetadata(ctx context.Context, u string, v any, created func(entityID string)) error {
	body, err := marshalBody(v)
	if err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, url: u, body: body, read: func(resp *http.Response, _ io.Reader) error {
		if created != nil {
			id := resp.Header.Get("OData-EntityId")
			if id == "" {
				return malformed("the reply", errNoEntityID)
			}
			created(id)
		}
		return nil
	}})
}

// metadataIDFrom reads the GUID at the end of an OData-EntityId such as …/EntityDefinitions(<guid>).
func metadataIDFrom(entityID string) string {
	v := strings.TrimSuffix(strings.TrimSpace(entityID), ")")
	if i := strings.LastIndexByte(v, '('); i >= 0 && isGUID(v[i+1:]) {
		return v[i+1:]
	}
	return ""
}
