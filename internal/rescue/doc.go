// Package rescue is the app's client of the LogMeIn Rescue API: authcodes, the technician's account
// and status, PIN codes, the session list, notes, chat logs and the Session report.
//
// Every method is an HTTP form POST (application/x-www-form-urlencoded) to <endpoint>/<method>.aspx,
// with every parameter, the authcode and passwords included, in the body and never in the URL. The
// endpoint must be https, except on a loopback host. Replies are text with HTTP 200, business errors
// included; the first word is the status token. A token other than OK is an *Error with that Code,
// a 200 body that cannot be read is ErrMalformed, another HTTP status is an *HTTPError, and a reply
// that never came is ErrUnreachable. MayHaveReached tells the caller whether a failed request may
// have been applied all the same, so that a lost reply never yields a second PIN.
//
// Retries: requestPINCode, requestAuthCode and requestAuthCodeSSO are never sent twice by the client.
// Read methods (getAccount, getUser_v3, getSession_v3, getNote, getChat and the report sequence)
// wait out HTTP 429 (Retry-After in seconds or as a date, capped by Options.MaxWait, 1 s when absent)
// up to three times, telling Options.OnWait first, and are sent once more after a transport failure.
// A business error is never retried.
//
// Errors never carry the authcode, a password or the request body, and the package logs nothing.
//
// # Choices where the references are unconfirmed
//
//   - Parameters are sent in url.Values order (sorted by name), percent-encoded as Go's
//     url.QueryEscape does: a space is '+', "é" is %C3%A9, an apostrophe %27.
//   - A status token is upper-case letters, digits and '_'; any other first word (an HTML page from
//     a proxy, an empty body) is ErrMalformed rather than an *Error.
//   - "OK PINCODE:…": the PIN is read after the PINCODE label, up to six digits, left-padded with
//     zeros. "OK AUTHCODE: …": the code after the label, which must be printable ASCII.
//   - getAccount (v1 text) and getUser_v3 are read by their known labels, each counting only the first
//     time it starts a word, so that values (a name, a description) may hold spaces.
//   - getSession_v3: columns are found by header name, ignoring case; "Is Lead Technician" or
//     "IsLead". Start Time is read as UTC, in "M/D/YYYY h:mm AM" (seconds and 24-hour forms are also
//     accepted). Cells are not escaped by the service: a row with too few cells continues on the next
//     line (a line break in a cell); a row with too many has a '|' in a free-text cell, and the extra
//     cells are folded into Custom Field 0 (the customer's name, typed by people), so that the
//     columns before it and the other custom fields, the app's correlation field among them, stay
//     right.
//   - Session status texts are compared ignoring case, accents and punctuation against the English
//     list of the API guide, the sandbox's French list (with masculine forms), the Portuguese sample
//     "Encerrado pelo cliente ativo" and its obvious siblings, and the SOAP bStatus names; anything
//     else is StatusUnknown with StatusText kept. Transferred is not a final status: the session goes
//     on with another technician. Yes/no cells: yes, oui, sim, ja, si (and true, 1) are true.
//   - getNote: "OK NOTE:<text>", possibly over several lines; CRLF becomes "\n", and white space
//     around the note is dropped. A bare "OK" is an empty note.
//   - getChat: an optional "CHATLOG:" (or "CHAT:") label, then one message per line,
//     "[h:mm:ss AM] Name: text". The time stamp is kept as sent. A line without a stamp continues the
//     message before it.
//   - The report's settings are kept per user on the service, so a Client runs one report sequence
//     at a time. The window is sent as whole seconds, from rounded down and to rounded up (the
//     service includes both ends), and the rows are then cut to [from, to) by their Start Time.
//   - getReport_v2: "OK", a blank line, then XML with any root element; an empty payload is no rows.
//     The custom fields are the six columns after Status, by position, since their headers carry the
//     account's labels; the other typed columns are found by name outside those six. Durations are
//     H:MM:SS; times are read as UTC (the sequence sets time zone 0). "Resolved Unresolved" is
//     resolved for Resolved, Résolue/Résolu and Resolvido/Resolvida.
//   - Truncation to the field limits keeps, besides whole characters, a letter with its combining
//     marks and emoji sequences (joiners, modifiers, flags) together where it can.
//   - A caller's context that ends is reported as its own error (context.Canceled or
//     DeadlineExceeded), not as ErrUnreachable; MayHaveReached still says whether it ended after the
//     request was written. 5xx replies are not retried: the Rescue service reports its own failures as
//     ERROR with HTTP 200, so a 5xx comes from something in front of it.
package rescue
