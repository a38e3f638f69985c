package companion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/outbox"
)

// CaseWriter is the part of the Dataverse client the write-back needs.
type CaseWriter interface {
	UpsertSession(ctx context.Context, t dynamics.SessionTable, sessionID, caseID string, columns map[string]any) (string, error)
	DeactivateSession(ctx context.Context, t dynamics.SessionTable, sessionID string) error
	TechnicianByID(ctx context.Context, t dynamics.TechnicianTable, technicianID string) (dynamics.TechnicianRecord, bool, error)
	CaseState(ctx context.Context, caseID string) (ownerID string, statecode int, err error)
	AssignCase(ctx context.Context, caseID, userID string) error
	FindNote(ctx context.Context, caseID, marker string) (string, bool, error)
	CreateNote(ctx context.Context, caseID, subject, text string) (string, error)
	ResolveCase(ctx context.Context, caseID, subject string) error
}

// WriteBackSettings are the organisation's tables and options.
type WriteBackSettings struct {
	Sessions    dynamics.SessionTable
	Technicians dynamics.TechnicianTable
	// Prefix starts the names of the session table's columns ("lmi_"): the publisher prefix of the
	// session key column.
	Prefix          string
	CloseAtEnd      bool // close_request_at_session_end: deactivate the record when the session ends
	ReassignAtStart bool // reassign_case_at_session_start
}

// ErrUnmappedTechnician says the Rescue technician who picked a session up has no technician
// settings record in Dynamics, so the case cannot be given to them; it is reported, never guessed.
var ErrUnmappedTechnician = errors.New("the Rescue technician has no technician settings record in Dynamics")

// Job kinds of the outbox.
const (
	jobUpsert     = "upsert-session"
	jobDeactivate = "deactivate-session"
	jobAssign     = "assign-case"
	jobNote       = "case-note"
	jobResolve    = "resolve-case"
)

const writtenBucket = "written"

// WriteBack turns finished sessions and wrap-up decisions into jobs of the durable outbox, and
// carries them out against Dynamics. Every job is safe to run twice: records are upserted by their
// key, notes are looked for before they are created, and assigning or resolving what already is
// changes nothing.
type WriteBack struct {
	dyn   CaseWriter
	box   *outbox.Outbox
	store Journal
	s     WriteBackSettings
	now   func() time.Time

	// Me, when set, says who the signed-in technician is in Rescue and in Dynamics: a session they
	// pick up themselves needs no technician settings record to be given to them.
	Me func(ctx context.Context) (technicianID int, userID string, err error)
}

// NewWriteBack builds the write-back over the outbox.
func NewWriteBack(dyn CaseWriter, box *outbox.Outbox, store Journal, s WriteBackSettings, now func() time.Time) *WriteBack {
	if now == nil {
		now = time.Now
	}
	return &WriteBack{dyn: dyn, box: box, store: store, s: s, now: now}
}

type upsertJob struct{ Details Details }

type sessionJob struct{ SessionID int }

type assignJob struct {
	CaseID       string
	TechnicianID int
	SessionID    int
}

type noteJob struct {
	CaseID    string
	SessionID int
	Subject   string
	Text      string
}

type resolveJob struct {
	CaseID  string
	Subject string
}

// SessionClosed queues the session record, and its deactivation when the organisation asks for it.
func (w *WriteBack) SessionClosed(_ Tracked, d Details) error {
	id := sessionKey(d.SessionID)
	jobs := []outbox.Job{w.job("upsert:"+id, jobUpsert, "session:"+id, upsertJob{Details: d})}
	if w.s.CloseAtEnd {
		jobs = append(jobs, w.job("deactivate:"+id, jobDeactivate, "session:"+id, sessionJob{SessionID: d.SessionID}))
	}
	if err := w.box.EnqueueAll(jobs); err != nil {
		return err
	}
	checkpoint("enqueued")
	return nil
}

