package doctor

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/netx"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	StatusOK   Status = "ok"
	StatusWait Status = "wait"    // nothing is wrong yet: Dynamics is still building the key's index
	StatusFail Status = "fail"    // something is wrong; Fix says what to do
	StatusSkip Status = "skipped" // not checked, because a check it depends on failed
)

// Check is one line of the report.
type Check struct {
	ID     string `json:"id"`            // stable, for scripts: see the IDs below
	Name   string `json:"name"`          // what was checked, for people
	Status Status `json:"status"`        // ok, wait, fail or skipped
	Detail string `json:"detail"`        // one line: what was found
	Fix    string `json:"fix,omitempty"` // one line: what to do; empty when nothing is to be done
}

// The IDs of the checks, in the order Run makes them.
const (
	IDConfig          = "config"
	IDDynamics        = "dynamics"
	IDSessionTable    = "session-table"
	IDTechnicianTable = "technician-table"
	IDSessionKey      = "session-key"
	IDKeyJobs         = "key-jobs"
	IDRescue          = "rescue"
	IDRescueAuth      = "rescue-auth"
	IDConsole         = "console"
)

// OK reports whether nothing is to be done about the check.
func (c Check) OK() bool { return c.Status == StatusOK }

// Line is the check on one line: "ok    Session table: …", and after a problem " → what to do".
func (c Check) Line() string {
	label := map[Status]string{StatusOK: "ok", StatusWait: "WAIT", StatusFail: "FAIL", StatusSkip: "skip"}[c.Status]
	line := label + strings.Repeat(" ", max(1, 6-len(label))) + c.Name + ": " + c.Detail
	if c.Fix != "" {
		line += " → " + c.Fix
	}
	return line
}

// Healthy reports whether no check failed. A key index still being built (wait) is not a failure.
func Healthy(checks []Check) bool {
	for _, c := range checks {
		if c.Status == StatusFail {
			return false
		}
	}
	return true
}

// Dataverse is what doctor needs of the Dataverse Web API client; *dynamics.Client has it.
type Dataverse interface {
	WhoAmI(ctx context.Context) (dynamics.WhoAmI, error)
	TableBySet(ctx context.Context, set string) (dynamics.Table, bool, error)
	Attributes(ctx context.Context, entity string) ([]dynamics.Attribute, error)
	EntityKeys(ctx context.Context, entity string) ([]dynamics.EntityKey, error)
	EntityKey(ctx context.Context, entity, key string) (dynamics.EntityKey, error)
	FailedKeyIndexJobs(ctx context.Context, limit int) ([]dynamics.SystemJob, error)
	ReactivateEntityKey(ctx context.Context, entity, key string) error
	CreateTable(ctx context.Context, def dynamics.TableDefinition) (string, error)
	CreateColumn(ctx context.Context, entity string, col dynamics.ColumnDefinition) error
	CreateLookup(ctx context.Context, def dynamics.LookupDefinition) error
	CreateKey(ctx context.Context, entity string, def dynamics.KeyDefinition) error
}

// Rescue is what doctor needs of the Rescue API client; *rescue.Client has it.
type Rescue interface {
	Account(ctx context.Context, authcode string) (rescue.Account, error)
	User(ctx context.Context, authcode string, node int) (rescue.User, error)
}

var (
	_ Dataverse = (*dynamics.Client)(nil)
	_ Rescue    = (*rescue.Client)(nil)
)

// Tables are the Dataverse tables the app writes, by their configured names.
type Tables struct {
	Sessions    dynamics.SessionTable
	Technicians dynamics.TechnicianTable
}

// TablesFrom names the tables from the settings as the app does: the case lookup is
// <prefix>incidentid, where the prefix is that of the session key column ("lmi_").
func TablesFrom(cfg config.Config) Tables {
	d := cfg.Dataverse
	return Tables{
		Sessions: dynamics.SessionTable{Set: d.SessionTable, KeyColumn: d.SessionKey, CaseNav: prefixOf(d.SessionKey) + "incidentid"},
		Technicians: dynamics.TechnicianTable{
			Set: d.TechnicianTable, IDColumn: d.TechnicianIDColumn, SSOColumn: d.TechnicianSSOColumn,
		},
	}
}

// prefixOf is the publisher prefix of a column name: "lmi_" of "lmi_sessionid", or "".
func prefixOf(name string) string {
	if i := strings.Index(name, "_"); i > 0 {
		return name[:i+1]
	}
	return ""
}

// Deps are what the checks run against. A nil client is reported as not checked.
type Deps struct {
	Config   config.Config
	Dynamics Dataverse // nil when it could not be built, e.g. from settings that are not valid
	Rescue   Rescue    // likewise
	// AuthCode reads the Rescue auth code kept in the OS keyring; kept is false when there is none.
	// The code is used for the calls and never shown.
	AuthCode func(ctx context.Context) (code string, kept bool, err error)
	// TechID is the technician's Rescue node for the console status; 0 takes getAccount's TechID.
	TechID int
	// Tables names the tables; the zero value takes TablesFrom(Config).
	Tables Tables
	// CheckTimeout bounds each check (default 30 s).
	CheckTimeout time.Duration
	// PollEvery and PollFor pace Fix's wait for a key's index (default every 15 s, for 5 minutes,
	// as Microsoft's sample waits for one).
	PollEvery, PollFor time.Duration
	// Sleep waits between polls; it must return ctx.Err() when ctx ends first. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Defaults of Deps.
const (
	DefaultCheckTimeout = 30 * time.Second
	DefaultPollEvery    = 15 * time.Second
	DefaultPollFor      = 5 * time.Minute
)

func (d Deps) withDefaults() Deps {
	if d.Tables == (Tables{}) {
		d.Tables = TablesFrom(d.Config)
	}
	if d.CheckTimeout <= 0 {
		d.CheckTimeout = DefaultCheckTimeout
	}
	if d.PollEvery <= 0 {
		d.PollEvery = DefaultPollEvery
	}
	if d.PollFor <= 0 {
		d.PollFor = DefaultPollFor
	}
	if d.Sleep == nil {
		d.Sleep = netx.Sleep
	}
	return d
}

// ErrNoPrivilege means Dynamics refused a customization (reactivating a key, creating a table, a
// column, a lookup or a key) because the signed-in user lacks the privilege; nothing was changed by
// the refused request.
var ErrNoPrivilege = errors.New("your Dynamics user lacks the privilege to change the organisation's tables: " +
	"ask a System Administrator or System Customizer to run this, or to give you one of those roles")

// privilegeError turns a refusal for want of privilege into ErrNoPrivilege, keeping the service's words.
func privilegeError(what string, err error) error {
	if errors.Is(err, dynamics.ErrAccessDenied) {
		return &refusal{what: what, cause: err}
	}
	return err
}

// refusal is a customization Dynamics refused for want of privilege.
type refusal struct {
	what  string
	cause error
}

func (r *refusal) Error() string {
	return "Dynamics refused to " + r.what + ": " + ErrNoPrivilege.Error() + ". Nothing was changed by this request."
}

func (r *refusal) Unwrap() []error { return []error{ErrNoPrivilege, r.cause} }
