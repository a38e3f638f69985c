package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/lang"
)

// Summary is the wrap-up card's starting text for a finished session, in the app's language: who,
// when, how long, how it ended, and the technician's note.
func Summary(d SessionDetails) string {
	var b strings.Builder
	b.WriteString(fmt.Sprintf(lang.L("Rescue session %d with %s"), d.SessionID, d.Customer))
	if d.Technician != "" {
		b.WriteString(fmt.Sprintf(lang.L(", by %s"), d.Technician))
	}
	if !d.Start.IsZero() {
		b.WriteString(", " + d.Start.Local().Format("2006-01-02 15:04"))
	}
	b.WriteString(".\n")
	b.WriteString(fmt.Sprintf(lang.L("Active %s; status: %s."), hms(d.Active), d.Status))
	if d.Resolved {
		b.WriteString(" " + lang.L("Resolved."))
	}
	if d.ToolsUsed != "" {
		b.WriteString("\n" + fmt.Sprintf(lang.L("Tools: %s."), d.ToolsUsed))
	}
	if note := strings.TrimSpace(d.Notes); note != "" {
		b.WriteString("\n" + fmt.Sprintf(lang.L("Note: %s"), note))
	}
	return b.String()
}