// PickedUp queues the case's reassignment to the technician who picked the session up, when the
// organisation asks for it.
func (w *WriteBack) PickedUp(tr Tracked, technicianID int) error {
	if !w.s.ReassignAtStart || tr.PIN.CaseID == "" {
		return nil
	}
	// One job per case: a later pickup (a transfer) replaces the payload of one not yet done, so
	// the case ends with whoever picked the session up last, and releases one parked for an
	// unmapped technician.
	key := "assign:" + tr.PIN.CaseID
	err := w.box.Enqueue(w.job(key, jobAssign, key,
		assignJob{CaseID: tr.PIN.CaseID, TechnicianID: technicianID, SessionID: tr.SessionID}))
	if err != nil {
		return err
	}
	if err := w.box.Retry(key); err != nil && !errors.Is(err, outbox.ErrNotFound) {
		return err
	}
	return nil
}

// WrapUpDecision is what the technician chose after a session.
type WrapUpDecision struct {
	SessionID   int
	AddNote     bool
	Summary     string
	ResolveCase bool
}

// WrapUp queues the internal note and the resolution the technician chose.
func (w *WriteBack) WrapUp(d Details, c WrapUpDecision) error {
	if d.CaseID == "" {
		return ErrCaseNotSaved
	}
	id := sessionKey(d.SessionID)
	var jobs []outbox.Job
	if c.AddNote && strings.TrimSpace(c.Summary) != "" {
		jobs = append(jobs, w.job("note:"+id, jobNote, "session:"+id, noteJob{
			CaseID: d.CaseID, SessionID: d.SessionID, Subject: NoteSubject(d), Text: c.Summary,
		}))
	}
	if c.ResolveCase {
		jobs = append(jobs, w.job("resolve:"+d.CaseID, jobResolve, "case:"+d.CaseID, resolveJob{
			CaseID: d.CaseID, Subject: fmt.Sprintf("Resolved after Rescue session %d", d.SessionID),
		}))
	}
	if len(jobs) == 0 {
		return nil
	}
	return w.box.EnqueueAll(jobs)
}

// NoteSubject names the session in the note's subject, which is how the note is found again
// before it could be created twice.
func NoteSubject(d Details) string {
	return fmt.Sprintf("Rescue session %d [rescue-session:%d]", d.SessionID, d.SessionID)
}

func noteMarker(sessionID int) string { return fmt.Sprintf("[rescue-session:%d]", sessionID) }

func (w *WriteBack) job(key, kind, group string, payload any) outbox.Job {
	raw, _ := json.Marshal(payload) // the payload types hold nothing that fails to encode
	return outbox.Job{Key: key, Kind: kind, Group: group, Payload: raw, Created: w.now().UTC()}
}

// Written reports whether the session's record has reached Dynamics from this computer.
func (w *WriteBack) Written(sessionID int) bool {
	if w.store == nil {
		return false
	}
	var done bool
	ok, err := w.store.GetJSON(writtenBucket, sessionKey(sessionID), &done)
	return ok && err == nil && done
}

// Handlers are the outbox's handlers, by job kind.
func (w *WriteBack) Handlers() map[string]outbox.Handler {
	return map[string]outbox.Handler{
		jobUpsert:     decode(w.upsert),
		jobDeactivate: decode(w.deactivate),
		jobAssign:     decode(w.assign),
		jobNote:       decode(w.note),
		jobResolve:    decode(w.resolve),
	}
}

// decode adapts a typed handler; a payload that does not decode can never succeed.
func decode[T any](f func(context.Context, T) error) outbox.Handler {
	return func(ctx context.Context, j outbox.Job) error {
		var v T
		if err := json.Unmarshal(j.Payload, &v); err != nil {
			return outbox.Permanent(fmt.Errorf("job %s: %w", j.Key, err))
		}
		return f(ctx, v)
	}
}

func (w *WriteBack) upsert(ctx context.Context, j upsertJob) error {
	d := j.Details
	if _, err := w.dyn.UpsertSession(ctx, w.s.Sessions, sessionKey(d.SessionID), d.CaseID, w.columns(d)); err != nil {
		return permanentIfRefused(err)
	}
	checkpoint("upsert")
	if w.store != nil {
		_ = w.store.PutJSON(writtenBucket, sessionKey(d.SessionID), true)
	}
	return nil
}

