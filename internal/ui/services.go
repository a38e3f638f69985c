package ui

import (
	"context"
	"errors"
	"time"
)

// The screens reach the world only through the values below, which the composition root (app/)
// builds from the real clients. Nothing here blocks the UI goroutine: the screens call these from
// goroutines and come back with fyne.Do.

// ErrSignInRequired is what a service returns (wrapped or not) when the technician must sign in again.
var ErrSignInRequired = errors.New("sign-in required")

// ErrNoBrowser is what SignIn returns (wrapped or not) when no browser could be opened: the shell then
// offers a device code instead.
var ErrNoBrowser = errors.New("no browser could be opened")

// Account is the signed-in technician.
type Account struct {
	Username string // e.g. camille@contoso.example
	Name     string
}

// DeviceCode is what the technician types on another device to sign in.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	ExpiresAt       time.Time
}

// Auth signs the technician in and out.
type Auth interface {
	// Account is the signed-in account from the local cache; it makes no network call.
	Account(ctx context.Context) (Account, bool)
	// SignIn opens the system browser (or the sandbox's picker) and waits; ctx cancels it.
	SignIn(ctx context.Context) (Account, error)
	// SignInWithDeviceCode calls show once with the code, then waits for the technician; ctx cancels it.
	SignInWithDeviceCode(ctx context.Context, show func(DeviceCode)) (Account, error)
	SignOut(ctx context.Context) error
	// Persistence says whether the sign-in and the cases are kept for next time; when not, reason
	// says why in one line (typically a missing or locked keyring). It may wait on the keyring.
	Persistence() (ok bool, reason string)
}

// Case is one case as the screens show it.
type Case struct {
	ID            string
	Number        string
	Title         string
	Description   string
	Customer      string
	CustomerEmail string
	Priority      string
	PriorityCode  int // 1 high, 2 normal, 3 low: sorts by urgency
	Status        string
	Owner         string
	Created       time.Time
	Modified      time.Time
}

// CaseList is a list of cases and when it was fetched.
type CaseList struct {
	Cases []Case
	AsOf  time.Time
}

// Cases gives the technician's open cases.
type Cases interface {
	// Cached is the last list kept on this computer, at once and without the network.
	Cached() (CaseList, bool)
	// Refresh fetches the list from Dynamics and keeps it. wait is told before each pause when
	// Dynamics asks the app to slow down.
	Refresh(ctx context.Context, wait func(time.Duration)) (CaseList, error)
}

// Links opens things outside the app.
type Links interface {
	OpenCase(c Case) error // the case in Dynamics, in the system browser
	OpenURL(url string) error
}
