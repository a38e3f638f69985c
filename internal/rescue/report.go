package rescue

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ReportRow is one session of the Session report (area 0), with the columns the app uses typed and
// every column kept as sent in Columns.
type ReportRow struct {
	SessionID       int
	TechnicianID    int
	TechnicianName  string
	TechnicianEmail string
	Start, End      time.Time // UTC; zero when the cell does not parse
	Status          SessionStatus
	StatusText      string // as sent, in the account's language
	Resolved        bool   // "Resolved Unresolved" says resolved
	ResolvedText    string // as sent
	ToolsUsed       string // "Incident Tools Used" as sent, e.g. "Chat, Remote Control"
	Platform        string
	WaitingTime     time.Duration
	ActiveTime      time.Duration
	TotalTime       time.Duration
	TrackingID      string // tracking0 of the PIN request

	// CustomFields are cfield0 (the customer's name, the report's "Name" column) to cfield5, by
	// position: their headers carry the account's labels, which CustomFieldLabels keeps.
	CustomFields      [6]string
	CustomFieldLabels [6]string

	// Columns holds every cell by its header; where two headers are the same, the first wins.
	Columns map[string]string
}

// Name is the customer's name: custom field 0.
func (r ReportRow) Name() string { return r.CustomFields[0] }

// reportSpan is how far back a report window may reach: the service's settings hold a date, and a
// window this long is already far more than one report should carry.
const reportSpan = 366 * 24 * time.Hour

