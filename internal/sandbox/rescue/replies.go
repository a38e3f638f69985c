package rescue

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Status tokens: the first word of every reply.
const (
	tokOK                    = "OK"
	tokError                 = "ERROR"
	tokInvalid               = "INVALID"
	tokNotLoggedIn           = "NOTLOGGEDIN"
	tokNotTechnician         = "NOTTECHNICIAN"
	tokNoTechConsoleRunning  = "NOTECHCONSOLERUNNING"
	tokOutOfPINCodes         = "OUTOFPINCODES"
	tokPollRateExceeded      = "POLLRATEEXCEEDED"
	tokInvalidSecretAuthCode = "INVALID_SECRETAUTHCODE"
	tokUserIsDeleted         = "USER_IS_DELETED"
	tokUserDeletedOrDisabled = "USER_DELETED_OR_DISABLED"
	tokInvalidParamCompany   = "INVALIDPARAM_COMPANY"
	tokInvalidParamNode      = "INVALIDPARAM_NODE"
	tokInvalidParamSession   = "INVALIDPARAM_SESSION"
	tokInvalidFormat         = "INVALIDFORMAT"
	tokInvalidDateRange      = "INVALIDDATERANGE"
)

// lineEnd ends every line of a table or report. The C8 sample and C2's split on "\n\n" both show LF.
const lineEnd = "\n"

// organizationName is the company's name as getAccount shows it; the seed does not carry one.
const organizationName = "Contoso Helpdesk"

func replyAuthCode(code string) string { return "OK AUTHCODE: " + code }

func replyPIN(pin string) string { return "OK PINCODE:" + pin }

func replyNote(note string) string { return "OK NOTE:" + note }

// replyChat puts each chat line on its own line after the status line.
func replyChat(lines []ChatLine) string {
	var b strings.Builder
	b.WriteString("OK CHATLOG:")
	for _, l := range lines {
		b.WriteString(lineEnd)
		b.WriteString(l.String())
	}
	return b.String()
}

func replyAccount(accountID int, org string, t *technician) string {
	techID := t.RescueNodeID
	if t.state == UserNotTechnician {
		techID = 0 // D10: TechID is 0 for a user without a technician seat
	}
	return fmt.Sprintf("OK AccountID:%d Organization:%s AdminID:0 TechID:%d Email:%s",
		accountID, org, techID, t.Email)
}

