package dataverse

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// Default schema names of the Rescue session table, its alternate key and its lookup to a case.
const (
	SessionEntity     = "lmi_session"
	SessionSet        = "lmi_sessions"
	SessionPrimaryKey = "lmi_sessionrecordid"
	SessionKeyName    = "lmi_sessionkey"
	SessionIDColumn   = "lmi_sessionid"
	SessionCaseNav    = "lmi_incidentid"
	SessionCaseLookup = "_lmi_incidentid_value"
)

// Default schema names of the technician settings table, the Rescue solution's "LogMeIn user
// settings": a row for each technician who has requested a PIN, owned by that technician's systemuser.
// It holds no auth code.
const (
	UserSettingEntity             = "lmi_usersetting"
	UserSettingSet                = "lmi_usersettings"
	UserSettingPrimaryKey         = "lmi_usersettingid"
	UserSettingNameColumn         = "lmi_name"
	UserSettingTechnicianIDColumn = "lmi_technicianid" // the Rescue technician (node) ID, as decimal text
	UserSettingSSOIDColumn        = "lmi_ssoid"
)

var (
	activeInactiveState  = map[int]string{0: "Active", 1: "Inactive"}
	activeInactiveStatus = map[int]string{1: "Active", 2: "Inactive"}
	asyncStateLabels     = map[int]string{0: "Ready", 1: "Suspended", 2: "Locked", 3: "Completed"}
	asyncStatusLabels    = map[int]string{
		0: "Waiting For Resources", 10: "Waiting", 20: "In Progress", 21: "Pausing", 22: "Canceling",
		30: "Succeeded", 31: "Failed", 32: "Canceled",
	}
	asyncStateOfStatus = map[int]int{0: 0, 10: 1, 20: 2, 21: 2, 22: 2, 30: 3, 31: 3, 32: 3}
	operationLabels    = map[int]string{
		1: "System Event", 10: "Workflow", 12: "Update Match Code", 13: "Collect Statistics",
		35: "Bulk Delete", 63: "EntityKey Index Creation",
	}
	caseOriginLabels = map[int]string{1: "Phone", 2: "Email", 3: "Web", 2483: "Facebook", 3986: "Twitter", 700610000: "IoT"}
)

func ownerLookup() *column { return lookupCol("ownerid", map[string]string{"systemuser": "ownerid"}) }

func stateCols(states, statuses map[int]string) []*column {
	return []*column{choiceCol("statecode", states, true), choiceCol("statuscode", statuses, true)}
}

func systemUsersTable() *table {
	t := newTable("systemuser", "systemusers", "systemuserid", "fullname",
		col("systemuserid", kindGUID), col("fullname", kindString), col("internalemailaddress", kindString),
		col("domainname", kindString), col("azureactivedirectoryobjectid", kindGUID), col("isdisabled", kindBool))
	t.ownership = "BusinessOwned"
	return t
}

func accountsTable() *table {
	t := newTable("account", "accounts", "accountid", "name", append([]*column{
		col("accountid", kindGUID), col("name", kindString), col("emailaddress1", kindString),
	}, stateCols(activeInactiveState, activeInactiveStatus)...)...)
	t.stateOf, t.defaultOf = map[int]int{1: 0, 2: 1}, map[int]int{0: 1, 1: 2}
	return t
}

func contactsTable() *table {
	t := newTable("contact", "contacts", "contactid", "fullname", append([]*column{
		col("contactid", kindGUID), col("fullname", kindString), col("firstname", kindString),
		col("lastname", kindString), col("emailaddress1", kindString),
		lookupCol("parentcustomerid", map[string]string{"account": "parentcustomerid_account", "contact": "parentcustomerid_contact"}),
	}, stateCols(activeInactiveState, activeInactiveStatus)...)...)
	t.stateOf, t.defaultOf = map[int]int{1: 0, 2: 1}, map[int]int{0: 1, 1: 2}
	return t
}

