// Package dynamics is the app's client of the Dataverse Web API (OData v4, v9.2) of a Dynamics 365
// organisation: who the signed-in user is (WhoAmI), their open cases, a link to a case in the
// Dynamics UI, the technician settings records, and what the session write-back needs: upserting a
// Rescue session's record by its alternate key and linking it to the case, listing session records
// by case or by date, deactivating one, assigning and resolving a case, and writing a note on it at
// most once; and, for doctor, the metadata: finding a table by its entity set, its columns and
// alternate keys, failed key-index system jobs, ReactivateEntityKey, and creating tables, columns,
// a lookup and a key through the metadata API.
//
// Every request carries the headers the Web API asks for, a bearer token from a TokenSource, and goes
// through one retry policy:
//
//   - 401: the token is refreshed once and the request sent again; a second 401 is ErrSignInRequired.
//   - 429 (service protection): the client waits Retry-After (seconds or an HTTP date, capped at
//     Options.MaxWait), tells Options.OnWait first so the UI can say so, and tries again a few times.
//     The wait ends at once when the context is cancelled.
//   - 5xx, timeouts and dropped connections: GETs are tried again with exponential backoff and jitter,
//     at most four attempts in all, and so are the writes whose repeat changes nothing: the upsert and
//     the deactivation of a session record by key, the assignment of a case, and CloseIncident (whose
//     repeat can only find the case resolved). Creating a record (a note, a technician settings
//     record) is not, since the server may have acted on it: the caller looks for it first. Nor are
//     ReactivateEntityKey (each call submits a job) and the metadata creates.
//
// Replies are read through a size limit and decoded as a stream, row by row, into small structs.
// Errors are one line: the service's own {"error":{"code","message"}} when there is one, never a raw
// body, never a token.
//
// Choices where the references are unconfirmed:
//   - The owner GUID in the "my open cases" $filter is written unquoted (the OData v4 Guid literal):
//     _ownerid_value eq 1b4e28ba-2fa1-11d2-883f-0016d3cca427. It is checked to be a GUID first, so
//     nothing else can reach the filter.
//   - WhoAmI is called with parentheses, WhoAmI(), as the function documentation writes it.
//   - The two customerid_* expansions: the unset one may come back as null or be missing; both read
//     the same. The customer's kind comes from the lookuplogicalname annotation, else from whichever
//     expansion carries a name; its name falls back to the lookup's FormattedValue.
//   - The 401 body is not documented: it is read like any error body, and ignored when it is not one.
//   - A 503 with a Retry-After header is waited out like a 429, but counted as a server error.
//   - Prefer is sent as one header, page size first:
//     odata.maxpagesize=100,odata.include-annotations="…", as the reference's query shows.
//   - An @odata.nextLink on another origin than the organisation's is refused rather than followed,
//     so that the bearer token never leaves the organisation.
//   - The upsert's OData-EntityId may name the record by its GUID or, as the upsert documentation
//     shows, by its key values; in the second case the GUID is read with one more GET by key,
//     $select=<key column>, taking the one plain GUID property that comes back (the primary key,
//     which the service always adds). Whether the upsert created the record is not reported: 204
//     answers both, and return=representation is not asked for.
//   - The key column is left out of an upsert's body (the documentation says not to repeat it), and
//     key values holding / < > * % & : \ ? + are refused before sending, as the documentation says
//     they break a key in a URL; other characters are percent-encoded.
//   - The lookup property of the case navigation property is _<navigation property in lower
//     case>_value: @odata.bind takes the navigation property's own name (a schema name, possibly
//     mixed case), while lookup properties use the logical name.
//   - Deactivating a session record, and assigning a case, send If-Match: * so that a missing record
//     is reported (ErrNotFound, the platform code 0x80040217 on a 404) rather than created.
//   - CloseIncident is sent without "@odata.type" in IncidentResolution, as the reference's body shows.
//     The wording of its refusal for a case that is not active is undocumented, so after a 400 the
//     case's statecode is read: 1 is ErrAlreadyResolved, 2 (canceled) is an error saying so.
//   - contains(subject,'…') runs as SQL LIKE, so FindNote escapes % _ [ in brackets, and checks each
//     subject found for the marker exactly, since LIKE also ignores case and accents.
//   - Metadata: a table is found with EntityDefinitions?$select=…&$filter=EntitySetName eq '<set>';
//     keys are read with Consistency: Strong, as Microsoft's sample reads one; EntityKeyIndexStatus is
//     read as the enum member's name. ReactivateEntityKey is sent unbound, with its two parameters as
//     the body, and its answer is not read. A 403, or the code 0x80040220 (PrivilegeDenied), matches
//     ErrAccessDenied.
//   - Metadata creates send the properties of the documentation's examples, labels in English (1033)
//     only, RequiredLevel None, and no MSCRM.SolutionUniqueName (the default solution). A table is
//     user-owned, without activities or notes, with the entity set given as EntitySetName. A lookup
//     is created with its relationship (POST RelationshipDefinitions), naming its navigation property
//     with ReferencingEntityNavigationPropertyName; deleting the referenced record clears it
//     (RemoveLink) and nothing cascades. Booleans are labelled Yes/No, integers span Int32, dates are
//     DateAndTime, UserLocal.
//   - Session lists ask for FormattedValue annotations and return rows as the service wrote them,
//     with numbers as json.Number; "newest first" is createdon desc for a case's sessions and
//     modifiedon desc for SessionRecordsSince, whose time is sent in UTC to the second, rounded down.
package dynamics
