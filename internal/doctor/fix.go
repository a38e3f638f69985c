package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
)

// ErrStillBuilding means the key's index was not built within Deps.PollFor; Dynamics goes on with
// it, and doctor can be run again later.
var ErrStillBuilding = errors.New("the key's index is still being built")

// Fix repairs what doctor can repair: a session key whose index Failed is reactivated
// (ReactivateEntityKey), and its metadata is then read every PollEvery until the key is Active,
// telling progress each time, for at most PollFor. A key already Pending or InProgress is waited for
// the same way; an Active key is left alone. Without the privilege the error wraps ErrNoPrivilege and
// nothing is changed. Missing tables or keys are for Provision. Fix ends with a fresh Run, whose
// checks it returns even with an error.
func Fix(ctx context.Context, d Deps, progress func(string)) ([]Check, error) {
	d = d.withDefaults()
	if progress == nil {
		progress = func(string) {}
	}
	err := fixKey(ctx, d, progress)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return Run(ctx, d), err
}

func fixKey(ctx context.Context, d Deps, progress func(string)) error {
	if d.Dynamics == nil {
		return errors.New("the Dynamics client could not be set up from the settings")
	}
	t := d.Tables.Sessions
	table, found, err := d.Dynamics.TableBySet(ctx, t.Set)
	switch {
	case err != nil:
		return err
	case !found:
		return fmt.Errorf("no table has the entity set %s: %s", t.Set, fixProvision)
	}
	k, err := findSessionKey(ctx, d.Dynamics, table.LogicalName, t.KeyColumn)
	switch {
	case err != nil:
		return err
	case k == nil:
		return fmt.Errorf("%s has no alternate key on %s: %s", table.LogicalName, t.KeyColumn, fixProvision)
	}
	switch k.Status {
	case dynamics.KeyActive:
		progress(fmt.Sprintf("the session key %s is Active: nothing to fix", k.LogicalName))
		return nil
	case dynamics.KeyFailed:
		progress(fmt.Sprintf("reactivating the session key %s of %s", k.LogicalName, table.LogicalName))
		if err := d.Dynamics.ReactivateEntityKey(ctx, table.LogicalName, k.LogicalName); err != nil {
			return privilegeError("reactivate the key "+k.LogicalName, err)
		}
	default:
		progress(fmt.Sprintf("the session key %s is %s: waiting for its index", k.LogicalName, k.Status))
	}
	return waitForKey(ctx, d, table.LogicalName, k.LogicalName, progress)
}

// waitForKey reads the key every PollEvery until it is Active or Failed, or PollFor has passed.
func waitForKey(ctx context.Context, d Deps, entity, key string, progress func(string)) error {
	var waited time.Duration
	for {
		k, err := d.Dynamics.EntityKey(ctx, entity, key)
		if err != nil {
			return err
		}
		progress(fmt.Sprintf("session key %s: %s (%s)", key, k.Status, waited))
		switch k.Status {
		case dynamics.KeyActive:
			return nil
		case dynamics.KeyFailed:
			return fmt.Errorf("the index of %s failed again%s", key, newestFailure(ctx, d, entity))
		}
		if waited >= d.PollFor {
			return fmt.Errorf("%w: %s is %s after %s; run rescue-companion doctor again later", ErrStillBuilding, key, k.Status, waited)
		}
		if err := d.Sleep(ctx, d.PollEvery); err != nil {
			return err
		}
		waited += d.PollEvery
	}
}

// newestFailure is ": <message>" of the newest failed key-index job of the table, or "".
func newestFailure(ctx context.Context, d Deps, entity string) string {
	jobs, err := d.Dynamics.FailedKeyIndexJobs(ctx, 1)
	if err != nil || len(jobs) == 0 || jobs[0].PrimaryEntityType != "" && !strings.EqualFold(jobs[0].PrimaryEntityType, entity) {
		return ""
	}
	why := jobs[0].FriendlyMessage
	if why == "" {
		why = jobs[0].Message
	}
	if why == "" {
		return ""
	}
	return ": " + strings.Join(strings.Fields(why), " ")
}