func incidentsTable() *table {
	t := newTable("incident", "incidents", "incidentid", "title",
		col("incidentid", kindGUID), writableCol("title", kindString, 200), col("ticketnumber", kindString),
		writableCol("description", kindString, 2000),
		choiceCol("statecode", world.StateLabels, true), choiceCol("statuscode", world.StatusLabels, true),
		choiceCol("prioritycode", world.PriorityLabels, true), choiceCol("caseorigincode", caseOriginLabels, true),
		writableCol("emailaddress", kindString, 100),
		lookupCol("customerid", map[string]string{"account": "customerid_account", "contact": "customerid_contact"}),
		ownerLookup(), col("createdon", kindTime), col("modifiedon", kindTime))
	t.stateOf, t.defaultOf = world.StateOfStatus, map[int]int{0: 1, 1: 5, 2: 6}
	t.creatable, t.updatable = true, true
	t.prepare = prepareIncident
	return t
}

func annotationsTable() *table {
	t := newTable("annotation", "annotations", "annotationid", "subject",
		col("annotationid", kindGUID), writableCol("subject", kindString, 500), writableCol("notetext", kindString, 100000),
		lookupCol("objectid", map[string]string{"incident": "objectid_incident"}), col("objecttypecode", kindString),
		col("isdocument", kindBool), ownerLookup(), col("createdon", kindTime), col("modifiedon", kindTime))
	t.creatable, t.updatable, t.deletable = true, true, true
	t.prepare = prepareAnnotation
	return t
}

func asyncOperationsTable() *table {
	t := newTable("asyncoperation", "asyncoperations", "asyncoperationid", "name",
		col("asyncoperationid", kindGUID), col("name", kindString), choiceCol("operationtype", operationLabels, false),
		choiceCol("statecode", asyncStateLabels, false), choiceCol("statuscode", asyncStatusLabels, false),
		col("message", kindString), col("friendlymessage", kindString), col("errorcode", kindInt),
		col("primaryentitytype", kindString), col("messagename", kindString), col("correlationid", kindGUID),
		col("createdon", kindTime), col("startedon", kindTime), col("completedon", kindTime), col("modifiedon", kindTime))
	t.stateOf = asyncStateOfStatus
	return t
}

func sessionsTable() *table {
	t := newTable(SessionEntity, SessionSet, SessionPrimaryKey, "lmi_name",
		col(SessionPrimaryKey, kindGUID), writableCol(SessionIDColumn, kindString, 100),
		lookupCol("lmi_incidentid", map[string]string{"incident": SessionCaseNav}),
		choiceCol("statecode", activeInactiveState, true), choiceCol("statuscode", activeInactiveStatus, true),
		ownerLookup(), col("createdon", kindTime), col("modifiedon", kindTime))
	t.dynPrefix = "lmi_"
	t.stateOf, t.defaultOf = map[int]int{1: 0, 2: 1}, map[int]int{0: 1, 1: 2}
	t.creatable, t.updatable, t.deletable = true, true, true
	t.keys = []*altKey{{
		logicalName: SessionKeyName, schemaName: "lmi_SessionKey", display: "Session key",
		attributes: []string{SessionIDColumn}, status: "Active",
		metadataID: world.GUID("key:" + SessionKeyName), labelID: world.GUID("key-label:" + SessionKeyName),
	}}
	t.declared = solutionSessionColumns()
	t.custom = true
	return t
}

