// Package rescue is a faithful fake of the LogMeIn Rescue HTTP API, together with a simulated
// Technician Console for each technician and a simulated customer on the other end of each PIN.
//
// It serves /API/<method>.aspx with GET (query string) or POST (application/x-www-form-urlencoded),
// with the same parameter names. Method names and parameter names ignore case, as ASP.NET does, and
// an unknown method answers 404. Replies are text/plain; charset=utf-8 with HTTP 200, business
// errors included, and start with the status token (OK, INVALID, NOTECHCONSOLERUNNING, …) in the
// exact forms the API guide shows: "OK AUTHCODE: <code>", "OK PINCODE:012345", "OK\n\n<table>".
//
// Methods: requestAuthCode, requestAuthCodeSSO, getAccount, getUser, getUser_v3, getHierarchy_v2,
// requestPINCode, getSession_v3, getNote, getChat, setReportArea, setReportArea_v8, setReportDate,
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
// Three situations leave that path. The customer of a PIN may never enter it (AbandonNext): the
// session stays Connecting until the PIN expires, then times out. A waiting or active session may be
// transferred to another technician (Transfer): it leaves a Transferred row on the first
// technician's node and goes on, Waiting then Active then Closed, on the second's. An active session
// may be put on hold (Hold), and closes from there when its time comes.
//
// The control surface is Go: SetConsole, SetAway, SetUserState, SetPINsLeft, FailNext, Advance,
// CloseSession, AbandonNext, Transfer, Hold, Sessions, Session, SessionByPIN. Authcodes are never
// logged; nothing is.
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
//   - getHierarchy_v2: "OK", a blank line, then each node as seven "Key:Value" lines (NodeID,
//     ParentID, Name, Email, Description, Status, Type) and a blank line after the node, the last
//     one included, so the text ends "\n\n" as C2's split("\n\n")[1:-1] expects. No space after the
//     colon (D12's sample writes "NodeID:337364 … Email: Description:", and C2 compares Type with
//     "Technician" unstripped); an empty value leaves its label bare; nothing is escaped. The tree,
//     parents before children, in seed order: Root 4310001 "Contoso Helpdesk" (ParentID empty),
//     under it Masteradministrators 4310002 "Master Administrators" and Administrators 4310003 (the
//     seed has no administrator), Technicians 4310004, and under that the TechnicianGroup 4310010
//     "Helpdesk" holding the technicians. A user without a technician seat is listed as an
//     Administrator under Administrators (as getUser types them); a deleted user is not listed. A
//     user's Status is getUser_v3's STATUS; every other node is Offline, as D12's sample shows a
//     group. Texts are not translated. isnode and filteroffline are true when they read "true" in
//     any case (spaces trimmed), false otherwise; node counts only with isnode=true, and then must
//     be a listed node or the answer is INVALIDPARAM_NODE; the reply is that node and everything
//     under it. filteroffline drops technicians whose Status is Offline (not Disabled ones), never
//     other nodes; an offline technician's own node then yields "OK\n\n".
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
//   - PIN lifetime: Options.PINValidity, default 20 minutes from issue (C6's assumption). Only the
//     session of an abandoned PIN (AbandonNext) expires: it is listed Connecting, as every PIN
//     session is from issue in this fake, then closes at expiry as SESSION_WAITINGTIMEOUT_NOTPICKEDUP
//     ("Timed out", "Expirée"), whatever the pace. Its report row has Connecting Time only: no
//     chat, no note, no active time, Unresolved.
//   - Transfer: the session keeps its ID. The original node lists a row with that technician's name
//     and ID, status "Transferred" ("Transférée"), Transferred To = the receiving technician's name,
//     Transferred Comment = the comment as typed (not escaped, like every cell), Is Lead Technician
//     no/non, Waiting Time counted from the transfer, for ClosedRetention after the transfer. Its
//     bStatus is SESSION_CLOSED_TRANSFERREDANOTHERTECH when that technician had picked the session up
//     and SESSION_CLOSED_TRANSFERREDANOTHERTECH_WITHOUTPICKUP when it was still waiting: their part
//     of the session ends at the transfer. SESSION_TRANSFERINGBUTNOTPICKEDUP ("Transferring") is not
//     produced: the receiving node lists the session Waiting, as its console's queue shows it, with
//     Transferred To and Transferred Comment empty. A session can be transferred again, back to a
//     former technician too; each hand-over leaves its own row. Presence Busy follows whoever has
//     the session active. The transfer ends a hold.
//   - Chat and note across a transfer: what was said and written before it stays; the receiving
//     technician greets the customer and runs the usual conversation from their pickup, in their
//     language. Their note replaces the earlier technician's once written.
//   - Report row of a transferred session: one row, naming the technician who had it at the close
//     (the NODE scope follows that technician). Time in Transfer runs from each transfer to the
//     receiving technician's pickup; Waiting Time counts the first queue only.
//   - On hold: "On Hold" (D14), French "En pause" (the natural word, and "En attente" already means
//     Waiting); bStatus SESSION_ONHOLD. While on hold nothing is said or written; taking the session
//     back delays what remained by the length of the hold, but not the pace's close. Hold Time is in
//     the report; Active Time (and Work Time) leave it out, so Total Time = Connecting + Waiting +
//     Active + Hold + Transfer. A session closed from hold keeps nothing said after the hold began.
package rescue
