// Package assets embeds the icons and translations that ship inside the binary. It holds bytes only;
// internal/ui turns them into Fyne resources, so that nothing here depends on the toolkit.
package assets

import "embed"

// AppIconPNG is the full-colour application icon (512×512).
//
//go:embed icons/app.png
var AppIconPNG []byte

// TrayIconSVG is the monochrome tray icon; the UI themes it so it follows light and dark panels.
//
//go:embed icons/tray.svg
var TrayIconSVG []byte

// Translations holds one go-i18n JSON file per language under translations/ (en.json, fr.json).
//
//go:embed translations/*.json
var Translations embed.FS
