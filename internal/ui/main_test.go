package ui

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	trayDelay = 0     // tests look at the tray as soon as the first screen is up
	presenceEvery = 0 // no background polling: tests ask for the console status themselves
	pinTick = 0       // the PIN's validity is redrawn by the tests, against a stopped clock
	liveTick = 0      // so is the live status of a session
	os.Exit(m.Run())
}
