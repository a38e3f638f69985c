package companion

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/rescue"
)

// Details are what is known of a finished session: its report row, its note and its chat, with the
// case it was for. They are kept on this computer (the Recent sessions list reads them) and written
// to the case in Dynamics.
type Details struct {
	SessionID       int               `json:"session_id"`
	CaseID          string            `json:"case_id"`
	CaseNumber      string            `json:"case_number"`
	Customer        string            `json:"customer"`
	CustomerEmail   string            `json:"customer_email,omitempty"`
	Correlation     string            `json:"correlation"`
	Technician      string            `json:"technician"`
	TechnicianID    int               `json:"technician_id"`
	TechnicianEmail string            `json:"technician_email,omitempty"`
	Start           time.Time         `json:"start"`
	End             time.Time         `json:"end"`
	Waiting         time.Duration     `json:"waiting"`
	Active          time.Duration     `json:"active"`
	Total           time.Duration     `json:"total"`
	Status          string            `json:"status"` // Rescue's status text
	Resolved        bool              `json:"resolved"`
	ToolsUsed       string            `json:"tools_used,omitempty"`
	Platform        string            `json:"platform,omitempty"`
	Note            string            `json:"note,omitempty"`
	Chat            []rescue.ChatLine `json:"chat,omitempty"`
	PickedUpBy      []int             `json:"picked_up_by,omitempty"`
	CaseResolved    bool              `json:"-"` // the case is resolved in Dynamics (filled in by Team)
}

const detailsBucket = "sessions"

// detailsOf joins what the tracker followed with the report row, the note and the chat.
func detailsOf(tr Tracked, row rescue.ReportRow, note string, chat []rescue.ChatLine) Details {
	status := row.StatusText
	if status == "" {
		status = tr.StatusText
	}
	return Details{
		SessionID: tr.SessionID, CaseID: tr.PIN.CaseID, CaseNumber: tr.PIN.CaseNumber,
		Customer: tr.PIN.Customer, CustomerEmail: tr.PIN.CustomerEmail, Correlation: tr.PIN.Correlation,
		Technician: row.TechnicianName, TechnicianID: row.TechnicianID, TechnicianEmail: row.TechnicianEmail,
		Start: row.Start, End: row.End, Waiting: row.WaitingTime, Active: row.ActiveTime, Total: row.TotalTime,
		Status: status, Resolved: row.Resolved, ToolsUsed: row.ToolsUsed, Platform: row.Platform,
		Note: note, Chat: chat, PickedUpBy: tr.PickedUpBy,
	}
}

func keepDetails(j Journal, d Details) error {
	if j == nil {
		return nil
	}
	return j.PutJSON(detailsBucket, sessionKey(d.SessionID), d)
}

// LocalDetails is a session's details as kept on this computer.
func LocalDetails(j Journal, sessionID int) (Details, bool) {
	if j == nil {
		return Details{}, false
	}
	var d Details
	ok, err := j.GetJSON(detailsBucket, sessionKey(sessionID), &d)
	return d, ok && err == nil
}

// RecentDetails are the sessions kept on this computer that started after since, newest first.
func RecentDetails(j Journal, since time.Time) []Details {
	if j == nil {
		return nil
	}
	var out []Details
	for _, d := range mustList[Details](j, detailsBucket) {
		if !d.Start.Before(since) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Start.After(out[b].Start) })
	return out
}

// errReportTooSoon: the last report was asked for less than a minute ago.
var errReportTooSoon = errors.New("the Rescue report was asked for less than a minute ago")

// reportInterval is the report's documented rate: once a minute per user.
const reportInterval = time.Minute

const reportGateKey = "report-last"

// reportGate asks for the session report at most once a minute for the user, shared by every caller
// in the process, and remembered in the store so a restart does not ask again too soon.
type reportGate struct {
	store Journal
	now   func() time.Time
	every time.Duration

	mu   sync.Mutex
	last time.Time
}

func newReportGate(j Journal, now func() time.Time, every time.Duration) *reportGate {
	if every <= 0 {
		every = reportInterval
	}
	g := &reportGate{store: j, now: now, every: every}
	if j != nil {
		_, _ = j.GetJSON(rescueBucket, reportGateKey, &g.last)
	}
	return g
}

// rows runs one report over a narrow window around the sessions and returns its rows by session ID.
func (g *reportGate) rows(ctx context.Context, r *Rescue, code string, sessions []Tracked) (map[int]rescue.ReportRow, error) {
	from, to, node, ok := reportWindow(sessions, g.now())
	if !ok {
		return nil, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if now := g.now(); !g.last.IsZero() && now.Sub(g.last) < g.every {
		return nil, errReportTooSoon
	}
	g.last = g.now()
	if g.store != nil {
		_ = g.store.PutJSON(rescueBucket, reportGateKey, g.last)
	}
	rows, err := r.api.SessionReport(ctx, code, node, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[int]rescue.ReportRow, len(rows))
	for _, row := range rows {
		out[row.SessionID] = row
	}
	return out, nil
}

// reportWindow spans the sessions' PINs to now, on the node of the technician who had the first
// of them last (a transferred session is reported under whoever closed it); sessions of other
// nodes wait for the next report. Sessions start once their PIN is entered, so the issue time
// bounds the start from below; a minute of margin covers the report's minute-rounded times.
func reportWindow(sessions []Tracked, now time.Time) (from, to time.Time, node int, ok bool) {
	for _, tr := range sessions {
		if tr.State != TrackClosed {
			continue
		}
		n := tr.TechnicianID
		if n == 0 {
			n = tr.PIN.TechnicianID
		}
		if ok && n != node {
			continue
		}
		issued := tr.PIN.IssuedAt.Add(-time.Minute)
		if !ok || issued.Before(from) {
			from = issued
		}
		node, ok = n, true
	}
	return from, now.Add(time.Minute), node, ok
}

// parseChatLog reads back the chat as the session record keeps it: "[time] Name: text" a line.
func parseChatLog(s string) []rescue.ChatLine {
	if s == "" {
		return nil
	}
	var out []rescue.ChatLine
	for _, line := range strings.Split(s, "\n") {
		l := rescue.ChatLine{Text: line}
		if strings.HasPrefix(line, "[") {
			if end := strings.Index(line, "] "); end > 0 {
				l.At, line = line[1:end], line[end+2:]
				l.Text = line
				if name, rest, ok := strings.Cut(line, ": "); ok {
					l.Name, l.Text = name, rest
				}
			}
		}
		out = append(out, l)
	}
	return out
}