// replyUser renders getUser(_v3). An empty value leaves its label bare ("NICK: EMAIL: …").
func replyUser(t *technician, status string, v3 bool) string {
	kind := "Technician"
	if t.state == UserNotTechnician {
		kind = "Administrator"
	}
	pairs := [][2]string{
		{"NODEID", strconv.Itoa(t.RescueNodeID)},
		{"NAME", t.Name},
		{"NICK", ""},
		{"EMAIL", t.Email},
		{"SSOID", t.SSOID},
		{"DESCRIPTION", t.Description},
		{"TYPE", kind},
		{"HASMOBILEADDON", "False"},
	}
	if v3 {
		pairs = append(pairs, [2]string{"HASRPATADDON", "True"})
	}
	pairs = append(pairs, [2]string{"ISACCOUNTHOLDER", "False"}, [2]string{"STATUS", status})
	parts := []string{tokOK}
	for _, kv := range pairs {
		if kv[1] == "" {
			parts = append(parts, kv[0]+":")
		} else {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// replyTable is "OK", a blank line, then the header and rows, each cell followed by '|'. Cells are
// not escaped: the real service does not escape its delimiter either (C2).
func replyTable(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(tokOK + lineEnd + lineEnd)
	writeDelimited(&b, header, "|")
	for _, r := range rows {
		writeDelimited(&b, r, "|")
	}
	return b.String()
}

// replyHierarchy is "OK", a blank line, then each node as "Key:Value" lines (no space after the
// colon, as D12 shows them) followed by a blank line, so that the text ends with a node separator as
// C2's split("\n\n")[1:-1] expects. An empty value leaves its label bare ("Email:"); the root's
// ParentID is empty.
func replyHierarchy(nodes []hierarchyNode) string {
	var b strings.Builder
	b.WriteString(tokOK + lineEnd + lineEnd)
	for _, n := range nodes {
		parent := ""
		if n.parent != 0 {
			parent = strconv.Itoa(n.parent)
		}
		for _, kv := range [][2]string{
			{"NodeID", strconv.Itoa(n.id)},
			{"ParentID", parent},
			{"Name", n.name},
			{"Email", n.email},
			{"Description", n.description},
			{"Status", n.status},
			{"Type", n.kind},
		} {
			b.WriteString(kv[0] + ":" + kv[1] + lineEnd)
		}
		b.WriteString(lineEnd)
	}
	return b.String()
}

func writeDelimited(b *strings.Builder, cells []string, delim string) {
	for _, c := range cells {
		b.WriteString(c)
		b.WriteString(delim)
	}
	b.WriteString(lineEnd)
}

// sessionColumns are getSession_v3's columns (D14).
var sessionColumns = []string{
	"ID", "Status", "Entry ID", "Entry", "Technician ID", "Technician", "Start Time", "Waiting Time",
	"Custom Field 0", "Custom Field 1", "Custom Field 2", "Custom Field 3", "Custom Field 4", "Custom Field 5",
	"Language", "Transferred To", "Transferred Comment", "Is Lead Technician", "HandingOff",
}

// sessionRow is one getSession_v3 row in the caller's language, on the node of the technician who
// has the session now. A PIN session has no entry (channel); that technician is its lead;
// HandingOff stays empty, as in the C8 sample.
func sessionRow(ss *session, now time.Time, lang string) []string {
	return tableRow(ss, ss.tech, statusText(lang, ss.status()), now.Sub(ss.statusAt), "", "", yesNo(lang, true))
}

// transferredRow is the row a session leaves on the node of a technician who handed it over: their
// name, Transferred, the receiving technician's name and the comment. They no longer lead it.
func transferredRow(ss *session, tr transfer, now time.Time, lang string) []string {
	return tableRow(ss, tr.from, statusText(lang, tr.status()), now.Sub(tr.at), tr.to.Name, tr.comment,
		yesNo(lang, false))
}

func tableRow(ss *session, t *technician, status string, waited time.Duration, transferredTo, comment,
	lead string,
) []string {
	row := []string{
		strconv.Itoa(ss.id), status, "", "", strconv.Itoa(t.RescueNodeID), t.Name,
		ss.started.UTC().Format(sessionTimeLayout), strconv.Itoa(int(max(waited, 0) / time.Second)),
	}
	row = append(row, ss.fields[:]...)
	return append(row, ss.language, transferredTo, comment, lead, "")
}

// Time layouts: US formats, as the real service writes them.
const (
	sessionTimeLayout = "1/2/2006 3:04 PM"    // getSession_v3 Start Time
	reportTimeLayout  = "1/2/2006 3:04:05 PM" // getReport_v2 times
	chatTimeLayout    = "3:04:05 PM"          // getChat line stamps
)

// formatDuration is H:MM:SS, hours unpadded and unbounded.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int64(d / time.Second)
	return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}

// statusTexts are the localised status texts. English comes from D14's list; French is what a French
// Rescue account plausibly shows (feminine, agreeing with "session").
var statusTexts = map[string]map[Status]string{
	"en": {
		StatusConnecting:               "Connecting",
		StatusWaiting:                  "Waiting",
		StatusActive:                   "Active",
		StatusClosedByTechnician:       "Closed by technician",
		StatusClosedByCustomer:         "Closed by customer",
		StatusClosedByWaitingCustomer:  "Closed by waiting customer",
		StatusClosedByActiveCustomer:   "Closed by active customer",
		StatusTimedOut:                 "Timed out",
		StatusTimedOutByTechnician:     "Timed out: closed by technician",
		StatusDisconnected:             "Disconnected",
		StatusOnHold:                   "On Hold",
		StatusTransferred:              "Transferred",
		StatusTransferredWithoutPickup: "Transferred",
	},
	"fr": {
		StatusConnecting:               "Connexion en cours",
		StatusWaiting:                  "En attente",
		StatusActive:                   "Active",
		StatusClosedByTechnician:       "Fermée par le technicien",
		StatusClosedByCustomer:         "Fermée par le client",
		StatusClosedByWaitingCustomer:  "Fermée par le client en attente",
		StatusClosedByActiveCustomer:   "Fermée par le client actif",
		StatusTimedOut:                 "Expirée",
		StatusTimedOutByTechnician:     "Expirée : fermée par le technicien",
		StatusDisconnected:             "Déconnectée",
		StatusOnHold:                   "En pause",
		StatusTransferred:              "Transférée",
		StatusTransferredWithoutPickup: "Transférée",
	},
}

func statusText(lang string, st Status) string {
	if t, ok := statusTexts[lang][st]; ok {
		return t
	}
	return statusTexts["en"][st]
}

func yesNo(lang string, v bool) string {
	switch {
	case lang == "fr" && v:
		return "oui"
	case lang == "fr":
		return "non"
	case v:
		return "yes"
	}
	return "no"
}

func resolvedText(lang string, resolved bool) string {
	switch {
	case lang == "fr" && resolved:
		return "Résolue"
	case lang == "fr":
		return "Non résolue"
	case resolved:
		return "Resolved"
	}
	return "Unresolved"
}

func writeText(w http.ResponseWriter, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "private")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
}

func writeStatus(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, http.StatusText(code))
}

// writeNotFound answers an unknown page the way ASP.NET does: 404 with its HTML error page.
func writeNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = fmt.Fprint(w, "<html><head><title>The resource cannot be found.</title></head><body>"+
		"<h1>Server Error in '/' Application.</h1><h2><i>The resource cannot be found.</i></h2>"+
		"<b>HTTP 404.</b></body></html>")
}
