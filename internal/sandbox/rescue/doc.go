// Package rescue is a faithful fake of the LogMeIn Rescue HTTP API, together with a simulated
// Technician Console for each technician and a simulated customer on the other end of each PIN.
//
// It serves /API/<method>.aspx with GET (query string) or POST (application/x-www-form-urlencoded),
// with the same parameter names. Method names and parameter names ignore case, as ASP.NET does, and
// an unknown method answers 404. Replies are text/plain; charset=utf-8 with HTTP 200, business
// errors included, and start with the status token (OK, INVALID, NOTECHCONSOLERUNNING, …) in the
// exact forms the API guide shows: "OK AUTHCODE: <code>", "OK PINCODE:012345", "OK\n\n<table>".
//
// Methods: requestAuthCode, requestAuthCodeSSO, getAccount, getUser, getUser_v3, requestPINCode,
// getSession_v3, getNote, getChat, setReportArea, setReportArea_v8, setReportDate,
// setReportDate_v2, setReportTime, setTimezone, setOutput, setDelimiter, getReport_v2.
//
// The simulation is computed lazily from the injected clock: no goroutine runs. A PIN session moves
// Connecting (the customer entered the PIN and downloads the applet) → Waiting → Active (picked up)
// → Closed (closed by the technician), one Options.Pace per stage, or at once through Advance and
// CloseSession. A waiting session is not picked up while its technician's console is closed. While
// a session is active the technician and the customer chat (in French for a French technician) and
// the technician writes a note; a closed session yields a getReport_v2 row. New also seeds finished
// sessions of the past week (Options.NoHistory leaves them out). Consoles start running for every
// technician but priya.
//
// The control surface is Go: SetConsole, SetAway, SetUserState, SetPINsLeft, FailNext, Advance,
// CloseSession, Sessions, Session, SessionByPIN. Authcodes are never logged; nothing is.
//
// # Choices where the references are unconfirmed
//
//   - Line endings: "\n" everywhere (the C8 sample and C2's split on "\n\n" both imply LF); every
//     table and report line, the last one included, ends with it. Cells are not escaped.
//   - Parameters: the query string wins over the form when both carry a name (ASP.NET's
//     Request[name]); repeated names join with commas; decoding is lenient (bad escapes kept,
//     %uXXXX accepted, bad UTF-8 becomes U+FFFD). Multipart bodies are ignored. Integers are read as
//     .NET's int.Parse reads them (spaces, sign, 32-bit range).
//   - 404 for an unknown method carries ASP.NET's HTML "resource cannot be found" page; a verb other
//     than GET or POST answers 405.
//   - requestAuthCode and requestAuthCodeSSO answer INVALID for a disabled or deleted user and for
//     missing parameters; INVALIDPARAM_COMPANY only when company is not a 32-bit integer. Authcodes
//     are 40 random characters [a-z0-9].
//   - getAccount: AccountID is the company ID, Organization "Contoso Helpdesk", AdminID 0 (no
//     technician is an administrator).
//   - getUser_v3: an empty value leaves its label bare, with single spaces ("NICK: EMAIL: …").
//     NICK is always empty. STATUS is Offline with the console closed, else Busy with an active
//     session, else Away if set, else Online; Disabled for a disabled user. An unknown or deleted
//     node or e-mail, or neither given, is INVALIDPARAM_NODE; node wins over email. Any technician
//     of the company may be looked up, and the same goes for sessions, notes, chats and reports.
//   - requestPINCode: cfield0..5 and tracking0 beyond their maximum lengths are silently truncated,
//     counting .NET characters (UTF-16 code units) and never splitting a surrogate pair.
//     notechconsole=1 or "true" lifts the console requirement; any other value keeps it. Checks run
//     in this order: authcode, user state, rate limit, console, PINs left. Every authenticated
//     request from a technician seat counts for the one-per-PINInterval limit, NOTECHCONSOLERUNNING
//     ones included, but a POLLRATEEXCEEDED answer does not restart the interval.
//   - PINs come from a generator seeded by Options.Seed; the first PIN of a fresh server is below
//     100000 (a leading zero). A PIN is not reused while its session is open. Session IDs are
//     increasing 10-digit integers below 2^31 with random gaps.
//   - getSession_v3: Start Time is UTC in "M/D/YYYY h:mm AM"; Waiting Time counts whole seconds
//     since the last status change; Entry ID and Entry are empty for PIN sessions; Language is the
//     customer's (the technician's language in the simulation); Is Lead Technician is yes/oui and
//     HandingOff empty, as in the C8 sample. A closed session stays listed for
//     Options.ClosedRetention (default 20 minutes). noderef other than NODE (no channels exist)
//     answers INVALIDPARAM_NODE.
//   - Localised texts follow the calling user's language. French statuses: Connexion en cours,
//     En attente, Active, Fermée par le technicien, Fermée par le client, Fermée par le client en
//     attente, Fermée par le client actif, Expirée, Expirée : fermée par le technicien, Déconnectée;
//     yes/no are oui/non; Resolved/Unresolved are Résolue/Non résolue. English statuses are D14's.
//   - getNote: "OK NOTE:<text>", the text possibly multi-line with CRLF (typed in a Windows text
//     box); an unknown session is INVALIDPARAM_SESSION. The note appears 60 % into the active span,
//     or when the technician closes the session earlier.
//   - getChat: "OK CHATLOG:" then each line on its own line, "[h:mm:ss AM] Name: text" in UTC, no
//     trailing line end; an unknown session is ERROR (as C3 saw).
//   - Report settings are kept per user (per authcode's technician) and survive a new authcode.
//     Defaults: area 0, TEXT, delimiter "|", time zone 0, the current day. Bad values for
//     setReportArea, setTimezone (−720 to +840 minutes), setOutput, setDelimiter (empty) and the
//     date and time setters answer INVALIDFORMAT; an end before the start answers INVALIDDATERANGE.
//     setReportDate_v2 accepts M/D/YYYY with an optional H:MM[:SS] (24-hour, or 12-hour with
//     AM/PM); a date alone means midnight. setReportDate (v1) takes the same and reads an end date
//     without a time as the end of that day. The dates are read in the report's time zone when the
//     report runs.
//   - getReport_v2: "OK", a blank line, then the payload. XML is one line with root <report>, no
//     XML declaration, every field of every row present (empty ones as <field id="N"></field>).
//     TEXT is the header and the rows, each cell followed by the delimiter. Only area 0 (Session)
//     has columns; other areas come back empty. Node and nodetype: a technician's node with NODE
//     (default) or any node with EXTERNALROOT (the whole account); anything else INVALIDPARAM_NODE.
//     Rows are closed sessions whose start falls in the window, oldest first, times in the set zone
//     as "M/D/YYYY h:mm:ss AM", durations H:MM:SS. The custom-field headers carry the account's
//     labels ("Customer name:", "E-mail:", "Problem description:", "Phone:", "Company:",
//     "Reference:"); Session Type is "PIN Code"; Work Time equals Active Time; Channel ID and Name
//     are empty; "Host Name" and "Technician Group" come last.
//   - Report rate limit: a second served report within ReportInterval answers POLLRATEEXCEEDED with
//     HTTP 200 (C2 saw HTTP 429 from the real service; the fault injector in front of this fake
//     produces that). Only a served report starts the interval.
//   - FailNext makes methods answer ERROR, the documented "unspecified error".
package rescue
