package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
)

// Fixes the checks suggest, as commands of the app.
const (
	fixProvision = "run rescue-companion doctor --provision (as a System Customizer)"
	fixKeyCmd    = "run rescue-companion doctor --fix"
	fixSignIn    = "run rescue-companion signin"
	fixRescue    = "run rescue-companion rescue-auth"
)

// run is one run of the checks, carrying what later checks need from earlier ones.
type run struct {
	d        Deps
	checks   []Check
	signedIn bool
	sessions *tableState // the session table as found, nil when not found
	key      *dynamics.EntityKey
	code     string // the Rescue auth code, when it works
	techID   int
	reached  bool // the Rescue API answered
}

// tableState is a table doctor found, with its columns.
type tableState struct {
	table   dynamics.Table
	columns map[string]string // logical name → AttributeType
}

// Run makes every check, in order, and returns one line for each. It never stops early: a check that
// depends on one that failed is reported as skipped.
func Run(ctx context.Context, d Deps) []Check {
	r := &run{d: d.withDefaults()}
	steps := []func(context.Context) Check{
		r.checkConfig, r.checkDynamics, r.checkSessionTable, r.checkTechnicianTable,
		r.checkSessionKey, r.checkKeyJobs, r.checkRescue, r.checkAuthCode, r.checkConsole,
	}
	for _, step := range steps {
		if ctx.Err() != nil {
			break
		}
		cctx, cancel := context.WithTimeout(ctx, r.d.CheckTimeout)
		r.checks = append(r.checks, step(cctx))
		cancel()
	}
	return r.checks
}

func ok(id, name, detail string) Check {
	return Check{ID: id, Name: name, Status: StatusOK, Detail: detail}
}

func fail(id, name, detail, fix string) Check {
	return Check{ID: id, Name: name, Status: StatusFail, Detail: detail, Fix: fix}
}

func skip(id, name, why string) Check {
	return Check{ID: id, Name: name, Status: StatusSkip, Detail: "not checked: " + why}
}

// oneLine folds an error's text onto one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

func (r *run) checkConfig(context.Context) Check {
	const name = "Settings"
	err := r.d.Config.Validate()
	if err == nil {
		return ok(IDConfig, name, "the settings are valid")
	}
	var problems []string
	for _, fe := range config.FieldErrors(err) {
		problems = append(problems, fe.Error())
	}
	if len(problems) == 0 {
		problems = append(problems, oneLine(err))
	}
	return fail(IDConfig, name, strings.Join(problems, "; "), "correct these settings in the settings file or the Settings window")
}

func (r *run) checkDynamics(ctx context.Context) Check {
	const name = "Dynamics sign-in"
	if r.d.Dynamics == nil {
		return skip(IDDynamics, name, "the Dynamics client could not be set up from the settings")
	}
	me, err := r.d.Dynamics.WhoAmI(ctx)
	switch {
	case err == nil:
		r.signedIn = true
		return ok(IDDynamics, name, fmt.Sprintf("%s answers; signed in as user %s", r.d.Config.Dynamics.URL, me.UserID))
	case errors.Is(err, dynamics.ErrSignInRequired):
		return fail(IDDynamics, name, "not signed in to Dynamics, or the sign-in has expired", fixSignIn)
	case errors.Is(err, dynamics.ErrAccessDenied):
		return fail(IDDynamics, name, "Dynamics refused the signed-in user: "+oneLine(err),
			"ask IT to add your user to the organisation "+r.d.Config.Dynamics.URL+" with a security role")
	}
	return fail(IDDynamics, name, "Dynamics could not be reached: "+oneLine(err),
		"check dynamics.url, the network and any proxy")
}

// findTable looks a table up by its entity set and reads its columns.
func (r *run) findTable(ctx context.Context, set string) (*tableState, bool, error) {
	t, found, err := r.d.Dynamics.TableBySet(ctx, set)
	if err != nil || !found {
		return nil, false, err
	}
	attrs, err := r.d.Dynamics.Attributes(ctx, t.LogicalName)
	if err != nil {
		return nil, true, err
	}
	st := &tableState{table: t, columns: map[string]string{}}
	for _, a := range attrs {
		st.columns[strings.ToLower(a.LogicalName)] = a.AttributeType
	}
	return st, true, nil
}

// missingColumns lists the columns of the spec the table lacks, the case lookup included.
func missingColumns(st *tableState, spec tableSpec) []string {
	var missing []string
	for _, c := range spec.columns {
		if _, ok := st.columns[logical(c.SchemaName)]; !ok {
			missing = append(missing, logical(c.SchemaName))
		}
	}
	if spec.lookup != nil {
		if typ, ok := st.columns[logical(spec.lookup.Lookup.SchemaName)]; !ok || typ != "Lookup" {
			missing = append(missing, logical(spec.lookup.Lookup.SchemaName)+" (lookup to incident)")
		}
	}
	return missing
}

