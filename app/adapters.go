package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/auth"
	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

// The screens speak in their own small types (package ui); these adapters translate.

type uiAuth struct{ svc *services }

func (u uiAuth) Account(ctx context.Context) (ui.Account, bool) {
	a, ok := u.svc.auth.Account(ctx)
	return ui.Account{Username: a.Username, Name: a.Name}, ok
}

func (u uiAuth) SignIn(ctx context.Context) (ui.Account, error) {
	a, err := u.svc.auth.SignIn(ctx)
	return ui.Account{Username: a.Username, Name: a.Name}, uiError(err)
}

func (u uiAuth) SignInWithDeviceCode(ctx context.Context, show func(ui.DeviceCode)) (ui.Account, error) {
	a, err := u.svc.auth.SignInWithDeviceCode(ctx, func(dc auth.DeviceCode) {
		show(ui.DeviceCode{UserCode: dc.UserCode, VerificationURL: dc.VerificationURL, ExpiresAt: dc.ExpiresAt})
	})
	return ui.Account{Username: a.Username, Name: a.Name}, uiError(err)
}

// SignOut forgets the account and the cases kept for it.
func (u uiAuth) SignOut(ctx context.Context) error {
	return errors.Join(u.svc.auth.SignOut(ctx), u.svc.cases.get().Forget())
}

type uiCases struct{ svc *services }

func (u uiCases) Cached() (ui.CaseList, bool) {
	list, ok := u.svc.cases.get().Cached()
	return toUIList(list), ok
}

func (u uiCases) Refresh(ctx context.Context, wait func(time.Duration)) (ui.CaseList, error) {
	stop := u.svc.relay.Listen(wait)
	defer stop()
	list, err := u.svc.cases.get().Refresh(ctx)
	var notKept *companion.NotKeptError
	if errors.As(err, &notKept) {
		err = nil // the list is fresh; it only could not be kept, which the next start will show
	}
	return toUIList(list), uiError(err)
}

func toUIList(l companion.CaseList) ui.CaseList {
	out := ui.CaseList{AsOf: l.AsOf, Cases: make([]ui.Case, len(l.Cases))}
	for i, c := range l.Cases {
		out.Cases[i] = ui.Case{
			ID: c.ID, Number: c.Number, Title: c.Title, Description: c.Description,
			Customer: c.Customer, CustomerEmail: c.CustomerEmail,
			Priority: c.Priority, PriorityCode: c.PriorityCode, Status: c.Status, Owner: c.Owner,
			Created: c.CreatedOn, Modified: c.ModifiedOn,
		}
	}
	return out
}

type uiLinks struct{ svc *services }

func (u uiLinks) OpenCase(c ui.Case) error  { return u.svc.opener(u.svc.dyn.CaseURL(c.ID)) }
func (u uiLinks) OpenURL(url string) error  { return u.svc.opener(url) }
func (u uiLinks) OpenMail(url string) error { return u.svc.mailer(url) }

// uiError marks the errors after which the technician must sign in again, whichever client saw it.
func uiError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, auth.ErrSignInRequired) || errors.Is(err, dynamics.ErrSignInRequired) {
		return fmt.Errorf("%w: %v", ui.ErrSignInRequired, err)
	}
	if errors.Is(err, auth.ErrNoBrowser) {
		return fmt.Errorf("%w: %v", ui.ErrNoBrowser, err)
	}
	return err
}

// Persistence is false when either the sign-in or the case list lives in memory only.
func (u uiAuth) Persistence() (bool, string) {
	if ok, reason := u.svc.auth.Persistence(); !ok {
		return false, reason
	}
	u.svc.store.get()
	if u.svc.store.problem != nil {
		return false, u.svc.store.problem.Error()
	}
	return true, ""
}
