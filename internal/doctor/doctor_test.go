package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/outbox"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
	"github.com/rescuecompanion/rescue-companion/internal/store"
)

func TestSeededSandboxIsHealthy(t *testing.T) {
	f := newFixture(t, options{})
	checks := Run(context.Background(), f.deps(nil))
	c := byID(t, checks)
	for _, check := range checks {
		if check.Status != StatusOK {
			t.Errorf("%s", check.Line())
		}
	}
	expect(t, c[IDSessionTable], StatusOK, "lmi_sessions (lmi_session) has the 19 columns", "")
	expect(t, c[IDTechnicianTable], StatusOK, "lmi_usersettings (lmi_usersetting) has the 2 columns", "")
	expect(t, c[IDSessionKey], StatusOK, "lmi_sessionkey is Active", "")
	expect(t, c[IDKeyJobs], StatusOK, "no failed key-index job", "")
	expect(t, c[IDRescueAuth], StatusOK, fmt.Sprintf("technician %d", f.tech.RescueNodeID), "")
	expect(t, c[IDConsole], StatusOK, "running (Online)", "")
	if !Healthy(checks) {
		t.Error("not healthy")
	}
	if want := "ok    Session key index: lmi_sessionkey is Active"; c[IDSessionKey].Line() != want {
		t.Errorf("line %q, want %q", c[IDSessionKey].Line(), want)
	}
	for _, check := range checks {
		if strings.Contains(check.Line(), f.code) {
			t.Fatalf("the auth code shows in %q", check.Line())
		}
	}
}

func TestKeyStatuses(t *testing.T) {
	for _, tc := range []struct {
		status      string
		key, jobs   Status
		detail, fix string
		jobDetail   string
		healthy     bool
	}{
		{"Active", StatusOK, StatusOK, "lmi_sessionkey is Active", "", "no failed key-index job", true},
		{"Pending", StatusWait, StatusOK, "lmi_sessionkey is Pending: Dynamics is building its index", "wait a few minutes", "no failed key-index job", true},
		{"InProgress", StatusWait, StatusOK, "lmi_sessionkey is InProgress", "run rescue-companion doctor again", "no failed key-index job", true},
		{
			"Failed", StatusFail, StatusFail, "lmi_sessionkey is Failed", "doctor --fix",
			"1 failed key-index job; the newest on 2026-03-10 09:30 UTC: The alternate key Session key could not be activated because some rows share the same key values.", false,
		},
	} {
		t.Run(tc.status, func(t *testing.T) {
			f := newFixture(t, options{})
			if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", tc.status); err != nil {
				t.Fatal(err)
			}
			checks := Run(context.Background(), f.deps(nil))
			c := byID(t, checks)
			expect(t, c[IDSessionKey], tc.key, tc.detail, tc.fix)
			expect(t, c[IDKeyJobs], tc.jobs, tc.jobDetail, "")
			if tc.jobs == StatusFail && c[IDKeyJobs].Fix != "remove the cause, then run rescue-companion doctor --fix" {
				t.Errorf("fix %q", c[IDKeyJobs].Fix)
			}
			if Healthy(checks) != tc.healthy {
				t.Errorf("healthy = %v", !tc.healthy)
			}
		})
	}
}

func TestFailedJobsAreHistoryOnceTheKeyIsActive(t *testing.T) {
	f := newFixture(t, options{})
	for _, status := range []string{"Failed", "Failed", "Active"} {
		if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", status); err != nil {
			t.Fatal(err)
		}
	}
	c := byID(t, Run(context.Background(), f.deps(nil)))
	expect(t, c[IDKeyJobs], StatusOK, "2 failed key-index jobs in the history, from before the key became Active", "")
}

func TestMissingTables(t *testing.T) {
	f := newFixture(t, options{dataverse: func(o *dataverse.Options) { o.WithoutSolution = true }})
	checks := Run(context.Background(), f.deps(nil))
	c := byID(t, checks)
	expect(t, c[IDSessionTable], StatusFail, "no table has the entity set lmi_sessions", "doctor --provision")
	expect(t, c[IDTechnicianTable], StatusFail, "no table has the entity set lmi_usersettings", "doctor --provision")
	expect(t, c[IDSessionKey], StatusSkip, "the session table was not found", "")
	expect(t, c[IDKeyJobs], StatusOK, "no failed key-index job", "")
	expect(t, c[IDRescue], StatusOK, "answers", "")
	if Healthy(checks) {
		t.Error("healthy without tables")
	}
}

