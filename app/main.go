// Command rescue-companion is the Rescue Companion tray app and its command line. This package is the
// composition root: it reads flags and settings, builds the services, then hands over to the UI or to
// a headless command.
package main

import (
	"os"

	"github.com/rescuecompanion/rescue-companion/internal/desktop"
)

// knownSecrets are the secrets this process has held, masked in crash reports on top of the
// patterns desktop.Redact knows.
var knownSecrets desktop.Secrets

func main() {
	_, stop := desktop.InstallCrashLog("", knownSecrets.Redact)
	code := exitError
	desktop.Guard(func() { code = run(os.Args[1:], os.Stdout, os.Stderr) })
	stop()
	os.Exit(code)
}
