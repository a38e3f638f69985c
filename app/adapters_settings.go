package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

// uiSettings is the Settings screen's service: the settings file under IT policy, and the company's
// SSO password in the keyring. New settings take effect at the next start of the app.
type uiSettings struct {
	svc  *services
	path string // the settings file; "" is the default path
}

func (u uiSettings) file() (string, error) {
	if u.path != "" {
		return u.path, nil
	}
	return config.DefaultPath()
}

func (u uiSettings) Load(ctx context.Context) (ui.SettingsForm, error) {
	path, err := u.file()
	if err != nil {
		return ui.SettingsForm{}, err
	}
	cfg, locked, err := loadConfigLocked(path)
	var fe *config.FieldError
	switch {
	case errors.Is(err, errNoSettingsFile):
		cfg, locked = u.svc.cfg, nil // nothing saved yet: start from what the app runs with
	case err != nil && !errors.As(err, &fe):
		return ui.SettingsForm{}, err
	}
	f := ui.SettingsForm{Config: cfg, Locked: map[string]bool{}}
	for k, v := range locked {
		f.Locked[k] = v
	}
	_, kerr := u.svc.keys.Get(ctx, ssoPasswordKey)
	f.SSOPasswordSet = kerr == nil
	if acct, ok := u.svc.rescue.get().Account(ctx); ok {
		f.TechnicianID = strconv.Itoa(acct.TechID)
	}
	return f, nil
}

// Save writes the user's own values: a managed setting keeps what the user's file had, so that
// IT's value never outlives its policy.
func (u uiSettings) Save(ctx context.Context, f ui.SettingsForm) error {
	path, err := u.file()
	if err != nil {
		return err
	}
	cfg := f.Config.Normalize()
	if err := cfg.Validate(); err != nil {
		return err
	}
	own, err := config.Load(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if cfg, err = keepUnlocked(cfg, own, f.Locked); err != nil {
		return err
	}
	if err := config.Save(path, cfg); err != nil {
		return err
	}
	if f.SSOPassword != "" && !f.Locked[ui.SSOPasswordKey] {
		if err := u.svc.keys.Set(ctx, ssoPasswordKey, f.SSOPassword); err != nil {
			return fmt.Errorf("the settings are saved, but the SSO password could not be kept: %w", err)
		}
	}
	return nil
}

// keepUnlocked is the form's settings with every locked key set back to the user's own value. It
// goes through TOML, whose tables and keys are the contract keys.
func keepUnlocked(form, own config.Config, locked map[string]bool) (config.Config, error) {
	formMap, err := tomlMap(form)
	if err != nil {
		return form, err
	}
	ownMap, err := tomlMap(own)
	if err != nil {
		return form, err
	}
	for key, isLocked := range locked {
		table, name, ok := strings.Cut(key, ".")
		if !isLocked || !ok || formMap[table] == nil {
			continue
		}
		formMap[table][name] = ownMap[table][name]
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(formMap); err != nil {
		return form, err
	}
	return config.Parse(buf.Bytes())
}

func tomlMap(c config.Config) (map[string]map[string]any, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	_, err := toml.Decode(buf.String(), &out)
	return out, err
}

// uiTeam is the lead's view: every technician's sessions from Dynamics.
type uiTeam struct{ svc *services }

func (u uiTeam) Sessions(ctx context.Context, period time.Duration) ([]ui.SessionDetails, error) {
	list, err := u.svc.desk.get().Team(ctx, time.Now().Add(-period))
	if err != nil {
		return nil, uiError(err)
	}
	s := uiSessions(u)
	out := make([]ui.SessionDetails, 0, len(list))
	for _, d := range list {
		ud := s.uiDetails(d)
		ud.WrittenBack, ud.CaseResolved = true, d.CaseResolved
		out = append(out, ud)
	}
	return out, nil
}
