package main

import (
	"context"
	"log"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/outbox"
	"github.com/rescuecompanion/rescue-companion/internal/store"
)

// outboxBucket is where the writes to Dynamics wait in the store.
const outboxBucket = "outbox"

// lazyDesk builds the after-PIN part (tracker, write-back, outbox) once the store is open.
type lazyDesk struct {
	svc         *services
	minPoll     time.Duration
	reportEvery time.Duration

	once     sync.Once
	desk     *companion.Desk
	problems []string // what the technician should know: unmapped technicians, refused writes

	mu       sync.Mutex
	onChange func()
	live     map[string]liveEntry // by correlation token: followed now, or finished lately
}

// liveEntry is a followed session as last seen, and when following ended.
type liveEntry struct {
	tracked  companion.Tracked
	finished time.Time
}

// keepFinishedFor is how long a finished session stays in the live list, so the technician can
// still wrap it up from the case.
const keepFinishedFor = 30 * time.Minute

// get builds the desk. Without a store nothing could survive a restart, so the outbox then lives
// in a memory store for this run.
func (l *lazyDesk) get() *companion.Desk {
	l.once.Do(func() {
		svc := l.svc
		r := svc.rescue.get()
		var kv outbox.Store = store.NewMemory()
		var j companion.Journal
		if st := svc.store.get(); st != nil {
			kv, j = st, st
		}
		s := writeBackSettings(svc)
		box := outbox.New(kv, outboxBucket, outbox.Options{OnChange: l.changed})
		wb := companion.NewWriteBack(svc.dyn, box, j, s, nil)
		tracker := companion.NewTracker(r, companion.SessionEvents{
			Changed: func(t companion.Tracked) {
				l.remember(t)
				l.changed()
			},
			PickedUp: func(t companion.Tracked, tech int) { l.report(wb.PickedUp(t, tech)) },
			Closed:   wb.SessionClosed,
			Problem:  func(_ companion.Tracked, err error) { l.report(err) },
		}, companion.TrackerOptions{MinPoll: l.minPoll, ReportEvery: l.reportEvery})
		wb.Me = svc.me
		l.desk = &companion.Desk{Tracker: tracker, WriteBack: wb, Box: box, Records: svc.dyn, Settings: s}
		for _, t := range tracker.Live() {
			l.remember(t)
		}
	})
	return l.desk
}

// remember keeps the latest state of a followed session for the live list.
func (l *lazyDesk) remember(t companion.Tracked) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live == nil {
		l.live = map[string]liveEntry{}
	}
	e := liveEntry{tracked: t}
	if t.Done {
		e.finished = time.Now()
	}
	l.live[t.PIN.Correlation] = e
}

// liveList is the followed sessions and those finished in the last half hour, oldest first.
func (l *lazyDesk) liveList() []companion.Tracked {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]companion.Tracked, 0, len(l.live))
	for token, e := range l.live {
		if !e.finished.IsZero() && time.Since(e.finished) > keepFinishedFor {
			delete(l.live, token)
			continue
		}
		out = append(out, e.tracked)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PIN.IssuedAt.Before(out[j].PIN.IssuedAt) })
	return out
}

// writeBackSettings are the session table's names and the solution's options from the settings.
func writeBackSettings(svc *services) companion.WriteBackSettings {
	d, o := svc.cfg.Dataverse, svc.cfg.Options
	return companion.WriteBackSettings{
		Sessions: dynamics.SessionTable{Set: d.SessionTable, KeyColumn: d.SessionKey, CaseNav: sessionCaseNav(d.SessionKey)},
		Technicians: dynamics.TechnicianTable{
			Set: d.TechnicianTable, IDColumn: d.TechnicianIDColumn, SSOColumn: d.TechnicianSSOColumn,
		},
		Prefix:          columnPrefix(d.SessionKey),
		CloseAtEnd:      o.CloseRequestAtSessionEnd,
		ReassignAtStart: o.ReassignCaseAtSessionStart,
	}
}

// columnPrefix is the publisher prefix of the session key column ("lmi_" of "lmi_sessionid"): the
// session table's other columns carry the same one.
func columnPrefix(keyColumn string) string {
	if i := strings.Index(keyColumn, "_"); i > 0 {
		return keyColumn[:i+1]
	}
	return ""
}

// sessionCaseNav is the lookup from the session table to the case: <prefix>incidentid.
func sessionCaseNav(keyColumn string) string { return columnPrefix(keyColumn) + "incidentid" }

func (l *lazyDesk) setOnChange(f func()) {
	l.mu.Lock()
	l.onChange = f
	l.mu.Unlock()
}

func (l *lazyDesk) changed() {
	l.mu.Lock()
	f := l.onChange
	l.mu.Unlock()
	if f != nil {
		f()
	}
}

// report keeps a problem for the window and the log; it never holds a secret (errors never do).
func (l *lazyDesk) report(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	l.problems = append(l.problems, err.Error())
	l.mu.Unlock()
	log.Printf("sessions: %v", err)
}

// me is who the signed-in technician is in Rescue and in Dynamics.
func (s *services) me(ctx context.Context) (int, string, error) {
	acct, ok := s.rescue.get().Account(ctx)
	if !ok {
		return 0, "", companion.ErrRescueSignInRequired
	}
	who, err := s.dyn.WhoAmI(ctx)
	return acct.TechID, who.UserID, err
}
