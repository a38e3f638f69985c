package doctor

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	rescuefake "github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// testNow is the clock of both fakes, so that the seed's dates do not move.
var testNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

// fixture is the Dataverse and Rescue fakes over TLS on loopback, with the app's clients of them,
// signed in as one technician.
type fixture struct {
	t    *testing.T
	w    *world.World
	tech world.Technician
	dv   *dataverse.Server
	rs   *rescuefake.Server
	dyn  *dynamics.Client
	rc   *rescue.Client
	cfg  config.Config
	code string // the technician's Rescue auth code, kept in the "keyring"
	kept bool
}

// options of a fixture.
type options struct {
	tech      string                   // the signed-in technician's key; jordan by default
	dataverse func(*dataverse.Options) // changes the Dataverse fake's options
	token     string                   // the bearer token; tok-<tech> by default
}

func newFixture(t *testing.T, o options) *fixture {
	t.Helper()
	if o.tech == "" {
		o.tech = "jordan"
	}
	w := world.New(testNow)
	tech, ok := w.Technician(o.tech)
	if !ok {
		t.Fatalf("no technician %q", o.tech)
	}
	f := &fixture{t: t, w: w, tech: tech, kept: true}

	dvSrv := httptest.NewUnstartedServer(nil)
	origin := "https://" + dvSrv.Listener.Addr().String()
	check := func(token string) (string, string, bool) {
		key, ok := strings.CutPrefix(token, "tok-")
		tech, found := w.Technician(key)
		return tech.SystemUserID, origin, ok && found && tech.Key == key
	}
	dvOpts := dataverse.Options{Now: func() time.Time { return testNow }}
	if o.dataverse != nil {
		o.dataverse(&dvOpts)
	}
	f.dv = dataverse.New(w, check, dvOpts)
	dvSrv.Config.Handler = f.dv
	dvSrv.StartTLS()
	t.Cleanup(dvSrv.Close)

	f.rs = rescuefake.New(w, rescuefake.Options{Now: func() time.Time { return testNow }, NoHistory: true})
	rsSrv := httptest.NewTLSServer(f.rs)
	t.Cleanup(rsSrv.Close)

	token := o.token
	if token == "" {
		token = "tok-" + tech.Key
	}
	var err error
	f.dyn, err = dynamics.New(dvSrv.URL, staticToken(token), dynamics.Options{
		HTTPClient: dvSrv.Client(), Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.rc, err = rescue.New(rsSrv.URL+"/API", rescue.Options{HTTPClient: rsSrv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if f.code, err = f.rs.IssueAPIToken(tech.Key); err != nil {
		t.Fatal(err)
	}
	f.cfg = config.Default()
	f.cfg.Dynamics.URL = dvSrv.URL
	f.cfg.Dynamics.TenantID = w.Org.TenantID
	f.cfg.Rescue.Instance, f.cfg.Rescue.Endpoint = config.InstanceCustom, rsSrv.URL+"/API"
	if err := f.cfg.Validate(); err != nil {
		t.Fatalf("the fixture's settings: %v", err)
	}
	return f
}

// staticToken is a TokenSource whose token never changes: a refresh gives it again.
type staticToken string

func (s staticToken) Token(context.Context) (string, error)   { return string(s), nil }
func (s staticToken) Refresh(context.Context) (string, error) { return string(s), nil }

// sleeps records the waits Fix asks for, and runs a hook on each.
type sleeps struct {
	mu   sync.Mutex
	got  []time.Duration
	hook func(n int)
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	n, hook := len(s.got), s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return ctx.Err()
}

// deps are the doctor's dependencies on the fixture, with waits recorded instead of slept.
func (f *fixture) deps(s *sleeps) Deps {
	if s == nil {
		s = &sleeps{}
	}
	return Deps{
		Config: f.cfg, Dynamics: f.dyn, Rescue: f.rc,
		AuthCode: func(context.Context) (string, bool, error) { return f.code, f.kept, nil },
		Sleep:    s.Sleep,
	}
}

// byID indexes checks by ID, failing the test unless they are the nine, in order.
func byID(t *testing.T, checks []Check) map[string]Check {
	t.Helper()
	order := []string{IDConfig, IDDynamics, IDSessionTable, IDTechnicianTable, IDSessionKey, IDKeyJobs, IDRescue, IDRescueAuth, IDConsole}
	if len(checks) != len(order) {
		t.Fatalf("%d checks, want %d: %v", len(checks), len(order), checks)
	}
	out := map[string]Check{}
	for i, c := range checks {
		if c.ID != order[i] {
			t.Fatalf("check %d is %q, want %q", i, c.ID, order[i])
		}
		if c.Detail == "" || strings.ContainsAny(c.Detail+c.Fix, "\n\r") {
			t.Errorf("%s: detail %q, fix %q are not one line each", c.ID, c.Detail, c.Fix)
		}
		out[c.ID] = c
	}
	return out
}

// expect fails the test unless the check has the status and its detail and fix hold the texts.
func expect(t *testing.T, c Check, status Status, detail, fix string) {
	t.Helper()
	if c.Status != status || !strings.Contains(c.Detail, detail) || !strings.Contains(c.Fix, fix) || (status == StatusOK && c.Fix != "") {
		t.Errorf("%s = %+v; want %s, detail with %q, fix with %q", c.ID, c, status, detail, fix)
	}
}

// snapshot is the part of the Dataverse fake that doctor may change: tables, columns, keys and jobs.
func (f *fixture) snapshot() string {
	var b strings.Builder
	for _, entity := range []string{"lmi_session", "lmi_sessionrecord", "lmi_usersetting"} {
		b.WriteString(entity + ": " + strings.Join(f.dv.Attributes(entity), ",") + "\n")
		keys := f.dv.Keys(entity)
		names := make([]string, 0, len(keys))
		for k, status := range keys {
			names = append(names, k+"="+status)
		}
		sort.Strings(names)
		b.WriteString(strings.Join(names, ",") + "\n")
	}
	jobs, _ := json.Marshal(f.dv.Records("asyncoperations"))
	b.Write(jobs)
	return b.String()
}