// solutionSessionColumns are the columns the Rescue solution gives its session table, besides the
// key column and the case lookup: what the product's write-back sends. The seeded table lists them
// in its metadata and stores them, like any other lmi_ column, as sent.
func solutionSessionColumns() []*column {
	declare := func(name, schemaName, attrType string, k kind, maxLen int) *column {
		return &column{name: name, kind: k, maxLen: maxLen, writable: true, attr: &attribute{
			schemaName: schemaName, attrType: attrType, metadataID: world.GUID("attribute:" + SessionEntity + "." + name),
		}}
	}
	return []*column{
		declare("lmi_name", "lmi_Name", "String", kindString, 200),
		declare("lmi_casenumber", "lmi_CaseNumber", "String", kindString, 100),
		declare("lmi_customername", "lmi_CustomerName", "String", kindString, 200),
		declare("lmi_technician", "lmi_Technician", "String", kindString, 200),
		declare("lmi_technicianid", "lmi_TechnicianId", "String", kindString, 100),
		declare("lmi_technicianemail", "lmi_TechnicianEmail", "String", kindString, 200),
		declare("lmi_status", "lmi_Status", "String", kindString, 100),
		declare("lmi_resolved", "lmi_Resolved", "Boolean", kindBool, 0),
		declare("lmi_waitingseconds", "lmi_WaitingSeconds", "Integer", kindInt, 0),
		declare("lmi_activeseconds", "lmi_ActiveSeconds", "Integer", kindInt, 0),
		declare("lmi_totalseconds", "lmi_TotalSeconds", "Integer", kindInt, 0),
		declare("lmi_toolsused", "lmi_ToolsUsed", "String", kindString, 1000),
		declare("lmi_platform", "lmi_Platform", "String", kindString, 100),
		declare("lmi_notes", "lmi_Notes", "Memo", kindString, 100000),
		declare("lmi_chatlog", "lmi_ChatLog", "Memo", kindString, 1048576),
		declare("lmi_correlation", "lmi_Correlation", "String", kindString, 100),
		declare("lmi_start", "lmi_Start", "DateTime", kindTime, 0),
		declare("lmi_end", "lmi_End", "DateTime", kindTime, 0),
	}
}

// userSettingsTable has a fixed schema, so a column it lacks (an auth code, say) is refused rather than
// stored. It has no alternate key: the solution's table is not known to have one, and the product
// finds a technician's row by $filter, which works in every organisation.
func userSettingsTable() *table {
	t := newTable(UserSettingEntity, UserSettingSet, UserSettingPrimaryKey, UserSettingNameColumn,
		col(UserSettingPrimaryKey, kindGUID), writableCol(UserSettingNameColumn, kindString, 100),
		writableCol(UserSettingTechnicianIDColumn, kindString, 100), writableCol(UserSettingSSOIDColumn, kindString, 100),
		choiceCol("statecode", activeInactiveState, true), choiceCol("statuscode", activeInactiveStatus, true),
		ownerLookup(), col("createdon", kindTime), col("modifiedon", kindTime))
	t.stateOf, t.defaultOf = map[int]int{1: 0, 2: 1}, map[int]int{0: 1, 1: 2}
	t.creatable, t.updatable, t.deletable = true, true, true
	t.custom = true
	return t
}

// seed fills the tables from the world, as the organisation looks on the day the sandbox starts.
func (s *Server) seed(w *world.World, now time.Time) {
	tables := []*table{
		systemUsersTable(), accountsTable(), contactsTable(), incidentsTable(), annotationsTable(), asyncOperationsTable(),
	}
	if !s.opts.WithoutSolution {
		tables = append(tables, sessionsTable(), userSettingsTable())
	}
	for _, t := range tables {
		s.addTable(t)
	}
	for _, u := range w.Technicians {
		s.insert("systemusers", map[string]any{
			"systemuserid": u.SystemUserID, "fullname": u.Name, "internalemailaddress": u.Email,
			"domainname": u.Email, "azureactivedirectoryobjectid": u.EntraOID, "isdisabled": false,
		}, nil)
	}
	for _, c := range w.Colleagues {
		s.insert("systemusers", map[string]any{
			"systemuserid": c.SystemUserID, "fullname": c.Name, "internalemailaddress": c.Email,
			"domainname": c.Email, "azureactivedirectoryobjectid": world.GUID("entra-oid:" + c.Email), "isdisabled": false,
		}, nil)
	}
	for _, a := range w.Accounts {
		s.insert("accounts", map[string]any{
			"accountid": a.ID, "name": a.Name, "emailaddress1": emptyToNil(a.Email),
			"statecode": 0, "statuscode": 1,
		}, nil)
	}
	for _, c := range w.Contacts {
		s.insert("contacts", map[string]any{
			"contactid": c.ID, "fullname": c.FullName, "firstname": c.FirstName,
			"lastname": c.LastName, "emailaddress1": emptyToNil(c.Email), "_parentcustomerid_value": emptyToNil(c.AccountID),
			"statecode": 0, "statuscode": 1,
		}, map[string]string{"_parentcustomerid_value": "account"})
	}
	for _, c := range w.Cases {
		s.insert("incidents", map[string]any{
			"incidentid": c.ID, "title": c.Title, "ticketnumber": c.Number, "description": emptyToNil(c.Description),
			"statecode": c.StateCode, "statuscode": c.StatusCode, "prioritycode": c.PriorityCode, "caseorigincode": 1,
			"emailaddress": nil, "_customerid_value": c.CustomerID, "_ownerid_value": c.OwnerID,
			"createdon": c.CreatedOn.UTC(), "modifiedon": c.ModifiedOn.UTC(),
		}, map[string]string{"_customerid_value": c.CustomerType, "_ownerid_value": "systemuser"})
	}
	s.seedUserSettings(w, now)
	s.seedJobs(now)
}

