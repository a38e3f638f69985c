// Package dataverse is the sandbox's fake of the Dataverse Web API (OData v4) under /api/data/v9.2/
// (v9.0 and v9.1 answer too): the same paths, bodies, status codes, headers and error objects as
// Dynamics 365, so that the product and third-party clients built for the real service run against it
// unchanged. Its data is copied from the world seed at New into its own tables and is then its own.
//
// # What it serves
//
//   - WhoAmI and WhoAmI(): UserId is the caller's systemuserid, a different GUID from the Entra object id.
//   - Entity sets systemusers, accounts, contacts, incidents, annotations, asyncoperations, lmi_sessions
//     and lmi_usersettings, with $select (strict: an unknown column is a 400), $filter, $orderby, $top,
//     $count=true, $expand of single-valued navigation properties with nested $select/$expand,
//     set/$count, and paging through Prefer: odata.maxpagesize and @odata.nextLink.
//   - $filter: eq ne gt ge lt le, and or not, parentheses, contains/startswith/endswith (as T-SQL LIKE,
//     so % _ [ ] in the value are wildcards), Microsoft.Dynamics.CRM.EqualUserId / NotEqualUserId /
//     EqualUserOrUserTeams / EqualUserTeams with PropertyName='…' or a parameter alias (@p1), GUIDs
//     quoted or not, dates, column-to-column comparisons and nav/column paths. String comparisons
//     ignore case and accents, as the database collation does. Anything else is a 400 with an
//     ODataLib-worded message, never ignored.
//   - Prefer: odata.include-annotations with exactly the requested terms (or * and namespace.*
//     wildcards, and -term exclusions): FormattedValue on choices, dates, booleans, whole numbers
//     and lookups; associatednavigationproperty and lookuplogicalname on lookups. Each annotation
//     comes right before its property. Preference-Applied echoes what was applied.
//   - GET, PATCH (upsert, with If-Match and If-None-Match) and DELETE of one row by GUID, by
//     primarykey=GUID or by alternate key; POST to create (204 + OData-EntityId, or 201 with the row
//     under Prefer: return=representation); @odata.bind on create and update.
//   - EntityDefinitions, the collection with $select, $filter on the primitive properties and
//     $expand=Keys, all in one response (metadata is not paged); one table by LogicalName='x' or by
//     MetadataId; …/Attributes (the properties every AttributeMetadata shares, each with its derived
//     @odata.type) and …/Attributes(LogicalName='a'); …/Keys and …/Keys(LogicalName='k') returning
//     EntityKeyMetadata; the unbound actions ReactivateEntityKey and CloseIncident.
//   - Customization through the metadata API, each answered 204 with OData-EntityId as the
//     documentation shows: POST EntityDefinitions (a user- or organization-owned table with its
//     string primary name attribute and any other attributes; the table gets its primary key
//     <name>id, statecode/statuscode, ownerid when user-owned, createdon and modifiedon), POST
//     …/Attributes (String, Memo, Integer, Boolean and DateTime columns; other types are 501),
//     POST RelationshipDefinitions with a OneToManyRelationshipMetadata (the lookup _<lookup>_value
//     and its navigation property, set with @odata.bind), and POST …/Keys. A table, column or key
//     created so is as strict as the seed's tables: a column it lacks is a 400.
//   - 401 with WWW-Authenticate for a missing, unknown, expired or foreign token; 403 for a token of a
//     user who is no systemuser; 404/400/405/412/413/415 with OData error objects; 501 for the parts of
//     the API the sandbox does not implement ($metadata, $batch, property and collection paths).
//
// Throttling and other network faults are not this package's: the sandbox wraps it in the fault injector.
//
// # Knobs for tests
//
// Options.WithoutSolution starts an organisation without the session and technician settings tables
// (nor the key's index job), as one where doctor --provision has yet to run. Options.NonCustomizers
// and SetCustomizer withhold the System Customizer privileges from users: the metadata creates and
// ReactivateEntityKey then answer, changing nothing,
//
//	403 {"error":{"code":"0x80040220","message":"SecLib::CheckPrivilege failed. User: <systemuserid>,
//	PrivilegeName: prvCreateEntity, PrivilegeId: <guid>, Required Depth: Basic, BusinessUnitId: <guid>"}}
//
// with prvCreateAttribute, prvCreateRelationship, prvCreateEntityKey or prvWriteEntityKey (for
// ReactivateEntityKey) as the privilege. SetKeyStatus puts a key in any index status (Failed leaves a
// failed index job with its message); KeyStatus, Keys, Attributes, HasTable, Record and Records read
// the organisation's state.
//
// # Default schema names
//
// The Rescue session table: entity lmi_session, entity set lmi_sessions, primary key
// lmi_sessionrecordid (GUID), primary name lmi_name, alternate key lmi_sessionkey (schema name
// lmi_SessionKey, display "Session key") on the string column lmi_sessionid (the Rescue session ID).
// Any other property whose name is lmi_ followed by lowercase letters, digits or underscores is a
// free-form column holding a string, number, boolean or null; it is stored as sent and, once written,
// appears (null where unset) in every row of the table. The case lookup is set with
// "lmi_incidentid@odata.bind": "/incidents(<guid>)" and read as _lmi_incidentid_value. statecode 0 /
// statuscode 1 is Active, 1 / 2 is Inactive. Rows also carry _ownerid_value (the creator), createdon
// and modifiedon.
//
// The technician settings table (the Rescue solution's "LogMeIn user settings"): entity
// lmi_usersetting, entity set lmi_usersettings, primary key lmi_usersettingid (GUID), primary name
// lmi_name (string, 100), string columns lmi_technicianid (the Rescue technician ID as decimal text)
// and lmi_ssoid, each up to 100 characters; statecode/statuscode Active/Inactive as on sessions;
// _ownerid_value (the creator, or "ownerid@odata.bind": "/systemusers(<guid>)"), createdon and
// modifiedon. Its schema is fixed: any other column, an auth code among them, is a 400. It has no
// alternate key. The seed gives Jordan a row (his name, node ID, SSO ID, owned by him); Camille and
// Priya have none until they create one.
//
// Other tables follow the Dataverse logical names: incidents (incidentid, title, ticketnumber,
// description, statecode, statuscode, prioritycode, caseorigincode, emailaddress, _customerid_value
// via customerid_contact / customerid_account, _ownerid_value via ownerid, createdon, modifiedon);
// contacts (contactid, fullname, firstname, lastname, emailaddress1, _parentcustomerid_value);
// accounts (accountid, name, emailaddress1); systemusers (systemuserid, fullname,
// internalemailaddress, domainname, azureactivedirectoryobjectid, isdisabled); annotations
// (annotationid, subject, notetext, _objectid_value via objectid_incident, objecttypecode,
// isdocument, _ownerid_value); asyncoperations (asyncoperationid, name, operationtype, statecode,
// statuscode, message, friendlymessage, errorcode, primaryentitytype, messagename, correlationid,
// createdon, startedon, completedon, modifiedon). The sandbox serves systemusers, accounts, contacts
// and asyncoperations read-only (405 on writes).
//
// # Choices where the references are unconfirmed
//
//   - A request without a valid token gets 401, WWW-Authenticate: Bearer authorization_uri=<Options.
//     AuthorizationURI>, resource_id=<organisation URL>/, and the body
//     {"error":{"code":"0x8006088a","message":"…"}}. A token must be for the audience "https://"+Host
//     (case and a final slash ignored; http://Host too on a plain-HTTP listener).
//   - A GUID in $filter may be quoted or not.
//   - $expand of both customerid_contact and customerid_account: the one that is not set is null.
//   - An upsert's OData-EntityId names the row by its GUID, also when it was addressed by an alternate
//     key (the upsert docs show the key form; dynamics-web-api and the product read a GUID).
//   - @odata.nextLink repeats the query string exactly as sent (less any $skiptoken) and adds
//     $skiptoken=<cookie pagenumber="N" pagingcookie="…" istracking="False" />, percent-encoded as in
//     the paging docs. The inner cookie records the last row's sort values and primary key, and the
//     next page starts after that row, so rows changed between pages are neither lost nor repeated.
//     Each page uses the odata.maxpagesize sent with it; a size over 5,000 is taken as 5,000.
//   - ReactivateEntityKey is unbound, takes {"EntityLogicalName","EntityKeyLogicalName"}, answers 204,
//     and submits a new index job (operationtype 63): the key is Pending until its metadata is next read,
//     when the job runs: the key turns Active and the job Succeeded, or, while two rows share the key's
//     values, Failed with the duplicate-key message and errorcode -2147016681. A key created with POST
//     …/Keys starts the same way. A key that is not Active cannot be used in a URL (400).
//   - The metadata creates follow the documentation's examples. SchemaName, DisplayName,
//     DisplayCollectionName, OwnershipType, IsActivity, HasActivities and HasNotes are required for a
//     table, SchemaName and DisplayName for a column, a key and a lookup; a schema name needs a
//     customization prefix (2 to 8 letters or digits, then "_"). EntitySetName may be given; otherwise
//     the set is the plural of the logical name (s, es or ies). A property the type does not have is
//     a 400; the documented ones the sandbox does not model are accepted and ignored. An attribute
//     needs its @odata.type; a LookupAttributeMetadata posted to …/Attributes is a 400 pointing to
//     RelationshipDefinitions. A lookup's navigation property is ReferencingEntityNavigationPropertyName,
//     else the lookup's SchemaName. A duplicate name, a key over the same columns as another, an 11th
//     key or a 17th key column are 400 (0x80040203); keys on lookups and on the seed's free-form
//     columns are 501. MSCRM.SolutionUniqueName is accepted and ignored. Reading RelationshipDefinitions,
//     many-to-many relationships and activity tables are 501; updating (PUT) or deleting metadata is 405.
//   - The seeded session table's metadata lists the Rescue solution's columns (lmi_name,
//     lmi_casenumber, … lmi_start, lmi_end, with their types), while the table still stores any lmi_
//     column as sent and shows it only once written.
//   - EntityKeyMetadata.AsyncJob is a navigation property, returned only with $expand=AsyncJob.
//   - An incident cannot be resolved by PATCH statecode=1 (400, as Dataverse words it); CloseIncident
//     does it. A statecode alone takes its default statuscode; a pair must match.
//   - Alternate-key string values match case-insensitively, as the database collation compares them;
//     key values holding / < > * % & : \ ? + are refused (400), as the docs say they break.
//   - Error codes: 0x80040217 not found, 0x80060882 ETag mismatch, 0x80040237 duplicate on
//     If-None-Match: *, 0x80060892 duplicate alternate key, 0x80040203 rule violations, 0x80060888
//     query and body syntax, 0x8006088b what the sandbox does not implement (501).
//   - FormattedValue of dates is in UTC, the time zone of every sandbox user, as "4/7/2023 2:59 PM".
//   - Read-only columns (ticketnumber, createdon, …) and lookup properties (_x_value) in a body are a 400.
//     An empty string is stored as null.
//   - The sandbox has no teams: EqualUserOrUserTeams matches as EqualUserId, EqualUserTeams matches nothing.
//   - The technician settings table has no alternate key (EntityDefinitions(…)/Keys is empty): the
//     solution's table is not known to have one, so a client must find a technician's row with
//     $filter=lmi_technicianid eq '…' (or _ownerid_value eq …) and create it with POST. Two rows for
//     one technician are therefore possible, as they would be in Dynamics.
//   - PATCH of a missing incident without If-Match creates it only if the body has what a case needs
//     (title and a customer), as Dataverse would; otherwise it is a 400.
package dataverse
