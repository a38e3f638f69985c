// Package assets embeds the icons and translations that ship inside the binary. It holds bytes only;
// internal/ui turns them into Fyne resources, so that nothing here depends on the toolkit.
package assets

import "embed"

// AppIconPNG is the full-colour application icon at 256×256 in 8-bit colour, the size windows and
// docks use; decoding the 512-pixel, 16-bit original (icons/app.png, for installers) cost 110 ms of
// start-up.
//
//go:embed icons/app-256.png
var AppIconPNG []byte

// TrayIconPNG is the tray icon: a white lifebuoy outlined in near-black, readable on light and dark
// panels alike. The system trays of Linux and Windows take raster images only; icons/tray.svg is its
// source (make the PNG with: convert -background none -density 300 tray.svg -resize 64x64 tray.png,
// after giving the shapes a white fill and a 2.5-unit dark stroke).
//
//go:embed icons/tray.png
var TrayIconPNG []byte

// Translations holds one go-i18n JSON file per language under translations/ (en.json, fr.json).
//
//go:embed translations/*.json
var Translations embed.FS