// addTable makes a table part of the organisation.
func (s *Server) addTable(t *table) {
	s.tables[t.set] = t
	s.byEntity[t.entity] = t
}

// seedUserSettings gives Jordan the settings row his first PIN request made some weeks ago; Camille
// and Priya have not requested a PIN yet, so they have none.
func (s *Server) seedUserSettings(w *world.World, now time.Time) {
	jordan, ok := w.Technician("jordan")
	if !ok || s.tables[UserSettingSet] == nil {
		return
	}
	created := now.Add(-21 * 24 * time.Hour).UTC().Truncate(time.Second)
	s.insert(UserSettingSet, map[string]any{
		UserSettingPrimaryKey: world.GUID("usersetting:" + jordan.Key), UserSettingNameColumn: jordan.Name,
		UserSettingTechnicianIDColumn: strconv.Itoa(jordan.RescueNodeID), UserSettingSSOIDColumn: emptyToNil(jordan.SSOID),
		"statecode": 0, "statuscode": 1, "_ownerid_value": jordan.SystemUserID,
		"createdon": created, "modifiedon": created,
	}, map[string]string{"_ownerid_value": "systemuser"})
}

// seedJobs adds the system jobs an organisation of some age has: the succeeded index job of the session
// key, and a few workflow runs.
func (s *Server) seedJobs(now time.Time) {
	created := now.Add(-30 * 24 * time.Hour)
	if sessions := s.byEntity[SessionEntity]; sessions != nil {
		key := sessions.keys[0]
		key.asyncJob = s.insertJob(world.GUID("asyncoperation:key-index"), "Create index for entity key "+key.logicalName,
			63, 30, SessionEntity, "", "", 0, created)
	}
	for i := 0; i < 3; i++ {
		id := world.GUID(fmt.Sprintf("asyncoperation:workflow:%d", i))
		s.insertJob(id, "Case follow-up reminder", 10, 30, "incident", "", "", 0, created.Add(time.Duration(i+1)*72*time.Hour))
	}
}

// insertJob adds a system job row and returns its id.
func (s *Server) insertJob(id, name string, operation, status int, entity, msg, friendly string, code int, at time.Time) string {
	values := map[string]any{
		"asyncoperationid": id, "name": name, "operationtype": operation,
		"statecode": asyncStateOfStatus[status], "statuscode": status,
		"message": emptyToNil(msg), "friendlymessage": emptyToNil(friendly), "errorcode": nil,
		"primaryentitytype": entity, "messagename": nil, "correlationid": world.GUID("correlation:" + id),
		"createdon": at, "startedon": nil, "completedon": nil, "modifiedon": at,
	}
	if code != 0 {
		values["errorcode"] = code
	}
	if status >= 20 {
		values["startedon"] = at
	}
	if asyncStateOfStatus[status] == 3 {
		values["completedon"] = at
	}
	s.insert("asyncoperations", values, nil)
	return id
}

// insert adds a row as it is, with a fresh row version.
func (s *Server) insert(set string, values map[string]any, targets map[string]string) *record {
	t := s.tables[set]
	r := &record{values: map[string]any{}, targets: map[string]string{}, version: s.nextVersion()}
	for _, c := range t.columns {
		r.values[c.name] = nil
	}
	for k, v := range values {
		r.values[k] = v
	}
	for k, v := range targets {
		if r.values[k] != nil {
			r.targets[k] = v
		}
	}
	t.rows[r.id(t)] = r
	return r
}

func (s *Server) nextVersion() int64 {
	s.version++
	return s.version
}

func emptyToNil(v string) any {
	if v == "" {
		return nil
	}
	return v
}
