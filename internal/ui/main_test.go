package ui

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	trayDelay = 0 // tests look at the tray as soon as the first screen is up
	os.Exit(m.Run())
}