func TestMissingColumns(t *testing.T) {
	f := newFixture(t, options{})
	d := f.deps(nil)
	d.Config.Dataverse.TechnicianSSOColumn = "lmi_ssoidentifier"
	c := byID(t, Run(context.Background(), d))
	expect(t, c[IDTechnicianTable], StatusFail, "lmi_usersettings (lmi_usersetting) lacks the columns lmi_ssoidentifier", "doctor --provision")
	expect(t, c[IDSessionTable], StatusOK, "", "")
}

func TestSignInAndSettingsProblems(t *testing.T) {
	f := newFixture(t, options{token: "tok-nobody"})
	d := f.deps(nil)
	d.Config.Dynamics.TenantID = "not-a-guid"
	c := byID(t, Run(context.Background(), d))
	expect(t, c[IDConfig], StatusFail, `dynamics.tenant_id: "not-a-guid" is not a GUID`, "correct these settings")
	expect(t, c[IDDynamics], StatusFail, "not signed in to Dynamics", "run rescue-companion signin")
	for _, id := range []string{IDSessionTable, IDTechnicianTable, IDSessionKey, IDKeyJobs} {
		expect(t, c[id], StatusSkip, "not checked:", "")
	}
	expect(t, c[IDConsole], StatusOK, "running", "")

	d.Dynamics, d.Rescue = nil, nil
	c = byID(t, Run(context.Background(), d))
	expect(t, c[IDDynamics], StatusSkip, "could not be set up", "")
	expect(t, c[IDRescue], StatusSkip, "could not be set up", "")
	expect(t, c[IDConsole], StatusSkip, "no working Rescue auth code", "")
}

func TestRescueChecks(t *testing.T) {
	for _, tc := range []struct {
		name          string
		change        func(f *fixture, d *Deps)
		auth, console Status
		detail, fix   string
		consoleDetail string
	}{
		{
			"no auth code kept", func(f *fixture, d *Deps) { f.kept = false }, StatusFail, StatusSkip,
			"no Rescue auth code is kept", "run rescue-companion rescue-auth", "no working Rescue auth code",
		},
		{
			"a replaced auth code", func(f *fixture, d *Deps) { f.code = "tok-replaced" }, StatusFail, StatusSkip,
			"no longer works (INVALID_SECRETAUTHCODE)", "run rescue-companion rescue-auth", "not checked",
		},
		{"a locked keyring", func(f *fixture, d *Deps) {
			d.AuthCode = func(context.Context) (string, bool, error) { return "", false, errors.New("the keyring is locked") }
		}, StatusFail, StatusSkip, "the keyring could not be read: the keyring is locked", "unlock the keyring", "not checked"},
		{"console closed", func(f *fixture, d *Deps) {
			if err := f.rs.SetConsole(f.tech.Key, false); err != nil {
				panic(err)
			}
		}, StatusOK, StatusFail, "works for", "", "not running (Offline)"},
		{"console closed, not required", func(f *fixture, d *Deps) {
			_ = f.rs.SetConsole(f.tech.Key, false)
			d.Config.Options.RequireActiveConsole = false
		}, StatusOK, StatusOK, "works for", "", "PINs are issued all the same"},
		{"away", func(f *fixture, d *Deps) { _ = f.rs.SetAway(f.tech.Key, true) }, StatusOK, StatusOK, "works for", "", "running (Away)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, options{})
			d := f.deps(nil)
			tc.change(f, &d)
			c := byID(t, Run(context.Background(), d))
			expect(t, c[IDRescue], StatusOK, "answers", "")
			expect(t, c[IDRescueAuth], tc.auth, tc.detail, tc.fix)
			expect(t, c[IDConsole], tc.console, tc.consoleDetail, "")
		})
	}
}