func (r *run) checkTable(ctx context.Context, id, name string, spec tableSpec) (Check, *tableState) {
	if !r.signedIn {
		return skip(id, name, "Dynamics sign-in failed"), nil
	}
	st, found, err := r.findTable(ctx, spec.set)
	switch {
	case err != nil:
		return fail(id, name, "the "+spec.what+" could not be read: "+oneLine(err), "check that your user may read table definitions"), nil
	case !found:
		return fail(id, name, fmt.Sprintf("no table has the entity set %s", spec.set),
			fixProvision+", or correct the table's name in the settings"), nil
	}
	if missing := missingColumns(st, spec); len(missing) > 0 {
		return fail(id, name, fmt.Sprintf("%s (%s) lacks the columns %s", spec.set, st.table.LogicalName, strings.Join(missing, ", ")),
			fixProvision), st
	}
	return ok(id, name, fmt.Sprintf("%s (%s) has the %d columns the app writes", spec.set, st.table.LogicalName, len(spec.columns))), st
}

func (r *run) checkSessionTable(ctx context.Context) Check {
	c, st := r.checkTable(ctx, IDSessionTable, "Session table", sessionSpec(r.d.Tables.Sessions))
	r.sessions = st
	return c
}

func (r *run) checkTechnicianTable(ctx context.Context) Check {
	c, _ := r.checkTable(ctx, IDTechnicianTable, "Technician settings table", technicianSpec(r.d.Tables.Technicians))
	return c
}

// findSessionKey finds the session table's alternate key on the key column, whatever its name.
func findSessionKey(ctx context.Context, dv Dataverse, entity, keyColumn string) (*dynamics.EntityKey, error) {
	keys, err := dv.EntityKeys(ctx, entity)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if len(k.KeyAttributes) == 1 && strings.EqualFold(k.KeyAttributes[0], keyColumn) {
			return &k, nil
		}
	}
	return nil, nil
}

func (r *run) checkSessionKey(ctx context.Context) Check {
	const name = "Session key index"
	if r.sessions == nil {
		return skip(IDSessionKey, name, "the session table was not found")
	}
	entity, column := r.sessions.table.LogicalName, r.d.Tables.Sessions.KeyColumn
	k, err := findSessionKey(ctx, r.d.Dynamics, entity, column)
	switch {
	case err != nil:
		return fail(IDSessionKey, name, "the keys of "+entity+" could not be read: "+oneLine(err), "check that your user may read table definitions")
	case k == nil:
		return fail(IDSessionKey, name, fmt.Sprintf("%s has no alternate key on %s, so sessions cannot be written by their ID", entity, column), fixProvision)
	}
	r.key = k
	return keyCheck(*k)
}

// keyCheck says what a key's index status means for the write-back.
func keyCheck(k dynamics.EntityKey) Check {
	const name = "Session key index"
	switch k.Status {
	case dynamics.KeyActive:
		return ok(IDSessionKey, name, k.LogicalName+" is Active")
	case dynamics.KeyPending, dynamics.KeyInProgress:
		return Check{
			ID: IDSessionKey, Name: name, Status: StatusWait,
			Detail: fmt.Sprintf("%s is %s: Dynamics is building its index, and sessions wait in the outbox until it is done", k.LogicalName, k.Status),
			Fix:    "wait a few minutes, then run rescue-companion doctor again",
		}
	case dynamics.KeyFailed:
		return fail(IDSessionKey, name, k.LogicalName+" is Failed: its index could not be built, so no session can be written", fixKeyCmd)
	}
	return fail(IDSessionKey, name, fmt.Sprintf("%s has the unknown index status %q", k.LogicalName, k.Status), fixKeyCmd)
}

// jobLimit is how many failed key-index jobs are read: the newest says why, the count says how often.
const jobLimit = 10

