package ui

import (
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// expiryWarning is how long before an unused PIN expires the technician is told.
const expiryWarning = 2 * time.Minute

// notifySessions tells the desktop when a customer joins, when a session is picked up and when it
// ends, and warns before an unused PIN expires: each once per session. The first snapshot only
// records where the sessions are, since that happened before the app started.
func (s *Shell) notifySessions(live []LiveSession) {
	w := &s.sessions
	quiet := !w.baseline
	w.baseline = true
	for _, ls := range live {
		key := sessionKey(ls)
		if note := stateNotice(ls); note != nil && w.first(key+"|"+string(ls.State)) && !quiet {
			s.app.SendNotification(note)
		}
		if s.expiresSoon(ls) && w.first(key+"|expiring") {
			s.app.SendNotification(expiryNotice(ls))
		}
	}
}

// first is true the first time an event of a session is seen, and records it.
func (w *sessionWatch) first(event string) bool {
	if w.notified[event] {
		return false
	}
	w.notified[event] = true
	return true
}

// sessionKey names a session from its PIN on, before Rescue has given it an ID.
func sessionKey(ls LiveSession) string {
	if ls.PIN != "" {
		return ls.CaseID + "/" + ls.PIN
	}
	return ls.CaseID + "#" + strconv.Itoa(ls.SessionID)
}

// expiresSoon is true when an unused PIN has less than expiryWarning left.
func (s *Shell) expiresSoon(ls LiveSession) bool {
	if ls.State != SessionConnecting || ls.ExpiresAt.IsZero() {
		return false
	}
	left := ls.ExpiresAt.Sub(s.now())
	return left > 0 && left <= expiryWarning
}

// stateNotice is the notification a state deserves, or nil.
func stateNotice(ls LiveSession) *fyne.Notification {
	switch ls.State {
	case SessionWaiting:
		return fyne.NewNotification(lang.L("Customer waiting"),
			fmt.Sprintf(lang.L("%s is waiting for you (case %s)."), customerOf(ls), ls.CaseNumber))
	case SessionActive:
		tech := ls.Technician
		if tech == "" {
			tech = lang.L("A technician")
		}
		return fyne.NewNotification(lang.L("Session picked up"),
			fmt.Sprintf(lang.L("%s picked up the session of case %s."), tech, ls.CaseNumber))
	case SessionClosed:
		return fyne.NewNotification(lang.L("Session ended"),
			fmt.Sprintf(lang.L("The session of case %s has ended: review it and save it on the case."), ls.CaseNumber))
	}
	return nil
}

func expiryNotice(ls LiveSession) *fyne.Notification {
	return fyne.NewNotification(lang.L("PIN expires soon"),
		fmt.Sprintf(lang.L("PIN %s for case %s expires at %s and nobody has used it yet."),
			groupDigits(ls.PIN), ls.CaseNumber, ls.ExpiresAt.Local().Format("15:04")))
}

func customerOf(ls LiveSession) string {
	if ls.Customer == "" {
		return lang.L("The customer")
	}
	return ls.Customer
}
