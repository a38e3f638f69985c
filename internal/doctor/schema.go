package doctor

import (
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
)

// columnSpec is a column the app writes, named after the table's publisher prefix.
type columnSpec struct {
	suffix  string // the logical name after the prefix, e.g. casenumber
	schema  string // the schema name after the prefix, e.g. CaseNumber
	display string
	typ     dynamics.ColumnType
	maxLen  int
}

// sessionColumns are the session record's columns besides the key column and the case lookup: what
// the write-back sends (internal/companion/writeback.go, columns). The name column is the table's
// primary name when doctor creates the table.
var sessionColumns = []columnSpec{
	{"name", "Name", "Name", dynamics.ColumnString, 200},
	{"casenumber", "CaseNumber", "Case number", dynamics.ColumnString, 100},
	{"customername", "CustomerName", "Customer", dynamics.ColumnString, 200},
	{"technician", "Technician", "Technician", dynamics.ColumnString, 200},
	{"technicianid", "TechnicianId", "Technician ID", dynamics.ColumnString, 100},
	{"technicianemail", "TechnicianEmail", "Technician e-mail", dynamics.ColumnString, 200},
	{"status", "Status", "Session status", dynamics.ColumnString, 100},
	{"resolved", "Resolved", "Resolved", dynamics.ColumnBoolean, 0},
	{"waitingseconds", "WaitingSeconds", "Waiting time (s)", dynamics.ColumnInteger, 0},
	{"activeseconds", "ActiveSeconds", "Active time (s)", dynamics.ColumnInteger, 0},
	{"totalseconds", "TotalSeconds", "Total time (s)", dynamics.ColumnInteger, 0},
	{"toolsused", "ToolsUsed", "Tools used", dynamics.ColumnString, 1000},
	{"platform", "Platform", "Platform", dynamics.ColumnString, 100},
	{"notes", "Notes", "Technician notes", dynamics.ColumnMemo, 100000},
	{"chatlog", "ChatLog", "Chat log", dynamics.ColumnMemo, 1048576},
	{"correlation", "Correlation", "Correlation token", dynamics.ColumnString, 100},
	{"start", "Start", "Start", dynamics.ColumnDateTime, 0},
	{"end", "End", "End", dynamics.ColumnDateTime, 0},
}

// tableSpec is a table the app writes: what doctor checks and, with --provision, creates.
type tableSpec struct {
	what    string // "session table", for messages
	set     string // the configured entity set
	entity  string // the logical name doctor gives the table it creates
	prefix  string
	display string
	columns []dynamics.ColumnDefinition // every column the app writes, the key column first
	primary dynamics.ColumnDefinition   // the primary name column of a table doctor creates
	lookup  *dynamics.LookupDefinition  // the case lookup, when the table has one
	key     *dynamics.KeyDefinition     // the alternate key, when the table has one
}

// entityOf is the logical name for a table doctor creates: its entity set without the plural "s"
// (lmi_usersettings → lmi_usersetting), or with "record" added when the primary key Dataverse
// derives from it, <entity>id, would take the name of one of the table's columns (lmi_sessions with
// the key column lmi_sessionid → lmi_sessionrecord, primary key lmi_sessionrecordid). The set itself
// is sent as EntitySetName, so it stays as configured.
func entityOf(set string, columns []dynamics.ColumnDefinition) string {
	e := strings.TrimSuffix(set, "s")
	if e == "" || strings.HasSuffix(e, "_") {
		e = set
	}
	for _, c := range columns {
		if logical(c.SchemaName) == e+"id" {
			return e + "record"
		}
	}
	return e
}

// schemaOf writes a logical name as a schema name: the prefix, then the rest capitalised
// (lmi_session → lmi_Session).
func schemaOf(prefix, rest string) string {
	if rest == "" {
		return prefix
	}
	return prefix + strings.ToUpper(rest[:1]) + rest[1:]
}

// sessionSpec is the session table as the write-back needs it.
func sessionSpec(t dynamics.SessionTable) tableSpec {
	p := prefixOf(t.KeyColumn)
	s := tableSpec{what: "session table", set: t.Set, prefix: p, display: "Rescue session"}
	s.columns = append(s.columns, dynamics.ColumnDefinition{
		SchemaName: t.KeyColumn, DisplayName: "Rescue session ID", Type: dynamics.ColumnString, MaxLength: 100,
		Description: "The LogMeIn Rescue session ID; the table's alternate key.",
	})
	for _, c := range sessionColumns {
		s.columns = append(s.columns, dynamics.ColumnDefinition{
			SchemaName: p + c.schema, DisplayName: c.display, Type: c.typ, MaxLength: c.maxLen,
		})
	}
	s.primary = s.columns[1] // the name column
	entity := entityOf(t.Set, append(s.columns, dynamics.ColumnDefinition{SchemaName: t.CaseNav}))
	s.entity = entity
	s.lookup = &dynamics.LookupDefinition{
		SchemaName: p + "incident_" + entity, ReferencedEntity: "incident", ReferencedKey: "incidentid",
		ReferencingEntity: entity, NavigationProperty: t.CaseNav,
		Lookup: dynamics.ColumnDefinition{SchemaName: t.CaseNav, DisplayName: "Case", Description: "The case the session was for."},
	}
	s.key = &dynamics.KeyDefinition{SchemaName: p + "SessionKey", DisplayName: "Session key", Columns: []string{strings.ToLower(t.KeyColumn)}}
	return s
}

// technicianSpec is the technician settings table: the Rescue technician ID and SSO ID of each
// Dynamics user. It has no alternate key: the app finds a row with $filter.
func technicianSpec(t dynamics.TechnicianTable) tableSpec {
	p := prefixOf(t.IDColumn)
	s := tableSpec{what: "technician settings table", set: t.Set, prefix: p, display: "Rescue technician setting"}
	s.primary = dynamics.ColumnDefinition{SchemaName: p + "Name", DisplayName: "Name", Type: dynamics.ColumnString, MaxLength: 100}
	s.columns = []dynamics.ColumnDefinition{
		{SchemaName: t.IDColumn, DisplayName: "Rescue technician ID", Type: dynamics.ColumnString, MaxLength: 100},
		{SchemaName: t.SSOColumn, DisplayName: "Rescue SSO ID", Type: dynamics.ColumnString, MaxLength: 100},
	}
	s.entity = entityOf(t.Set, append(s.columns, s.primary))
	return s
}

// tableDefinition is the definition of the table doctor creates for a spec: user-owned, with the
// configured entity set and the spec's primary name column.
func tableDefinition(spec tableSpec) dynamics.TableDefinition {
	schema := spec.entity
	if rest, ok := strings.CutPrefix(spec.entity, spec.prefix); ok {
		schema = schemaOf(spec.prefix, rest)
		if base, ok := strings.CutSuffix(rest, "record"); ok && base != "" {
			schema = schemaOf(spec.prefix, base) + "Record"
		}
	}
	return dynamics.TableDefinition{
		SchemaName: schema, EntitySetName: spec.set, DisplayName: spec.display, DisplayCollectionName: spec.display + "s",
		Description: "Created by rescue-companion doctor --provision.", PrimaryName: spec.primary,
	}
}

// logical is a schema name's logical name.
func logical(schemaName string) string { return strings.ToLower(schemaName) }
