package main

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

// ssoPasswordKey is the keyring entry holding the company's master SSO password, set in the settings.
const ssoPasswordKey = "rescue-sso-password"

// uiRescue is the Rescue side as the screens see it.
type uiRescue struct {
	svc    *services
	record *sync.Once // the technician settings record is looked after once per run
}

func newUIRescue(svc *services) uiRescue { return uiRescue{svc: svc, record: &sync.Once{}} }

func (u uiRescue) Account(ctx context.Context) (ui.RescueAccount, bool) {
	a, ok := u.svc.rescue.get().Account(ctx)
	return ui.RescueAccount{Email: a.Email, TechnicianID: a.TechID}, ok
}

func (u uiRescue) SignIn(ctx context.Context, c ui.RescueCredentials) (ui.RescueAccount, error) {
	creds, err := u.svc.credentials(ctx, c.Email, c.Password, c.SSOID, c.Token)
	if err != nil {
		return ui.RescueAccount{}, err
	}
	a, err := u.svc.rescue.get().SignIn(ctx, creds)
	var notKept *companion.NotKeptError
	if errors.As(err, &notKept) {
		err = nil // signed in for this run; the shell says that it is not kept
	}
	return ui.RescueAccount{Email: a.Email, TechnicianID: a.TechID}, uiRescueError(err)
}

func (u uiRescue) Forget(ctx context.Context) error { return u.svc.rescue.get().Forget(ctx) }

func (u uiRescue) Presence(ctx context.Context, maxAge time.Duration) (ui.Presence, error) {
	p, err := u.svc.rescue.get().Presence(ctx, maxAge)
	return uiPresence(p.Status), uiRescueError(err)
}

func uiPresence(p rescue.Presence) ui.Presence {
	switch p {
	case rescue.PresenceOnline:
		return ui.PresenceOnline
	case rescue.PresenceBusy:
		return ui.PresenceBusy
	case rescue.PresenceAway:
		return ui.PresenceAway
	case rescue.PresenceOffline, rescue.PresenceDisabled:
		return ui.PresenceOffline
	}
	return ui.PresenceUnknown
}

// RequestPIN asks for the PIN, then looks after the technician settings record in the background:
// the technician reads the PIN out while Dynamics is written to.
func (u uiRescue) RequestPIN(ctx context.Context, c ui.Case) (ui.PINCode, error) {
	p, err := u.svc.rescue.get().RequestPIN(ctx, companion.CaseRef{
		ID: c.ID, Number: c.Number, Customer: c.Customer, CustomerEmail: c.CustomerEmail,
	})
	if err != nil {
		return ui.PINCode{}, uiRescueError(err)
	}
	if err := u.svc.desk.get().Tracker.Follow(p); err != nil {
		log.Printf("the session will not be followed after a restart: %v", err)
	}
	go u.record.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := u.svc.ensureTechnicianRecord(ctx); err != nil {
			log.Printf("technician settings record: %v", err)
		}
	})
	pin := uiPIN(p)
	pin.CustomerEmail = c.CustomerEmail
	return pin, nil
}

func uiPIN(p companion.PIN) ui.PINCode {
	return ui.PINCode{
		Code: p.Code, CaseID: p.CaseID, CaseNumber: p.CaseNumber, Customer: p.Customer,
		JoinURL: p.JoinURL, IssuedAt: p.IssuedAt, ExpiresAt: p.ExpiresAt,
	}
}

func (u uiRescue) LastPIN(caseID string) (ui.PINCode, bool) {
	pins, err := u.svc.rescue.get().History(caseID)
	if err != nil || len(pins) == 0 {
		return ui.PINCode{}, false
	}
	return uiPIN(pins[len(pins)-1]), true
}

func (u uiRescue) RequireConsole() bool { return u.svc.cfg.Options.RequireActiveConsole }

// SSO is possible when the settings name the company; its SSO password is read from the keyring
// only when the technician signs in.
func (u uiRescue) SSO() bool { return u.svc.cfg.Rescue.CompanyID != "" }

// credentials completes what the technician typed with the company's SSO settings.
func (s *services) credentials(ctx context.Context, email, password, ssoID, token string) (companion.Credentials, error) {
	knownSecrets.Add(password, token)
	c := companion.Credentials{Email: email, Password: password, SSOID: ssoID, Token: token}
	if ssoID == "" {
		return c, nil
	}
	c.CompanyID = s.cfg.Rescue.CompanyID
	pw, err := s.keys.Get(ctx, ssoPasswordKey)
	if errors.Is(err, secrets.ErrNotFound) {
		return c, errNoSSOPassword
	}
	c.SSOPassword = pw
	return c, err
}

var errNoSSOPassword = errors.New("the company's SSO password is not set: set it in the settings, or sign in with e-mail and password")

// ensureTechnicianRecord creates the technician settings record in Dynamics if it is missing.
func (s *services) ensureTechnicianRecord(ctx context.Context) error {
	return s.rescue.get().EnsureTechnicianRecord(ctx, s.technicians(), s.cfg.Rescue.TechnicianSSOID)
}

// uiRescueError turns the Rescue side's errors into the screens' RescueError, whose code picks the message.
func uiRescueError(err error) error {
	if err == nil {
		return nil
	}
	var lost *companion.LostReplyError
	var re *rescue.Error
	switch {
	case errors.As(err, &lost):
		return &ui.RescueError{Code: ui.CodeLostReply, SessionID: lost.SessionID}
	case errors.As(err, &re):
		return &ui.RescueError{Code: string(re.Code)}
	case errors.Is(err, companion.ErrRescueSignInRequired):
		return &ui.RescueError{Code: ui.CodeSignInRequired}
	case errors.Is(err, companion.ErrNotTechnician):
		return &ui.RescueError{Code: string(rescue.CodeNotTechnician)}
	case errors.Is(err, companion.ErrCaseNotSaved):
		return &ui.RescueError{Code: ui.CodeCaseNotSaved}
	case unreachable(err):
		return &ui.RescueError{Code: ui.CodeUnreachable, Detail: err.Error()}
	}
	return err
}

// unreachable reports an error of the network or of the service's front end, not of Rescue's answer.
func unreachable(err error) bool {
	var he *rescue.HTTPError
	return errors.Is(err, rescue.ErrUnreachable) || errors.Is(err, rescue.ErrMalformed) ||
		errors.As(err, &he) || errors.Is(err, context.DeadlineExceeded)
}
