package rescue

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Session is one row of getSession_v3: a session that is open, or closed a short while ago.
type Session struct {
	ID                 int
	Status             SessionStatus
	StatusText         string // the status as sent, in the account's language
	TechnicianID       int
	Technician         string
	Start              time.Time // UTC; the service sends minutes only
	WaitingSeconds     int       // seconds since the last status change
	CustomFields       [6]string // Custom Field 0 (the customer's name) … 5
	Language           string    // the customer's two-letter language
	TransferredTo      string
	TransferredComment string
	IsLead             bool // the technician leads the session (the cell is a localised yes/no)
}

// Sessions lists the sessions of a technician's node (getSession_v3 with noderef NODE), including
// those closed a short while ago. getSession_v3 does not return tracking0; match a session through
// a custom field instead.
func (c *Client) Sessions(ctx context.Context, authcode string, node int) ([]Session, error) {
	const method = "getSession_v3"
	form := url.Values{"authcode": {authcode}, "node": {strconv.Itoa(node)}, "noderef": {"NODE"}}
	payload, err := c.call(ctx, method, form, retryRead)
	if err != nil {
		return nil, err
	}
	return parseSessions(payload)
}

// parseSessions reads the table after "OK": a header line, then one line per session, each cell
// followed by '|'.
func parseSessions(payload string) ([]Session, error) {
	const method = "getSession_v3"
	t, err := parseTable(payload)
	if err != nil {
		return nil, malformed(method, err.Error())
	}
	if len(t.header) == 0 {
		return nil, nil
	}
	idCol, statusCol := t.column("ID"), t.column("Status")
	if idCol < 0 || statusCol < 0 {
		return nil, malformed(method, "the table has no ID or Status column")
	}
	out := make([]Session, 0, len(t.rows))
	for _, cells := range t.rows {
		s, ok := sessionFromRow(t, cells)
		if !ok {
			return nil, malformed(method, "a session ID is not a number")
		}
		out = append(out, s)
	}
	return out, nil
}

func sessionFromRow(t *table, cells []string) (Session, bool) {
	cell := func(names ...string) string { return t.cell(cells, names...) }
	id, ok := parseInt(cell("ID"))
	if !ok {
		return Session{}, false
	}
	s := Session{
		ID:                 id,
		StatusText:         cell("Status"),
		Technician:         cell("Technician"),
		Start:              parseUSTime(cell("Start Time")),
		Language:           cell("Language"),
		TransferredTo:      cell("Transferred To"),
		TransferredComment: cell("Transferred Comment"),
		IsLead:             parseYes(cell("Is Lead Technician", "IsLead")),
	}
	s.Status = ParseSessionStatus(s.StatusText)
	s.TechnicianID, _ = parseInt(cell("Technician ID"))
	s.WaitingSeconds, _ = parseInt(cell("Waiting Time"))
	for i := range s.CustomFields {
		s.CustomFields[i] = cell("Custom Field " + strconv.Itoa(i))
	}
	return s, true
}

// usTimeLayouts are the US forms the service writes times in: "6/18/2024 12:49 AM" in session
// tables, with seconds in reports, and the 24-hour forms for safety.
var usTimeLayouts = []string{
	"1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM", "1/2/2006 15:04", "1/2/2006 15:04:05",
}

// parseUSTime reads a US date and time as UTC; the zero time when it does not parse.
func parseUSTime(s string) time.Time {
	s = strings.Join(strings.Fields(s), " ")
	for _, layout := range usTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t
		}
	}
	return time.Time{}
}

// table is a pipe-delimited table: a header and rows with one cell per header column.
type table struct {
	header []string
	rows   [][]string
	index  map[string]int // folded header name -> first column with it
}

// column returns the first column whose header is one of names (ignoring case and spacing), or -1.
func (t *table) column(names ...string) int {
	for _, n := range names {
		if i, ok := t.index[headerKey(n)]; ok {
			return i
		}
	}
	return -1
}

func (t *table) cell(cells []string, names ...string) string {
	if i := t.column(names...); i >= 0 {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

func headerKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// tableError is a reason a table could not be read.
type tableError string

func (e tableError) Error() string { return string(e) }

// parseTable reads a header line and row lines. The service escapes nothing, so a cell may hold the
// delimiter or a line break. A row with too few cells is joined with the next line (a line break in a
// cell). A row with too many has a '|' in a free-text cell: the extra cells go to the first custom
// field (see freeColumn), joined with '|' again.
func parseTable(payload string) (*table, error) {
	all := lines(payload)
	for len(all) > 0 && strings.TrimSpace(all[len(all)-1]) == "" {
		all = all[:len(all)-1] // the line end after the last row, not a line of a cell
	}
	t := &table{index: map[string]int{}}
	i := 0
	for i < len(all) && strings.TrimSpace(all[i]) == "" {
		i++
	}
	if i == len(all) {
		return t, nil
	}
	t.header = splitCells(all[i])
	for k, h := range t.header {
		t.header[k] = strings.TrimSpace(h)
		if _, dup := t.index[headerKey(h)]; !dup {
			t.index[headerKey(h)] = k
		}
	}
	free := t.freeColumn()
	var pending []string // the lines of the row being read
	pipes := 0           // the '|' in them, counted as they come so that a long row costs no more
	for _, l := range all[i+1:] {
		if len(pending) == 0 && strings.TrimSpace(l) == "" {
			continue
		}
		pending = append(pending, l)
		pipes += strings.Count(l, "|")
		cells := pipes + 1
		if strings.HasSuffix(l, "|") {
			cells-- // the '|' that ends a row
		}
		if cells < len(t.header) {
			continue
		}
		row, ok := fitRow(splitCells(strings.Join(pending, "\n")), len(t.header), free)
		if !ok {
			return nil, tableError("a row has more cells than the header and no free-text column")
		}
		t.rows = append(t.rows, row)
		pending, pipes = pending[:0], 0
	}
	if len(pending) > 0 {
		return nil, tableError("a row has fewer cells than the header")
	}
	return t, nil
}

// splitCells splits a line on '|', dropping the one that ends it.
func splitCells(l string) []string {
	l = strings.TrimSuffix(l, "|")
	return strings.Split(l, "|")
}

// freeColumn is the first custom-field column (Custom Field 0, the customer's name as people typed
// it), where an unescaped '|' is most likely; -1 when the table has none.
func (t *table) freeColumn() int {
	for k, h := range t.header {
		if strings.HasPrefix(headerKey(h), "custom field") {
			return k
		}
	}
	return -1
}

// fitRow maps cells onto n columns, folding extra cells into the free column, so that the columns
// before it are read from the left and those after it from the right.
func fitRow(cells []string, n, free int) ([]string, bool) {
	if len(cells) == n {
		return cells, true
	}
	if free < 0 {
		return nil, false
	}
	extra := len(cells) - n
	row := make([]string, 0, n)
	row = append(row, cells[:free]...)
	row = append(row, strings.Join(cells[free:free+extra+1], "|"))
	row = append(row, cells[free+extra+1:]...)
	return row, true
}