func TestRescueUnreachable(t *testing.T) {
	f := newFixture(t, options{})
	rc, err := rescue.New("https://127.0.0.1:1/API", rescue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := f.deps(nil)
	d.Rescue = rc
	c := byID(t, Run(context.Background(), d))
	expect(t, c[IDRescue], StatusFail, "the Rescue API could not be reached", "check rescue.endpoint")
	expect(t, c[IDRescueAuth], StatusSkip, "could not be reached", "")
	expect(t, c[IDConsole], StatusSkip, "no working Rescue auth code", "")
}

func TestFixReactivatesAFailedKey(t *testing.T) {
	f := newFixture(t, options{})
	if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", "Failed"); err != nil {
		t.Fatal(err)
	}
	var progress []string
	s := &sleeps{}
	checks, err := Fix(context.Background(), f.deps(s), func(line string) { progress = append(progress, line) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"reactivating the session key lmi_sessionkey of lmi_session", "session key lmi_sessionkey: Active (0s)"}
	if !slices.Equal(progress, want) {
		t.Errorf("progress %q, want %q", progress, want)
	}
	c := byID(t, checks)
	expect(t, c[IDSessionKey], StatusOK, "Active", "")
	expect(t, c[IDKeyJobs], StatusOK, "1 failed key-index job in the history", "")
	if status, _ := f.dv.KeyStatus("lmi_session", "lmi_sessionkey"); status != "Active" {
		t.Errorf("the fake's key is %s", status)
	}
	if len(s.got) != 0 {
		t.Errorf("slept %v for a key that was Active at once", s.got)
	}
}

func TestFixWaitsForAPendingKey(t *testing.T) {
	f := newFixture(t, options{})
	if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", "Pending"); err != nil {
		t.Fatal(err)
	}
	s := &sleeps{hook: func(n int) {
		status := map[int]string{1: "InProgress", 2: "Active"}[n]
		if status != "" {
			_ = f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", status)
		}
	}}
	var progress []string
	checks, err := Fix(context.Background(), f.deps(s), func(line string) { progress = append(progress, line) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"the session key lmi_sessionkey is Pending: waiting for its index",
		"session key lmi_sessionkey: Pending (0s)",
		"session key lmi_sessionkey: InProgress (15s)",
		"session key lmi_sessionkey: Active (30s)",
	}
	if !slices.Equal(progress, want) {
		t.Errorf("progress\n got %q\nwant %q", progress, want)
	}
	if !slices.Equal(s.got, []time.Duration{DefaultPollEvery, DefaultPollEvery}) {
		t.Errorf("slept %v", s.got)
	}
	if !Healthy(checks) {
		t.Error("not healthy after the key turned Active")
	}
}

func TestFixGivesUpAfterPollFor(t *testing.T) {
	f := newFixture(t, options{})
	if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", "InProgress"); err != nil {
		t.Fatal(err)
	}
	s := &sleeps{}
	d := f.deps(s)
	d.PollEvery, d.PollFor = time.Minute, 3*time.Minute
	checks, err := Fix(context.Background(), d, nil)
	if !errors.Is(err, ErrStillBuilding) || !strings.Contains(err.Error(), "lmi_sessionkey is InProgress after 3m0s") {
		t.Fatalf("%v", err)
	}
	if len(s.got) != 3 {
		t.Errorf("slept %v", s.got)
	}
	expect(t, byID(t, checks)[IDSessionKey], StatusWait, "InProgress", "")
}

