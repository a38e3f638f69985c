// Package doctor runs, automatically, the procedure IT follows when session data does not reach
// Dynamics, and repairs what can be repaired.
//
// Run makes nine checks, in order, each reported on one line with what was found and, when something
// is wrong, what to do: the settings are valid; Dynamics answers and the sign-in works (WhoAmI); the
// session table and the technician settings table exist, found by their entity sets through
// EntityDefinitions, with the columns the app writes; the session table's alternate key on the
// session ID has an Active index; no key-index system job failed; the Rescue API answers; the kept
// Rescue auth code works (getAccount); and the Technician Console runs (getUser_v3's STATUS). A check
// that depends on a failed one is reported as skipped, never left out.
//
// Fix reactivates a Failed session key (ReactivateEntityKey) and reads the key until it is Active,
// telling progress on the way. Provision creates, through the metadata API, the tables, columns,
// case lookup and key that are missing, and nothing else, so a second run changes nothing. Both
// need a user with the System Customizer (or System Administrator) role; without it Dynamics refuses
// and the error wraps ErrNoPrivilege.
//
// The package prints nothing and never shows the Rescue auth code; the caller prints the lines.
//
// Choices where the references are unconfirmed:
//   - The session table is found with EntityDefinitions?$select=…&$filter=EntitySetName eq '<set>',
//     the documented way to filter metadata on a primitive property; its columns with
//     …/Attributes?$select=LogicalName,SchemaName,AttributeType.
//   - The session key is the table's alternate key whose only column is the configured key column,
//     whatever its name; keys are read with Consistency: Strong, as Microsoft's sample does.
//   - "Rescue reachable" is getAccount without an auth code: it changes nothing, and any status token
//     (NOTLOGGEDIN) shows that the API answers.
//   - Failed key-index jobs (operationtype 63, statuscode 31) are read newest first, ten at most, and
//     those whose primaryentitytype names another table are left out. While the key is Active they
//     are history, reported as ok.
//   - Fix polls every 15 s for up to 5 minutes, as Microsoft's sample waits for a key, and counts the
//     time in polls rather than from a clock.
//   - A table doctor creates is user-owned; its logical name is the entity set without its final "s"
//     (lmi_usersettings → lmi_usersetting), with "record" added when Dataverse's primary key for it,
//     <name>id, would clash with a column: the session table is lmi_sessionrecord, since its key
//     column is lmi_sessionid. Its schema name is capitalised after the prefix (lmi_SessionRecord),
//     and the entity set is sent as EntitySetName so that it is exactly the configured one. The columns'
//     prefix is the session key column's (lmi_). The case lookup is created through
//     RelationshipDefinitions (relationship <prefix>incident_<table>), its navigation property named
//     as the app binds it (<prefix>incidentid); deleting a case clears the lookup (RemoveLink). The
//     key is <prefix>SessionKey. Nothing is put in a named solution (no MSCRM.SolutionUniqueName):
//     the tables land in the default solution.
//   - The write-back's dates (start, end) are DateTime columns, user local; its durations whole
//     numbers; notes and chat log multi-line text (100,000 and 1,048,576 characters).
package doctor
