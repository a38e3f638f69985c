// Command rescue-companion is the Rescue Companion tray app and its command line. This package is the
// composition root: it reads flags and settings, builds the services, then hands over to the UI or to
// a headless command.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