func (r *run) checkKeyJobs(ctx context.Context) Check {
	const name = "Key index jobs"
	if !r.signedIn {
		return skip(IDKeyJobs, name, "Dynamics sign-in failed")
	}
	jobs, err := r.d.Dynamics.FailedKeyIndexJobs(ctx, jobLimit)
	if err != nil {
		return fail(IDKeyJobs, name, "the system jobs could not be read: "+oneLine(err), "check that your user may read system jobs")
	}
	if r.sessions != nil {
		entity := r.sessions.table.LogicalName
		jobs = slices.DeleteFunc(jobs, func(j dynamics.SystemJob) bool {
			return j.PrimaryEntityType != "" && !strings.EqualFold(j.PrimaryEntityType, entity)
		})
	}
	switch {
	case len(jobs) == 0:
		return ok(IDKeyJobs, name, "no failed key-index job")
	case r.key != nil && r.key.Status == dynamics.KeyActive:
		return ok(IDKeyJobs, name, fmt.Sprintf("%s in the history, from before the key became Active", countJobs(len(jobs))))
	}
	newest := jobs[0]
	why := newest.FriendlyMessage
	if why == "" {
		why = newest.Message
	}
	if why == "" {
		why = "no message"
	}
	when := ""
	if !newest.CreatedOn.IsZero() {
		when = " on " + newest.CreatedOn.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fail(IDKeyJobs, name, fmt.Sprintf("%s; the newest%s: %s", countJobs(len(jobs)), when, strings.Join(strings.Fields(why), " ")),
		"remove the cause, then "+fixKeyCmd)
}

func countJobs(n int) string {
	if n == 1 {
		return "1 failed key-index job"
	}
	if n >= jobLimit {
		return fmt.Sprintf("%d or more failed key-index jobs", n)
	}
	return fmt.Sprintf("%d failed key-index jobs", n)
}

func (r *run) checkRescue(ctx context.Context) Check {
	const name = "Rescue API"
	if r.d.Rescue == nil {
		return skip(IDRescue, name, "the Rescue client could not be set up from the settings")
	}
	// getAccount without an auth code changes nothing and is answered NOTLOGGEDIN: any status token
	// shows that the API is there.
	_, err := r.d.Rescue.Account(ctx, "")
	var rerr *rescue.Error
	if err == nil || errors.As(err, &rerr) {
		r.reached = true
		return ok(IDRescue, name, r.d.Config.Rescue.Endpoint+" answers")
	}
	return fail(IDRescue, name, "the Rescue API could not be reached: "+oneLine(err), "check rescue.endpoint, the network and any proxy")
}

func (r *run) checkAuthCode(ctx context.Context) Check {
	const name = "Rescue auth code"
	switch {
	case !r.reached:
		return skip(IDRescueAuth, name, "the Rescue API could not be reached")
	case r.d.AuthCode == nil:
		return skip(IDRescueAuth, name, "the keyring is not available")
	}
	code, kept, err := r.d.AuthCode(ctx)
	switch {
	case err != nil:
		return fail(IDRescueAuth, name, "the keyring could not be read: "+oneLine(err), "unlock the keyring, then run doctor again")
	case !kept || code == "":
		return fail(IDRescueAuth, name, "no Rescue auth code is kept on this computer", fixRescue)
	}
	acct, err := r.d.Rescue.Account(ctx, code)
	var rerr *rescue.Error
	switch {
	case errors.As(err, &rerr) && rerr.NeedsSignIn():
		return fail(IDRescueAuth, name, fmt.Sprintf("the kept auth code no longer works (%s)", rerr.Code), fixRescue)
	case err != nil:
		return fail(IDRescueAuth, name, "getAccount failed: "+oneLine(err), "run doctor again later; if it persists, "+fixRescue)
	case acct.TechID == 0:
		return fail(IDRescueAuth, name, fmt.Sprintf("the auth code works, but %s has no technician seat", acct.Email),
			"ask your Rescue administrator for a technician seat")
	}
	r.code, r.techID = code, acct.TechID
	if r.d.TechID != 0 {
		r.techID = r.d.TechID
	}
	return ok(IDRescueAuth, name, fmt.Sprintf("works for %s, technician %d", acct.Email, acct.TechID))
}

func (r *run) checkConsole(ctx context.Context) Check {
	const name = "Technician Console"
	if r.code == "" {
		return skip(IDConsole, name, "no working Rescue auth code")
	}
	u, err := r.d.Rescue.User(ctx, r.code, r.techID)
	if err != nil {
		return fail(IDConsole, name, "getUser_v3 failed: "+oneLine(err), "run doctor again later")
	}
	switch u.Status {
	case rescue.PresenceOnline, rescue.PresenceBusy, rescue.PresenceAway:
		return ok(IDConsole, name, fmt.Sprintf("running (%s)", u.StatusText))
	case rescue.PresenceOffline:
		if !r.d.Config.Options.RequireActiveConsole {
			return ok(IDConsole, name, "not running; PINs are issued all the same, as require_active_console is off")
		}
		return fail(IDConsole, name, "not running (Offline): PINs are refused until it runs", "start the Technician Console and sign in to it")
	case rescue.PresenceDisabled:
		return fail(IDConsole, name, "the technician is disabled in Rescue", "ask your Rescue administrator to enable your technician")
	}
	return ok(IDConsole, name, fmt.Sprintf("status %q", u.StatusText))
}