// columns are the session record's columns, named with the session table's prefix.
func (w *WriteBack) columns(d Details) map[string]any {
	p := w.s.Prefix
	chat := make([]string, 0, len(d.Chat))
	for _, l := range d.Chat {
		chat = append(chat, "["+l.At+"] "+l.Name+": "+l.Text)
	}
	cols := map[string]any{
		p + "name":            fmt.Sprintf("%s · Rescue session %d", d.CaseNumber, d.SessionID),
		p + "casenumber":      d.CaseNumber,
		p + "customername":    d.Customer,
		p + "technician":      d.Technician,
		p + "technicianid":    strconv.Itoa(d.TechnicianID),
		p + "technicianemail": d.TechnicianEmail,
		p + "status":          d.Status,
		p + "resolved":        d.Resolved,
		p + "waitingseconds":  int(d.Waiting / time.Second),
		p + "activeseconds":   int(d.Active / time.Second),
		p + "totalseconds":    int(d.Total / time.Second),
		p + "toolsused":       d.ToolsUsed,
		p + "platform":        d.Platform,
		p + "notes":           d.Note,
		p + "chatlog":         strings.Join(chat, "\n"),
		p + "correlation":     d.Correlation,
	}
	if !d.Start.IsZero() {
		cols[p+"start"] = d.Start.UTC().Format(time.RFC3339)
	}
	if !d.End.IsZero() {
		cols[p+"end"] = d.End.UTC().Format(time.RFC3339)
	}
	return cols
}

func (w *WriteBack) deactivate(ctx context.Context, j sessionJob) error {
	err := w.dyn.DeactivateSession(ctx, w.s.Sessions, sessionKey(j.SessionID))
	if err == nil {
		checkpoint("deactivate")
	}
	return permanentIfRefused(err)
}

// assign gives the case to the Dynamics user who is the Rescue technician, when that is someone else.
func (w *WriteBack) assign(ctx context.Context, j assignJob) error {
	userID, err := w.userOf(ctx, j.TechnicianID)
	if err != nil {
		return err
	}
	owner, _, err := w.dyn.CaseState(ctx, j.CaseID)
	if err != nil {
		return permanentIfRefused(err)
	}
	if strings.EqualFold(owner, userID) {
		return nil
	}
	if err := w.dyn.AssignCase(ctx, j.CaseID, userID); err != nil {
		return permanentIfRefused(err)
	}
	checkpoint("assign")
	return nil
}

// userOf is the Dynamics user who is a Rescue technician: the signed-in one for their own node,
// else the owner of the technician settings record that holds the technician ID.
func (w *WriteBack) userOf(ctx context.Context, technicianID int) (string, error) {
	if w.Me != nil {
		if mine, userID, err := w.Me(ctx); err == nil && mine == technicianID && userID != "" {
			return userID, nil
		}
	}
	rec, found, err := w.dyn.TechnicianByID(ctx, w.s.Technicians, strconv.Itoa(technicianID))
	if err != nil {
		return "", permanentIfRefused(err)
	}
	if !found || rec.OwnerID == "" {
		return "", outbox.Permanent(fmt.Errorf("case not reassigned: Rescue technician %d: %w", technicianID, ErrUnmappedTechnician))
	}
	return rec.OwnerID, nil
}

func (w *WriteBack) note(ctx context.Context, j noteJob) error {
	if _, found, err := w.dyn.FindNote(ctx, j.CaseID, noteMarker(j.SessionID)); err != nil || found {
		return permanentIfRefused(err)
	}
	_, err := w.dyn.CreateNote(ctx, j.CaseID, j.Subject, j.Text)
	return permanentIfRefused(err)
}

func (w *WriteBack) resolve(ctx context.Context, j resolveJob) error {
	err := w.dyn.ResolveCase(ctx, j.CaseID, j.Subject)
	if errors.Is(err, dynamics.ErrAlreadyResolved) {
		return nil // resolved already, by this job's lost answer or by someone else
	}
	return permanentIfRefused(err)
}

// permanentIfRefused parks a job whose request Dynamics refused for good (a 4xx other than 401,
// 408 and 429): sending it again would be refused again. Network failures, throttling and server
// errors are retried.
func permanentIfRefused(err error) error {
	var de *dynamics.Error
	if errors.As(err, &de) && de.Status >= 400 && de.Status < 500 &&
		de.Status != 401 && de.Status != 408 && de.Status != 429 {
		return outbox.Permanent(err)
	}
	return err
}
