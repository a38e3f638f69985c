// Package ui holds the Fyne screens and the tray. It is one of the two packages allowed to import Fyne
// (the other is app/). Screens get their data and actions as plain values and small interfaces
// declared here; they never reach the network, the keyring or the browser themselves.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/rescuecompanion/rescue-companion/assets"
)

// Environment is what the home screen says about where the app is connected.
type Environment struct {
	Sandbox        bool   // the embedded sandbox with sample data
	Organisation   string // a human name for the organisation, e.g. its domain
	DynamicsURL    string
	RescueEndpoint string
	Version        string // the app's version, as FyneApp.toml gives it
}

// LoadTranslations registers the English and French texts. Call it once, before building any screen.
func LoadTranslations() error {
	return lang.AddTranslationsFS(assets.Translations, "translations")
}

// AppIcon is the full-colour application icon.
func AppIcon() fyne.Resource {
	return fyne.NewStaticResource("rescue-companion.png", assets.AppIconPNG)
}

// TrayIcon is the tray icon, a raster image as system trays want.
func TrayIcon() fyne.Resource {
	return fyne.NewStaticResource("tray.png", assets.TrayIconPNG)
}
