package companion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/outbox"
)

// SessionRecords reads the session records back from Dynamics.
type SessionRecords interface {
	SessionRecords(ctx context.Context, t dynamics.SessionTable, caseID string, columns []string) ([]map[string]any, error)
	SessionRecordsSince(ctx context.Context, t dynamics.SessionTable, since time.Time, columns []string) ([]map[string]any, error)
	SessionRecord(ctx context.Context, t dynamics.SessionTable, sessionID string, columns []string) (map[string]any, bool, error)
}

// Desk is the after-PIN part of the app: the tracker that follows sessions, the write-back that
// turns them into jobs, and the outbox that carries the jobs to Dynamics.
type Desk struct {
	Tracker   *Tracker
	WriteBack *WriteBack
	Box       *outbox.Outbox
	Records   SessionRecords
	Settings  WriteBackSettings
}

// SyncOnce looks at Rescue once and runs the writes that are due.
func (d *Desk) SyncOnce(ctx context.Context) error {
	_, perr := d.Tracker.Poll(ctx)
	_, berr := d.Box.RunDue(ctx, d.WriteBack.Handlers())
	return errors.Join(perr, berr)
}

// SyncUntilDone follows the sessions and runs the writes until nothing is followed and nothing
// waits in the outbox but parked jobs, which need a person. It returns the parked jobs.
func (d *Desk) SyncUntilDone(ctx context.Context, sleep func(context.Context, time.Duration) error) ([]outbox.Job, error) {
	for {
		delay, perr := d.Tracker.Poll(ctx)
		if _, err := d.Box.RunDue(ctx, d.WriteBack.Handlers()); err != nil && ctx.Err() != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p, err := d.Box.Pending()
		if err != nil {
			return nil, err
		}
		if d.Tracker.Idle() && p.Due+p.Waiting == 0 {
			return d.parked()
		}
		_ = perr // a failed look is tried again on the next round; the caller's deadline bounds it
		if p.Due+p.Waiting > 0 && d.Tracker.Idle() {
			delay = d.nextWrite()
		}
		if err := sleep(ctx, max(delay, 10*time.Millisecond)); err != nil {
			return nil, err
		}
	}
}

// nextWrite is how long until the earliest waiting write may run.
func (d *Desk) nextWrite() time.Duration {
	jobs, err := d.Box.List()
	if err != nil {
		return time.Second
	}
	wait := pollSlow
	now := d.Tracker.now()
	for _, j := range jobs {
		if !j.Parked {
			wait = min(wait, max(j.NextAt.Sub(now), 0))
		}
	}
	return wait
}

func (d *Desk) parked() ([]outbox.Job, error) {
	jobs, err := d.Box.List()
	if err != nil {
		return nil, err
	}
	var out []outbox.Job
	for _, j := range jobs {
		if j.Parked {
			out = append(out, j)
		}
	}
	return out, nil
}

// Run follows sessions and runs the writes until ctx ends: the app's background work.
func (d *Desk) Run(ctx context.Context) {
	go func() { _ = d.Box.Run(ctx, d.WriteBack.Handlers()) }()
	for {
		delay, _ := d.Tracker.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		case <-d.Tracker.wake:
		}
	}
}

// ForCase is the case's sessions as Dynamics has them, newest first.
func (d *Desk) ForCase(ctx context.Context, caseID string) ([]Details, error) {
	rows, err := d.Records.SessionRecords(ctx, d.Settings.Sessions, caseID, nil)
	if err != nil {
		return nil, err
	}
	return d.fromRecords(rows), nil
}

// Since is the sessions of Dynamics modified since a time, newest first; with ownerID set, only
// those that user's app wrote.
func (d *Desk) Since(ctx context.Context, since time.Time, ownerID string) ([]Details, error) {
	rows, err := d.Records.SessionRecordsSince(ctx, d.Settings.Sessions, since, nil)
	if err != nil {
		return nil, err
	}
	if ownerID != "" {
		mine := rows[:0]
		for _, r := range rows {
			if strings.EqualFold(text(r, "_ownerid_value"), ownerID) {
				mine = append(mine, r)
			}
		}
		rows = mine
	}
	return d.fromRecords(rows), nil
}

// Team is every technician's sessions modified since a time, newest first, each marked with whether
// its case is resolved now: what a helpdesk lead looks at. Each case is asked about once.
func (d *Desk) Team(ctx context.Context, since time.Time) ([]Details, error) {
	list, err := d.Since(ctx, since, "")
	if err != nil {
		return nil, err
	}
	resolved := map[string]bool{}
	for i, det := range list {
		if det.CaseID == "" {
			continue
		}
		r, ok := resolved[det.CaseID]
		if !ok {
			_, state, err := d.WriteBack.dyn.CaseState(ctx, det.CaseID)
			if err != nil {
				return nil, err
			}
			r = state == dynamics.CaseResolved
			resolved[det.CaseID] = r
		}
		list[i].CaseResolved = r
	}
	return list, nil
}

// Details is one session's details: those kept on this computer, else the record in Dynamics.
func (d *Desk) Details(ctx context.Context, sessionID int) (Details, error) {
	if local, ok := LocalDetails(d.Tracker.store, sessionID); ok {
		return local, nil
	}
	row, found, err := d.Records.SessionRecord(ctx, d.Settings.Sessions, sessionKey(sessionID), nil)
	if err != nil {
		return Details{}, err
	}
	if !found {
		return Details{}, fmt.Errorf("session %d is neither on this computer nor in Dynamics", sessionID)
	}
	return recordDetails(row, d.Settings), nil
}

func (d *Desk) fromRecords(rows []map[string]any) []Details {
	out := make([]Details, 0, len(rows))
	for _, r := range rows {
		out = append(out, recordDetails(r, d.Settings))
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Start.After(out[b].Start) })
	return out
}

// recordDetails reads a session record written by the write-back (see WriteBack.columns).
func recordDetails(r map[string]any, s WriteBackSettings) Details {
	p := s.Prefix
	id, _ := strconv.Atoi(text(r, s.Sessions.KeyColumn))
	techID, _ := strconv.Atoi(text(r, p+"technicianid"))
	start, _ := time.Parse(time.RFC3339, text(r, p+"start"))
	end, _ := time.Parse(time.RFC3339, text(r, p+"end"))
	return Details{
		SessionID: id, CaseID: text(r, "_"+strings.ToLower(s.Sessions.CaseNav)+"_value"),
		CaseNumber: text(r, p+"casenumber"), Customer: text(r, p+"customername"),
		Correlation: text(r, p+"correlation"),
		Technician:  text(r, p+"technician"), TechnicianID: techID, TechnicianEmail: text(r, p+"technicianemail"),
		Start: start, End: end,
		Waiting: seconds(r, p+"waitingseconds"), Active: seconds(r, p+"activeseconds"), Total: seconds(r, p+"totalseconds"),
		Status: text(r, p+"status"), Resolved: r[p+"resolved"] == true,
		ToolsUsed: text(r, p+"toolsused"), Platform: text(r, p+"platform"), Note: text(r, p+"notes"),
		Chat: parseChatLog(text(r, p+"chatlog")),
	}
}

func text(r map[string]any, key string) string {
	switch v := r[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func seconds(r map[string]any, key string) time.Duration {
	n, err := strconv.ParseFloat(text(r, key), 64)
	if err != nil {
		return 0
	}
	return time.Duration(n) * time.Second
}
