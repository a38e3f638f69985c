package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// liveLine is the live status under the PIN: a coloured dot, the session's state in words, the time
// in that state, and Rescue's own status text when it says more.
type liveLine struct {
	content *fyne.Container
	dot     *canvas.Circle
	text    *widget.Label
}

func newLiveLine() *liveLine {
	l := &liveLine{dot: canvas.NewCircle(theme.Color(theme.ColorNameDisabled)), text: widget.NewLabel("")}
	l.text.Truncation = fyne.TextTruncateEllipsis
	dot := container.NewGridWrap(fyne.NewSize(12, 12), l.dot)
	l.content = container.NewBorder(nil, nil, container.NewCenter(dot), nil, l.text)
	l.content.Hide()
	return l
}

// set shows a session's status as of now; ok false hides the line (no session for the case).
func (l *liveLine) set(ls LiveSession, ok bool, now time.Time) {
	if !ok {
		l.content.Hide()
		return
	}
	l.dot.FillColor = stateColor(ls.State)
	l.dot.Refresh()
	l.text.SetText(liveStatus(ls, now))
	l.content.Show()
}

// liveStatus is the line's text: "Active with Camille Lefèvre · 3:12 · Rescue: In Session".
func liveStatus(ls LiveSession, now time.Time) string {
	parts := []string{liveStateText(ls)}
	if !ls.Since.IsZero() && !now.Before(ls.Since) {
		parts = append(parts, clockDuration(now.Sub(ls.Since)))
	}
	if statusAddsToState(ls) {
		parts = append(parts, fmt.Sprintf(lang.L("Rescue: %s"), strings.TrimSpace(ls.StatusText)))
	}
	return strings.Join(parts, " · ")
}

// liveStateText is the state in words, with the technician once someone has the session.
func liveStateText(ls LiveSession) string {
	if ls.State == SessionActive && ls.Technician != "" {
		return fmt.Sprintf(lang.L("Active with %s"), ls.Technician)
	}
	return stateWord(ls.State)
}

// stateWord is a state in a word or two, without who has the session.
func stateWord(s SessionState) string {
	switch s {
	case SessionConnecting:
		return lang.L("Connecting…")
	case SessionWaiting:
		return lang.L("Customer waiting")
	case SessionActive:
		return lang.L("Active")
	case SessionOnHold:
		return lang.L("On hold")
	case SessionTransferring:
		return lang.L("Transferring")
	case SessionClosed:
		return lang.L("Closed")
	case SessionExpired:
		return lang.L("PIN expired")
	}
	return string(s)
}

// rescueWords are Rescue's own (English) status texts that say no more than the state does.
var rescueWords = map[SessionState]string{
	SessionConnecting: "Connecting", SessionWaiting: "Waiting", SessionActive: "Active",
	SessionOnHold: "On Hold", SessionTransferring: "Transferring", SessionClosed: "Closed",
}

// statusAddsToState is true when Rescue's status text tells something the state's words do not,
// such as "Closed by customer" or "Reconnecting".
func statusAddsToState(ls LiveSession) bool {
	t := strings.TrimSpace(ls.StatusText)
	if t == "" {
		return false
	}
	same := func(w string) bool { return w != "" && strings.EqualFold(t, strings.TrimSuffix(w, "…")) }
	return !same(rescueWords[ls.State]) && !same(stateWord(ls.State))
}

// stateColor is the dot's colour: green while someone works, orange when someone waits.
func stateColor(s SessionState) color.Color {
	switch s {
	case SessionActive:
		return theme.Color(theme.ColorNameSuccess)
	case SessionWaiting, SessionOnHold:
		return theme.Color(theme.ColorNameWarning)
	case SessionConnecting, SessionTransferring:
		return theme.Color(theme.ColorNamePrimary)
	case SessionExpired:
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNameDisabled)
}

// ongoing is true while a session can still change by itself: its time in state keeps counting.
func ongoing(s SessionState) bool {
	return s != SessionClosed && s != SessionExpired
}

// liveFor is the session the case's PIN panel shows: one still under way before a finished one,
// then the most recent change.
func liveFor(live []LiveSession, caseID string) (LiveSession, bool) {
	var best LiveSession
	found := false
	for _, ls := range live {
		if ls.CaseID != caseID || caseID == "" {
			continue
		}
		better := !found ||
			ongoing(ls.State) && !ongoing(best.State) ||
			ongoing(ls.State) == ongoing(best.State) && ls.Since.After(best.Since)
		if better {
			best, found = ls, true
		}
	}
	return best, found
}

// traySessionLine is one live session in the tray: "CAS-01028 · Active with Camille Lefèvre".
func traySessionLine(ls LiveSession) string {
	return fmt.Sprintf("%s · %s", ls.CaseNumber, liveStateText(ls))
}
