package main

import (
	"context"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

// uiSessions is the after-PIN side as the screens see it.
type uiSessions struct{ svc *services }

func (u uiSessions) Live() []ui.LiveSession {
	list := u.svc.desk.liveList()
	out := make([]ui.LiveSession, 0, len(list))
	for _, t := range list {
		out = append(out, uiLive(t))
	}
	return out
}

// uiLive is a followed session for the screens. A closed session's ID is given only once its
// details are in (Done): the wrap-up card, which reads them, opens for a closed session with an ID.
func uiLive(t companion.Tracked) ui.LiveSession {
	state := ui.SessionState(t.State)
	id := t.SessionID
	if t.State == companion.TrackClosed && !t.Done {
		id = 0
	}
	return ui.LiveSession{
		CaseID: t.PIN.CaseID, CaseNumber: t.PIN.CaseNumber, Customer: t.PIN.Customer, PIN: t.PIN.Code,
		SessionID: id, State: state, StatusText: t.StatusText, Technician: t.Technician,
		Since: t.Since, ExpiresAt: t.PIN.ExpiresAt,
	}
}

func (u uiSessions) OnChange(f func()) { u.svc.desk.setOnChange(f) }

func (u uiSessions) Pending() int {
	p, err := u.svc.desk.get().Box.Pending()
	if err != nil {
		return 0
	}
	return p.Pending()
}

func (u uiSessions) Details(ctx context.Context, sessionID int) (ui.SessionDetails, error) {
	d, err := u.svc.desk.get().Details(ctx, sessionID)
	if err != nil {
		return ui.SessionDetails{}, uiError(err)
	}
	ud := u.uiDetails(d)
	_, local := companion.LocalDetails(u.journal(), sessionID)
	ud.WrittenBack = ud.WrittenBack || !local // read from Dynamics: written there
	return ud, nil
}

// journal is the store, or nil when it could not be opened.
func (u uiSessions) journal() companion.Journal {
	if st := u.svc.store.get(); st != nil {
		return st
	}
	return nil
}

func (u uiSessions) uiDetails(d companion.Details) ui.SessionDetails {
	chat := make([]ui.ChatLine, 0, len(d.Chat))
	for _, l := range d.Chat {
		chat = append(chat, ui.ChatLine{At: l.At, From: l.Name, Text: l.Text})
	}
	return ui.SessionDetails{
		SessionID: d.SessionID, CaseID: d.CaseID, CaseNumber: d.CaseNumber, Customer: d.Customer,
		Technician: d.Technician, Start: d.Start, End: d.End, Waiting: d.Waiting, Active: d.Active, Total: d.Total,
		Status: d.Status, Resolved: d.Resolved, ToolsUsed: d.ToolsUsed, Platform: d.Platform, Notes: d.Note,
		Chat: chat, WrittenBack: u.svc.desk.get().WriteBack.Written(d.SessionID),
	}
}

func (u uiSessions) ForCase(ctx context.Context, caseID string) ([]ui.SessionDetails, error) {
	list, err := u.svc.desk.get().ForCase(ctx, caseID)
	if err != nil {
		return nil, uiError(err)
	}
	return u.uiList(list, true), nil
}

// uiList maps details; those read from Dynamics are written there by definition.
func (u uiSessions) uiList(list []companion.Details, inDynamics bool) []ui.SessionDetails {
	out := make([]ui.SessionDetails, 0, len(list))
	for _, d := range list {
		ud := u.uiDetails(d)
		ud.WrittenBack = ud.WrittenBack || inDynamics
		out = append(out, ud)
	}
	return out
}

// Recent is the technician's sessions from Dynamics, with those of this computer not written yet.
func (u uiSessions) Recent(ctx context.Context, period time.Duration) ([]ui.SessionDetails, error) {
	since := time.Now().Add(-period)
	_, me, err := u.svc.me(ctx)
	if err != nil {
		who, werr := u.svc.dyn.WhoAmI(ctx)
		if werr != nil {
			return nil, uiError(werr)
		}
		me = who.UserID
	}
	desk := u.svc.desk.get()
	remote, err := desk.Since(ctx, since, me)
	if err != nil {
		return nil, uiError(err)
	}
	out := u.uiList(remote, true)
	seen := map[int]bool{}
	for _, d := range remote {
		seen[d.SessionID] = true
	}
	for _, d := range companion.RecentDetails(u.journal(), since) {
		if !seen[d.SessionID] {
			out = append(out, u.uiDetails(d))
		}
	}
	return out, nil
}

func (u uiSessions) SuggestedSummary(sessionID int) string {
	d, err := u.svc.desk.get().Details(context.Background(), sessionID)
	if err != nil {
		return ""
	}
	return ui.Summary(u.uiDetails(d))
}

func (u uiSessions) WrapUp(ctx context.Context, w ui.WrapUp) error {
	desk := u.svc.desk.get()
	d, err := desk.Details(ctx, w.SessionID)
	if err != nil {
		return uiError(err)
	}
	return desk.WriteBack.WrapUp(d, companion.WrapUpDecision{
		SessionID: w.SessionID, AddNote: w.AddNote, Summary: w.Summary, ResolveCase: w.ResolveCase,
	})
}
