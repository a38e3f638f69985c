// Package dynamics is the app's client of the Dataverse Web API (OData v4, v9.2) of a Dynamics 365
// organisation: who the signed-in user is (WhoAmI), their open cases, and a link to a case in the
// Dynamics UI.
//
// Every request carries the headers the Web API asks for, a bearer token from a TokenSource, and goes
// through one retry policy:
//
//   - 401: the token is refreshed once and the request sent again; a second 401 is ErrSignInRequired.
//   - 429 (service protection): the client waits Retry-After (seconds or an HTTP date, capped at
//     Options.MaxWait), tells Options.OnWait first so the UI can say so, and tries again a few times.
//     The wait ends at once when the context is cancelled.
//   - 5xx, timeouts and dropped connections: GETs are tried again with exponential backoff and jitter,
//     at most four attempts in all. Other methods are not, since the server may have acted on them.
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
package dynamics
