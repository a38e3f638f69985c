package ui

import (
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// trayMenu is the tray icon's menu: the window, the console and the live sessions, the most recent
// cases, Recent sessions and the windows offered (Team sessions, Settings, Diagnostics), refresh,
// sign out and quit.
func (s *Shell) trayMenu() *fyne.Menu {
	items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Open Rescue Companion"), s.Show)}
	if s.account.Username != "" {
		light := fyne.NewMenuItem(trayPresence(s.rescue.presence), nil)
		light.Disabled = true // a status line, not an action
		items = append(items, light)
	}
	for _, line := range s.sessions.trayLines {
		status := fyne.NewMenuItem(line, nil)
		status.Disabled = true
		items = append(items, status)
	}
	if len(s.recent) > 0 {
		items = append(items, fyne.NewMenuItemSeparator())
		for _, c := range s.recent {
			id := c.ID
			items = append(items, fyne.NewMenuItem(trayLabel(c), func() { s.showCase(id) }))
		}
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("Recent sessions"), s.showRecent))
	items = append(items, s.toolItems(false)...)
	items = append(items,
		fyne.NewMenuItem(lang.L("Refresh cases"), func() {
			if s.account.Username != "" {
				s.refresh()
			}
		}),
		fyne.NewMenuItem(lang.L("Forget Rescue credentials"), s.forgetRescue),
		fyne.NewMenuItem(lang.L("Sign out"), s.signOut),
		fyne.NewMenuItemSeparator())
	items = append(items, s.systemItems()...)
	items = append(items, fyne.NewMenuItemSeparator())
	quit := fyne.NewMenuItem(lang.L("Quit"), s.app.Quit)
	quit.IsQuit = true
	items = append(items, quit)
	return fyne.NewMenu(lang.L("Rescue Companion"), items...)
}

// trayLabel is one case in the tray: its number and the start of its title.
func trayLabel(c Case) string {
	title := []rune(c.Title)
	if len(title) > 40 {
		title = append(title[:39], '…')
	}
	return fmt.Sprintf("%s · %s", c.Number, string(title))
}

// recentCases are the n most recently modified cases.
func recentCases(cases []Case, n int) []Case {
	out := append([]Case(nil), cases...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Modified.After(out[j].Modified) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// trayPresence is the console status line of the tray menu, with a coloured mark that menus of
// every desktop can show.
func trayPresence(p Presence) string {
	mark := "⚪"
	switch p {
	case PresenceOnline:
		mark = "🟢"
	case PresenceBusy, PresenceAway:
		mark = "🟠"
	case PresenceOffline:
		mark = "🔴"
	}
	return mark + " " + presenceText(p)
}
