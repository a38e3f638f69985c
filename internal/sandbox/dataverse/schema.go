package dataverse

import (
	"sort"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// kind is the Edm type family of a column, which decides how literals, bodies and sorting treat it.
type kind int

const (
	kindGUID    kind = iota // Edm.Guid: primary keys and lookup values
	kindString              // Edm.String
	kindInt                 // Edm.Int32: choices and whole numbers
	kindTime                // Edm.DateTimeOffset
	kindBool                // Edm.Boolean
	kindDynamic             // a free-form column whose type is that of the value stored
)

// edmName is the type name ODataLib puts in its error messages.
func (k kind) edmName() string {
	switch k {
	case kindGUID:
		return "Edm.Guid"
	case kindString:
		return "Edm.String"
	case kindInt:
		return "Edm.Int32"
	case kindTime:
		return "Edm.DateTimeOffset"
	case kindBool:
		return "Edm.Boolean"
	}
	return "Edm.Untyped"
}

// column is one structural property of a table.
type column struct {
	name     string
	kind     kind
	labels   map[int]string // choice labels, the FormattedValue of an Int32 column
	maxLen   int            // for strings; 0 means no limit
	writable bool           // may be set in a request body
	lookup   *lookup        // non-nil for _x_value lookup properties
	// attr describes the column as an attribute of the table's metadata; nil for the seed's columns,
	// whose metadata is derived from their kind.
	attr *attribute
}

// attribute is what the metadata of a column created through the metadata API says about it.
type attribute struct {
	schemaName string
	attrType   string // AttributeType: String, Memo, Integer, Boolean, DateTime, Lookup
	metadataID string
	display    string
}

// lookup describes a lookup property (_x_value) and the navigation properties that set it.
type lookup struct {
	attribute string            // the attribute logical name, e.g. "customerid" (EqualUserId's PropertyName)
	navFor    map[string]string // target entity logical name -> single-valued navigation property
}

// navigation is a single-valued navigation property: the lookup it reads and the table it points to.
type navigation struct {
	name   string // e.g. customerid_contact
	lookup string // e.g. _customerid_value
	target string // entity logical name, e.g. contact
}

// altKey is an alternate key of a table, with the state of its index.
type altKey struct {
	logicalName string
	schemaName  string
	display     string
	attributes  []string
	metadataID  string
	labelID     string
	status      string // Pending, InProgress, Active, Failed
	asyncJob    string // asyncoperationid of the job that builds the index, or ""
	// settleOnRead makes a Pending key Active the next time its metadata is read (after ReactivateEntityKey).
	settleOnRead bool
}

// record is one row. Values are keyed by property name: strings, int, bool, time.Time, json.Number
// (free-form numbers), GUID strings (lowercase) or nil.
type record struct {
	values  map[string]any
	targets map[string]string // lookup property -> logical name of the entity it points to
	version int64             // RowVersion, the @odata.etag
}

// id is the row's primary key.
func (r *record) id(t *table) string {
	s, _ := r.values[t.primaryKey].(string)
	return s
}

// table is an entity set with its schema and rows.
type table struct {
	entity     string
	set        string
	schemaName string // the entity's SchemaName; "" for a seed table without one in entitySchemaNames
	metadataID string // the entity's MetadataId
	custom     bool   // a custom table: the Rescue solution's, or one created through the metadata API
	ownership  string // OwnershipType: UserOwned or OrganizationOwned
	// declared are attributes the table's metadata lists that rows carry only once written: the
	// Rescue solution's columns of the seeded session table, which takes any lmi_ column.
	declared    []*column
	primaryKey  string
	primaryName string
	columns     []*column
	byName      map[string]*column
	navs        map[string]*navigation
	dynPrefix   string   // prefix of free-form columns ("lmi_"), or ""
	dynColumns  []string // free-form columns seen so far, in the order they first appeared
	keys        []*altKey
	stateOf     map[int]int // statuscode -> statecode, for tables with a status
	defaultOf   map[int]int // statecode -> default statuscode
	creatable   bool
	updatable   bool
	deletable   bool
	rows        map[string]*record
	// prepare checks and completes a write before it is applied; creating says whether the row is new.
	prepare func(s *Server, t *table, old *record, changes map[string]any, creating bool) *odataError
}

func newTable(entity, set, pk, primaryName string, cols ...*column) *table {
	t := &table{
		entity: entity, set: set, primaryKey: pk, primaryName: primaryName,
		schemaName: entitySchemaNames[entity], metadataID: world.GUID("entity:" + entity), ownership: "UserOwned",
		byName: map[string]*column{}, navs: map[string]*navigation{}, rows: map[string]*record{},
	}
	for _, c := range cols {
		t.addColumn(c)
	}
	return t
}

// addColumn adds a column to the schema, with the navigation properties of a lookup. Rows written
// before it read it as null.
func (t *table) addColumn(c *column) {
	t.columns = append(t.columns, c)
	t.byName[c.name] = c
	if c.lookup != nil {
		for target, nav := range c.lookup.navFor {
			t.navs[nav] = &navigation{name: nav, lookup: c.name, target: target}
		}
	}
}

// typeName is the qualified entity type, as ODataLib names it in messages.
func (t *table) typeName() string { return "Microsoft.Dynamics.CRM." + t.entity }

// column returns the column of that name, creating the free-form ones on demand when create is set.
func (t *table) column(name string, create bool) *column {
	if c, ok := t.byName[name]; ok {
		return c
	}
	if !t.isDynamicName(name) {
		return nil
	}
	c := &column{name: name, kind: kindDynamic, writable: true}
	if create {
		t.byName[name] = c
		t.dynColumns = append(t.dynColumns, name)
	}
	return c
}

// isDynamicName reports whether name is a valid free-form column name of this table: the prefix then
// lowercase letters, digits and underscores, as Dataverse logical names are.
func (t *table) isDynamicName(name string) bool {
	if t.dynPrefix == "" || !strings.HasPrefix(name, t.dynPrefix) || len(name) == len(t.dynPrefix) || len(name) > 100 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	_, isNav := t.navs[name]
	return !isNav
}

// allColumns lists every property a row without $select carries: the primary key first, then the schema.
func (t *table) allColumns() []string {
	out := []string{t.primaryKey}
	for _, c := range t.columns {
		if c.name != t.primaryKey {
			out = append(out, c.name)
		}
	}
	return append(out, t.dynColumns...)
}

func (t *table) key(name string) *altKey {
	for _, k := range t.keys {
		if k.logicalName == name {
			return k
		}
	}
	return nil
}

// sortedRows returns the rows in primary-key order, a stable base for sorting.
func (t *table) sortedRows() []*record {
	out := make([]*record, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id(t) < out[j].id(t) })
	return out
}

func col(name string, k kind) *column { return &column{name: name, kind: k} }

func writableCol(name string, k kind, maxLen int) *column {
	return &column{name: name, kind: k, maxLen: maxLen, writable: true}
}

func choiceCol(name string, labels map[int]string, writable bool) *column {
	return &column{name: name, kind: kindInt, labels: labels, writable: writable}
}

func lookupCol(attribute string, navFor map[string]string) *column {
	return &column{name: "_" + attribute + "_value", kind: kindGUID, lookup: &lookup{attribute: attribute, navFor: navFor}}
}

// wireTime is how Dataverse writes a DateTimeOffset value: UTC, whole seconds.
func wireTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// formattedTime is the FormattedValue of a date: the user's time zone, which is UTC for every sandbox user.
func formattedTime(t time.Time) string { return t.UTC().Format("1/2/2006 3:04 PM") }
