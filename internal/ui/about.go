package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// AppID is the app's identifier, as FyneApp.toml and the installers name it.
const AppID = "com.rescuecompanion.app"

// showAbout opens the About box: the app's name, version and identifier, and what it joins.
func (s *Shell) showAbout() {
	s.Show()
	icon := canvas.NewImageFromResource(AppIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(64, 64))
	name := widget.NewLabelWithStyle(lang.L("Rescue Companion"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	version := widget.NewLabel(fmt.Sprintf(lang.L("Version %s"), s.env.Version))
	version.Alignment = fyne.TextAlignCenter
	id := widget.NewLabel(AppID)
	id.Alignment = fyne.TextAlignCenter
	id.Importance = widget.LowImportance
	what := widget.NewLabel(lang.L("Joins LogMeIn Rescue remote support to Microsoft Dynamics 365 cases."))
	what.Alignment = fyne.TextAlignCenter
	what.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(container.NewCenter(icon), name, version, id, what)
	d := dialog.NewCustom(lang.L("About Rescue Companion"), lang.L("Close"), body, s.window)
	d.Resize(fyne.NewSize(380, 0))
	d.Show()
}

// Autostart starts the app when the user signs in to the computer.
type Autostart interface {
	Enabled() (bool, error)
	SetEnabled(on bool) error
}

// loadAutostart reads whether the app starts at login, off the UI goroutine, for the tray's tick.
func (s *Shell) loadAutostart() {
	if s.svc.Autostart == nil {
		return
	}
	s.async(func() {
		on, err := s.svc.Autostart.Enabled()
		fyne.Do(func() {
			s.autostart = on && err == nil
			if s.tray != nil {
				s.tray.SetSystemTrayMenu(s.trayMenu())
			}
		})
	})
}

// toggleAutostart turns starting at login on or off.
func (s *Shell) toggleAutostart() {
	want := !s.autostart
	s.async(func() {
		err := s.svc.Autostart.SetEnabled(want)
		fyne.Do(func() {
			if err != nil {
				s.cases.setBanner(fmt.Sprintf(lang.L("Could not change starting at login: %s"), err))
			} else {
				s.autostart = want
			}
			if s.tray != nil {
				s.tray.SetSystemTrayMenu(s.trayMenu())
			}
		})
	})
}

// systemItems are the tray's items about the app itself: start at login, and About.
func (s *Shell) systemItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	if s.svc.Autostart != nil {
		login := fyne.NewMenuItem(lang.L("Start at login"), s.toggleAutostart)
		login.Checked = s.autostart
		items = append(items, login)
	}
	return append(items, fyne.NewMenuItem(lang.L("About Rescue Companion"), s.showAbout))
}