// SessionReport runs the report sequence for the Session area (setReportArea 0, setReportDate_v2,
// setTimezone 0, setOutput XML, getReport_v2 with the node and nodetype NODE) and returns the sessions
// of the technician's node that started in [from, to), in the service's order. The service allows one
// report a minute per user: a second one answers POLLRATEEXCEEDED. Sequences from one Client run one
// at a time, since the service keeps the settings per user. A window that is empty or longer than a
// year is refused without a call.
func (c *Client) SessionReport(ctx context.Context, authcode string, node int, from, to time.Time) ([]ReportRow, error) {
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) || to.Sub(from) > reportSpan {
		return nil, fmt.Errorf("rescue: report window %s to %s is empty or longer than a year",
			from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	c.reportMu.Lock()
	defer c.reportMu.Unlock()
	bdate, edate := serviceWindow(from, to)
	steps := []struct {
		method string
		form   url.Values
	}{
		{"setReportArea", url.Values{"area": {"0"}}},
		{"setReportDate_v2", url.Values{"bdate": {formatReportDate(bdate)}, "edate": {formatReportDate(edate)}}},
		{"setTimezone", url.Values{"timezone": {"0"}}},
		{"setOutput", url.Values{"output": {"XML"}}},
	}
	for _, s := range steps {
		s.form.Set("authcode", authcode)
		if _, err := c.call(ctx, s.method, s.form, retryRead); err != nil {
			return nil, err
		}
	}
	form := url.Values{"authcode": {authcode}, "node": {strconv.Itoa(node)}, "nodetype": {"NODE"}}
	payload, err := c.call(ctx, "getReport_v2", form, retryRead)
	if err != nil {
		return nil, err
	}
	rows, err := parseReport(payload)
	if err != nil {
		return nil, err
	}
	return inWindow(rows, bdate, to), nil
}

// serviceWindow is the window to ask the service for: whole seconds, both ends included, wide enough
// to hold [from, to). The rows are cut to [from, to) afterwards.
func serviceWindow(from, to time.Time) (bdate, edate time.Time) {
	return from.Truncate(time.Second), to.Add(time.Second - 1).Truncate(time.Second)
}

// formatReportDate writes M/D/YYYY H:MM:SS, the form setReportDate_v2 takes.
func formatReportDate(t time.Time) string {
	return fmt.Sprintf("%d/%d/%04d %d:%02d:%02d", t.Month(), t.Day(), t.Year(), t.Hour(), t.Minute(), t.Second())
}

// inWindow keeps the rows that started in [from, to). A row whose start did not parse is kept: it is
// better shown than lost.
func inWindow(rows []ReportRow, from, to time.Time) []ReportRow {
	out := rows[:0]
	for _, r := range rows {
		if r.Start.IsZero() || (!r.Start.Before(from) && r.Start.Before(to)) {
			out = append(out, r)
		}
	}
	return out
}

// xmlReport is getReport_v2's XML payload, whatever its root element is called.
type xmlReport struct {
	Header []xmlField `xml:"header>field"`
	Rows   []xmlRow   `xml:"data>row"`
}

type xmlRow struct {
	Fields []xmlField `xml:"field"`
}

type xmlField struct {
	ID    string `xml:"id,attr"`
	Value string `xml:",chardata"`
}

// parseReport reads getReport_v2's XML payload and joins each row's fields to the header by id.
func parseReport(payload string) ([]ReportRow, error) {
	const method = "getReport_v2"
	payload = strings.TrimSpace(payload)
	if payload == "" {
		return nil, nil
	}
	if !strings.HasPrefix(payload, "<") {
		return nil, malformed(method, "the report is not XML")
	}
	var doc xmlReport
	if err := xml.Unmarshal([]byte(payload), &doc); err != nil {
		return nil, malformed(method, "the report XML does not parse")
	}
	header, byID, err := reportHeader(doc.Header)
	if err != nil {
		return nil, malformed(method, err.Error())
	}
	layout := newReportLayout(header)
	out := make([]ReportRow, 0, len(doc.Rows))
	for _, xr := range doc.Rows {
		cells := make([]string, len(header))
		for _, f := range xr.Fields {
			if k, ok := byID[strings.TrimSpace(f.ID)]; ok {
				cells[k] = f.Value
			}
		}
		row, err := layout.row(cells)
		if err != nil {
			return nil, malformed(method, err.Error())
		}
		out = append(out, row)
	}
	return out, nil
}

// reportHeader lists the header's names in document order, with a map from field id to position.
func reportHeader(fields []xmlField) ([]string, map[string]int, error) {
	header := make([]string, len(fields))
	byID := make(map[string]int, len(fields))
	for k, f := range fields {
		id := strings.TrimSpace(f.ID)
		if _, dup := byID[id]; dup || id == "" {
			return nil, nil, errors.New("the report header has a missing or repeated field id")
		}
		byID[id] = k
		header[k] = strings.TrimSpace(f.Value)
	}
	return header, byID, nil
}

// reportLayout finds the report's columns. The custom fields are found by position, the six columns
// after Status (D15: "…|Status|Name|Custom field 1|…|Custom field 5|Tracking ID|…"), because their
// headers carry the account's labels; the other columns by name, outside those six, so that a label
// such as "Status" cannot shadow the real column.
type reportLayout struct {
	header  []string
	custom  int // the first custom-field column, or -1
	columns map[string]int
}

func newReportLayout(header []string) *reportLayout {
	l := &reportLayout{header: header, custom: -1, columns: map[string]int{}}
	for k, h := range header {
		if headerKey(h) == "status" {
			if k+6 < len(header) {
				l.custom = k + 1
			}
			break
		}
	}
	for k, h := range header {
		if l.isCustom(k) {
			continue
		}
		if _, dup := l.columns[headerKey(h)]; !dup {
			l.columns[headerKey(h)] = k
		}
	}
	return l
}

func (l *reportLayout) isCustom(k int) bool { return l.custom >= 0 && k >= l.custom && k < l.custom+6 }

func (l *reportLayout) get(cells []string, name string) string {
	if k, ok := l.columns[headerKey(name)]; ok {
		return strings.TrimSpace(cells[k])
	}
	return ""
}

func (l *reportLayout) row(cells []string) (ReportRow, error) {
	get := func(name string) string { return l.get(cells, name) }
	id, ok := parseInt(get("Session ID"))
	if !ok {
		return ReportRow{}, errors.New("a report row has no numeric Session ID")
	}
	r := ReportRow{
		SessionID:       id,
		TechnicianName:  get("Technician Name"),
		TechnicianEmail: get("Technician Email"),
		Start:           parseUSTime(get("Start Time")),
		End:             parseUSTime(get("End Time")),
		StatusText:      get("Status"),
		ResolvedText:    get("Resolved Unresolved"),
		ToolsUsed:       get("Incident Tools Used"),
		Platform:        get("Platform"),
		WaitingTime:     parseHMS(get("Waiting Time")),
		ActiveTime:      parseHMS(get("Active Time")),
		TotalTime:       parseHMS(get("Total Time")),
		TrackingID:      get("Tracking ID"),
		Columns:         make(map[string]string, len(cells)),
	}
	r.TechnicianID, _ = parseInt(get("Technician ID"))
	r.Status = ParseSessionStatus(r.StatusText)
	r.Resolved = parseResolved(r.ResolvedText)
	if l.custom >= 0 {
		for i := range 6 {
			r.CustomFields[i] = strings.TrimSpace(cells[l.custom+i])
			r.CustomFieldLabels[i] = l.header[l.custom+i]
		}
	}
	for k, h := range l.header {
		if _, dup := r.Columns[h]; !dup {
			r.Columns[h] = cells[k]
		}
	}
	return r, nil
}

// parseHMS reads a duration written H:MM:SS (hours unbounded) or MM:SS; zero when it does not parse.
func parseHMS(s string) time.Duration {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0
	}
	var total int64
	for k, p := range parts {
		if !allDigits(p) || len(p) > 6 || (k > 0 && len(p) != 2) {
			return 0
		}
		v, _ := strconv.ParseInt(p, 10, 64)
		if k > 0 && v > 59 {
			return 0
		}
		total = total*60 + v
	}
	return time.Duration(total) * time.Second
}

// resolvedTexts are the "Resolved Unresolved" cells that mean resolved, folded. The negative forms
// ("Unresolved", "Non résolue", "Não resolvido") are simply not in it.
var resolvedTexts = map[string]bool{
	"resolved": true, "resolue": true, "resolu": true, "resolvido": true, "resolvida": true,
	"yes": true, "oui": true, "sim": true, "true": true,
}

func parseResolved(s string) bool { return resolvedTexts[foldText(s)] }
