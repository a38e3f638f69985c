package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/doctor"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

// doctorDeps are what the doctor checks with: the running services, or as much of them as the
// settings allow.
func doctorDeps(svc *services) doctor.Deps {
	d := doctor.Deps{Config: svc.cfg}
	if svc.dyn != nil {
		d.Dynamics = svc.dyn
	}
	if svc.rc != nil {
		d.Rescue = svc.rc
	}
	d.AuthCode = func(ctx context.Context) (string, bool, error) {
		code, err := svc.keys.Get(ctx, companion.AuthCodeKey)
		if errors.Is(err, secrets.ErrNotFound) {
			return "", false, nil
		}
		return code, err == nil, err
	}
	return d
}

func runDoctor(args []string, e cliEnv) int {
	fs, configPath := e.flags("doctor")
	fix := fs.Bool("fix", false, "repair what can be repaired (reactivate the session key) and wait until it is done")
	provision := fs.Bool("provision", false, "create the session and technician tables, their columns and the key when missing")
	asJSON := fs.Bool("json", false, "print the checks as one JSON array")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	defer svc.close()
	ctx, cancel := interruptible(15 * time.Minute)
	defer cancel()
	deps := doctorDeps(svc)
	progress := func(step string) { fmt.Fprintln(e.stderr, step) }
	if *provision {
		changed, err := doctor.Provision(ctx, deps, progress)
		for _, c := range changed {
			fmt.Fprintf(e.stdout, "created %s\n", c)
		}
		if err != nil {
			return e.fail(err)
		}
	}
	var checks []doctor.Check
	if *fix {
		var err error
		if checks, err = doctor.Fix(ctx, deps, progress); err != nil {
			failure(e.stderr, err)
		}
	} else {
		checks = doctor.Run(ctx, deps)
	}
	if *asJSON {
		printJSON(e.stdout, checks)
	} else {
		for _, c := range checks {
			fmt.Fprintln(e.stdout, c.Line())
		}
	}
	if !doctor.Healthy(checks) {
		return exitError
	}
	return exitOK
}

// uiDiagnostics is the Diagnostics screen's service.
type uiDiagnostics struct{ svc *services }

func (u uiDiagnostics) Run(ctx context.Context) ([]ui.CheckResult, error) {
	return uiChecks(doctor.Run(ctx, doctorDeps(u.svc))), nil
}

func (u uiDiagnostics) Fix(ctx context.Context, progress func(string)) ([]ui.CheckResult, error) {
	checks, err := doctor.Fix(ctx, doctorDeps(u.svc), progress)
	return uiChecks(checks), err
}

func (u uiDiagnostics) Provision(ctx context.Context, progress func(string)) ([]string, error) {
	return doctor.Provision(ctx, doctorDeps(u.svc), progress)
}

func uiChecks(checks []doctor.Check) []ui.CheckResult {
	out := make([]ui.CheckResult, 0, len(checks))
	for _, c := range checks {
		out = append(out, ui.CheckResult{
			Name: c.Name, Detail: c.Detail, Fix: c.Fix, OK: c.Status == doctor.StatusOK,
			Warning: c.Status == doctor.StatusWait || c.Status == doctor.StatusSkip,
			Fixable: c.ID == doctor.IDSessionKey && c.Status == doctor.StatusFail,
		})
	}
	return out
}