func TestFixWhenTheIndexFailsAgain(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	// Two session records with one ID: the index cannot be built until one goes.
	if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", "Failed"); err != nil {
		t.Fatal(err)
	}
	// The upsert by key is refused while the key is not Active, so the rows are made with a plain
	// POST: the client's create of a two-column record serves.
	plain := dynamics.TechnicianTable{Set: "lmi_sessions", IDColumn: "lmi_sessionid", SSOColumn: "lmi_name"}
	for i := 0; i < 2; i++ {
		if err := f.dyn.CreateTechnicianRecord(ctx, plain, dynamics.TechnicianRecord{TechnicianID: "77", SSOID: "duplicate"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Fix(ctx, f.deps(nil), nil)
	if err == nil || !strings.Contains(err.Error(), "the index of lmi_sessionkey failed again: The alternate key Session key could not be activated") {
		t.Fatalf("%v", err)
	}
}

// jordanID is the systemuserid of the fixture's default technician.
func jordanID() string {
	jordan, _ := world.New(testNow).Technician("jordan")
	return jordan.SystemUserID
}

func TestFixWithoutPrivilegeChangesNothing(t *testing.T) {
	f := newFixture(t, options{dataverse: func(o *dataverse.Options) { o.NonCustomizers = []string{jordanID()} }})
	if err := f.dv.SetKeyStatus("lmi_session", "lmi_sessionkey", "Failed"); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	checks, err := Fix(context.Background(), f.deps(nil), nil)
	if !errors.Is(err, ErrNoPrivilege) || !strings.HasPrefix(err.Error(), "Dynamics refused to reactivate the key lmi_sessionkey: your Dynamics user lacks the privilege") ||
		!strings.HasSuffix(err.Error(), "Nothing was changed by this request.") {
		t.Fatalf("%v", err)
	}
	if after := f.snapshot(); after != before {
		t.Errorf("the refused fix changed the organisation:\n%s\n%s", before, after)
	}
	expect(t, byID(t, checks)[IDSessionKey], StatusFail, "Failed", "doctor --fix")
}

func TestFixNeedsTheTables(t *testing.T) {
	f := newFixture(t, options{dataverse: func(o *dataverse.Options) { o.WithoutSolution = true }})
	if _, err := Fix(context.Background(), f.deps(nil), nil); err == nil || !strings.Contains(err.Error(), "doctor --provision") {
		t.Fatalf("%v", err)
	}
	f = newFixture(t, options{})
	var progress []string
	if _, err := Fix(context.Background(), f.deps(nil), func(l string) { progress = append(progress, l) }); err != nil ||
		!slices.Equal(progress, []string{"the session key lmi_sessionkey is Active: nothing to fix"}) {
		t.Fatalf("%v, %q", err, progress)
	}
}

func TestProvisionTwiceThenHealthy(t *testing.T) {
	f := newFixture(t, options{dataverse: func(o *dataverse.Options) { o.WithoutSolution = true }})
	ctx := context.Background()
	var progress []string
	changed, err := Provision(ctx, f.deps(nil), func(l string) { progress = append(progress, l) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, progress) {
		t.Errorf("changed %q, progress %q", changed, progress)
	}
	// The table with its primary name, 18 more columns (the key column first), the lookup, the key;
	// the technician table with its 2 columns.
	want := []string{"created the table lmi_sessionrecord (entity set lmi_sessions)", "created the column lmi_sessionrecord.lmi_sessionid"}
	if len(changed) != 1+18+1+1+1+2 || !slices.Equal(changed[:2], want) ||
		changed[19] != "created the lookup lmi_sessionrecord.lmi_incidentid to incident" ||
		changed[20] != "created the alternate key lmi_sessionrecord.lmi_sessionkey on lmi_sessionid; Dynamics now builds its index" ||
		changed[21] != "created the table lmi_usersetting (entity set lmi_usersettings)" {
		t.Fatalf("changed:\n%s", strings.Join(changed, "\n"))
	}
	// The fake builds a new key's index when its metadata is next read; let it, before comparing.
	if _, err := f.dyn.EntityKeys(ctx, "lmi_sessionrecord"); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	progress = nil
	again, err := Provision(ctx, f.deps(nil), func(l string) { progress = append(progress, l) })
	if err != nil || len(again) != 0 || !slices.Equal(progress, []string{"nothing to create: both tables are complete"}) {
		t.Fatalf("second run: %q, %v, %q", again, err, progress)
	}
	if f.snapshot() != before {
		t.Error("the second run changed the organisation")
	}
	checks := Run(ctx, f.deps(nil))
	for _, c := range checks {
		if c.Status != StatusOK {
			t.Errorf("%s", c.Line())
		}
	}
	expect(t, byID(t, checks)[IDSessionTable], StatusOK, "lmi_sessions (lmi_sessionrecord) has the 19 columns", "")
	writeBackLands(t, f)
}

// writeBackLands runs the app's write-back of a finished session against the provisioned table and
// checks that the record has every column the write-back sends.
func writeBackLands(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	mem := store.NewMemory()
	box := outbox.New(mem, "outbox", outbox.Options{Now: func() time.Time { return testNow }})
	tables := TablesFrom(f.cfg)
	wb := companion.NewWriteBack(f.dyn, box, mem, companion.WriteBackSettings{
		Sessions: tables.Sessions, Technicians: tables.Technicians, Prefix: "lmi_",
	}, func() time.Time { return testNow })
	d := companion.Details{
		SessionID: 987654, CaseID: f.w.Cases[0].ID, CaseNumber: f.w.Cases[0].Number, Customer: "Ada", Correlation: "c0ffee",
		Technician: f.tech.Name, TechnicianID: f.tech.RescueNodeID, TechnicianEmail: f.tech.Email,
		Start: testNow.Add(-time.Hour), End: testNow, Waiting: time.Minute, Active: 50 * time.Minute, Total: time.Hour,
		Status: "Closed by technician", Resolved: true, ToolsUsed: "Remote control", Platform: "Windows 11",
		Note: "Replaced the driver.\nRebooted.", Chat: []rescue.ChatLine{{At: "9:01:02 AM", Name: "Ada", Text: "Hello"}},
	}
	if err := wb.SessionClosed(companion.Tracked{}, d); err != nil {
		t.Fatal(err)
	}
	if done, err := box.RunDue(ctx, wb.Handlers()); err != nil || done != 1 {
		t.Fatalf("the write-back ran %d jobs: %v", done, err)
	}
	if jobs, _ := box.List(); len(jobs) != 0 {
		t.Fatalf("jobs left in the outbox: %+v", jobs)
	}
	rows := f.dv.Records("lmi_sessions")
	if len(rows) != 1 {
		t.Fatalf("%d session records", len(rows))
	}
	row := rows[0]
	for col, want := range map[string]any{
		"lmi_sessionid": "987654", "_lmi_incidentid_value": f.w.Cases[0].ID, "lmi_casenumber": f.w.Cases[0].Number,
		"lmi_resolved": true, "lmi_totalseconds": 3600, "lmi_start": "2026-03-10T08:30:00Z", "lmi_notes": "Replaced the driver.\nRebooted.",
		"lmi_chatlog": "[9:01:02 AM] Ada: Hello", "lmi_correlation": "c0ffee", "lmi_technicianid": fmt.Sprint(f.tech.RescueNodeID),
	} {
		if row[col] != want {
			t.Errorf("%s = %#v, want %#v", col, row[col], want)
		}
	}
}

func TestProvisionOnTheSeededSandboxChangesNothing(t *testing.T) {
	f := newFixture(t, options{})
	before := f.snapshot()
	changed, err := Provision(context.Background(), f.deps(nil), nil)
	if err != nil || len(changed) != 0 {
		t.Fatalf("%q, %v", changed, err)
	}
	if f.snapshot() != before {
		t.Error("provisioning a complete organisation changed it")
	}
}

func TestProvisionWithoutPrivilegeChangesNothing(t *testing.T) {
	f := newFixture(t, options{dataverse: func(o *dataverse.Options) {
		o.WithoutSolution = true
		o.NonCustomizers = []string{jordanID()}
	}})
	before := f.snapshot()
	changed, err := Provision(context.Background(), f.deps(nil), nil)
	if !errors.Is(err, ErrNoPrivilege) || len(changed) != 0 ||
		!strings.HasPrefix(err.Error(), "Dynamics refused to create the table lmi_sessionrecord: your Dynamics user lacks the privilege") {
		t.Fatalf("%q, %v", changed, err)
	}
	if f.dv.HasTable("lmi_sessions") || f.snapshot() != before {
		t.Error("a refused provisioning changed the organisation")
	}
}

func TestProvisionCompletesAPartialTable(t *testing.T) {
	f := newFixture(t, options{})
	d := f.deps(nil)
	d.Config.Dataverse.TechnicianSSOColumn = "lmi_ssoidentifier"
	changed, err := Provision(context.Background(), d, nil)
	if err != nil || !slices.Equal(changed, []string{"created the column lmi_usersetting.lmi_ssoidentifier"}) {
		t.Fatalf("%q, %v", changed, err)
	}
	expect(t, byID(t, Run(context.Background(), d))[IDTechnicianTable], StatusOK, "has the 2 columns", "")
}

func TestTablesFromSettings(t *testing.T) {
	cfg := config.Default()
	cfg.Dataverse.SessionKey = "abc_rescueid"
	tables := TablesFrom(cfg)
	if tables.Sessions.CaseNav != "abc_incidentid" || tables.Sessions.Set != "lmi_sessions" || tables.Technicians.SSOColumn != "lmi_ssoid" {
		t.Errorf("%+v", tables)
	}
	spec := sessionSpec(tables.Sessions)
	if spec.entity != "lmi_session" || spec.key.SchemaName != "abc_SessionKey" || spec.columns[1].SchemaName != "abc_Name" {
		t.Errorf("entity %s, key %s, name column %s", spec.entity, spec.key.SchemaName, spec.columns[1].SchemaName)
	}
	if def := tableDefinition(sessionSpec(TablesFrom(config.Default()).Sessions)); def.SchemaName != "lmi_SessionRecord" || def.EntitySetName != "lmi_sessions" {
		t.Errorf("%+v", def)
	}
	if _, err := Provision(context.Background(), Deps{Config: cfg, Dynamics: nil}, nil); err == nil {
		t.Error("provisioned without a client")
	}
}

func TestCheckLine(t *testing.T) {
	c := Check{ID: IDSessionKey, Name: "Session key index", Status: StatusFail, Detail: "lmi_sessionkey is Failed", Fix: "run rescue-companion doctor --fix"}
	if got, want := c.Line(), "FAIL  Session key index: lmi_sessionkey is Failed → run rescue-companion doctor --fix"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if c.OK() || !(Check{Status: StatusOK}).OK() {
		t.Error("OK")
	}
	if !Healthy([]Check{{Status: StatusWait}, {Status: StatusSkip}}) || Healthy([]Check{{Status: StatusFail}}) {
		t.Error("Healthy")
	}
}
