package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/auth"
	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/netx"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

// haltEnv names a step of a session's story ("details", "enqueued", "upsert", "deactivate", …) at
// which the process stops and waits to be killed: support and the tests use it to prove that a
// process killed between any two steps loses and repeats nothing.
const haltEnv = "RESCUE_COMPANION_HALT_AT"

// installHalt makes the process stop at the step named by haltEnv, saying so on stderr.
func installHalt(stderr io.Writer) {
	step := os.Getenv(haltEnv)
	if step == "" {
		return
	}
	companion.SetCheckpoint(func(at string) {
		if at == step {
			fmt.Fprintf(stderr, "halted at %s\n", at)
			select {} // until killed
		}
	})
}

func runSync(args []string, e cliEnv) int {
	fs, configPath := e.flags("sync")
	wait := fs.Bool("wait", false, "go on until nothing is followed and no write is pending")
	poll := fs.Duration("poll", 5*time.Second, "the shortest interval between two looks at Rescue")
	reportEvery := fs.Duration("report-every", time.Minute, "the shortest interval between two session reports (Rescue serves one a minute)")
	timeout := fs.Duration("timeout", 3*time.Hour, "give up after this long")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	defer svc.close()
	installHalt(e.stderr)
	svc.desk.minPoll, svc.desk.reportEvery = *poll, *reportEvery
	ctx, cancel := interruptible(*timeout)
	defer cancel()
	desk := svc.desk.get()
	if !*wait {
		if err := desk.SyncOnce(ctx); err != nil {
			return e.fail(err)
		}
		return e.syncSummary(desk)
	}
	parked, err := desk.SyncUntilDone(ctx, netx.Sleep)
	if err != nil {
		return e.fail(err)
	}
	if len(parked) > 0 {
		for _, j := range parked {
			fmt.Fprintf(e.stderr, "rescue-companion: %s needs attention: %s\n", j.Key, j.LastError)
		}
		return exitError
	}
	return e.syncSummary(desk)
}

// syncSummary says in one line what is left.
func (e cliEnv) syncSummary(desk *companion.Desk) int {
	p, err := desk.Box.Pending()
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "%d sessions followed, %d writes pending, %d parked\n", len(desk.Tracker.Live()), p.Due+p.Waiting, p.Parked)
	return exitOK
}

// sessionJSON is one session as `sessions --json` and `session --json` print it. These keys are a
// contract with scripts.
type sessionJSON struct {
	SessionID      int               `json:"session_id"`
	CaseNumber     string            `json:"case_number"`
	Customer       string            `json:"customer"`
	Technician     string            `json:"technician"`
	Status         string            `json:"status"`
	Resolved       bool              `json:"resolved"`
	Start          string            `json:"start"` // RFC 3339, UTC; empty when unknown
	End            string            `json:"end"`
	WaitingSeconds int               `json:"waiting_seconds"`
	ActiveSeconds  int               `json:"active_seconds"`
	TotalSeconds   int               `json:"total_seconds"`
	ToolsUsed      string            `json:"tools_used,omitempty"`
	Platform       string            `json:"platform,omitempty"`
	Notes          string            `json:"notes,omitempty"`
	Chat           []json.RawMessage `json:"chat,omitempty"`
}

func toSessionJSON(d companion.Details, full bool) sessionJSON {
	s := sessionJSON{
		SessionID: d.SessionID, CaseNumber: d.CaseNumber, Customer: d.Customer, Technician: d.Technician,
		Status: d.Status, Resolved: d.Resolved, Start: rfc3339(d.Start), End: rfc3339(d.End),
		WaitingSeconds: int(d.Waiting / time.Second), ActiveSeconds: int(d.Active / time.Second),
		TotalSeconds: int(d.Total / time.Second),
	}
	if full {
		s.ToolsUsed, s.Platform, s.Notes = d.ToolsUsed, d.Platform, d.Note
		for _, l := range d.Chat {
			line, _ := json.Marshal(map[string]string{"at": l.At, "from": l.Name, "text": l.Text})
			s.Chat = append(s.Chat, line)
		}
	}
	return s
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func runSessions(args []string, e cliEnv) int {
	fs, configPath := e.flags("sessions")
	caseNumber := fs.String("case", "", "only this case's sessions")
	since := fs.String("since", "7d", "how far back: a duration such as 24h, 7d or 30d")
	asJSON := fs.Bool("json", false, "print one JSON array")
	team := fs.Bool("team", false, "every technician's sessions, not only mine (for helpdesk leads)")
	asCSV := fs.Bool("csv", false, "print CSV (RFC 4180), the same as the team view's export")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	defer svc.close()
	period, err := parsePeriod(*since)
	if err != nil {
		failure(e.stderr, err)
		return exitUsage
	}
	ctx, cancel := interruptible(2 * time.Minute)
	defer cancel()
	if _, ok := svc.auth.Account(ctx); !ok {
		return e.fail(auth.ErrSignInRequired)
	}
	var list []companion.Details
	if *team {
		list, err = svc.desk.get().Team(ctx, time.Now().Add(-period))
	} else {
		list, err = listSessions(ctx, svc, *caseNumber, time.Now().Add(-period))
	}
	if err != nil {
		return e.fail(err)
	}
	if *asCSV {
		rows := make([]ui.SessionDetails, 0, len(list))
		for _, d := range list {
			rows = append(rows, uiSessions{svc}.uiDetails(d))
		}
		_, _ = e.stdout.Write(ui.TeamCSV(rows))
		return exitOK
	}
	if *asJSON {
		out := make([]sessionJSON, 0, len(list))
		for _, d := range list {
			out = append(out, toSessionJSON(d, false))
		}
		return printJSON(e.stdout, out)
	}
	for _, d := range list {
		fmt.Fprintf(e.stdout, "%-10d  %-17s  %-16s  %-24s  %8s  %s\n", d.SessionID, d.CaseNumber,
			d.Start.Local().Format("2006-01-02 15:04"), clip(d.Technician, 24), clockText(d.Active), d.Status)
	}
	fmt.Fprintf(e.stdout, "%d sessions\n", len(list))
	return exitOK
}

// listSessions is the technician's sessions since a time, or one case's sessions, from Dynamics.
func listSessions(ctx context.Context, svc *services, caseNumber string, since time.Time) ([]companion.Details, error) {
	desk := svc.desk.get()
	if caseNumber == "" {
		who, err := svc.dyn.WhoAmI(ctx)
		if err != nil {
			return nil, err
		}
		return desk.Since(ctx, since, who.UserID)
	}
	c, err := findCase(ctx, svc.cases.get(), caseNumber)
	if err != nil {
		return nil, err
	}
	all, err := desk.ForCase(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, d := range all {
		if d.Start.IsZero() || !d.Start.Before(since) {
			out = append(out, d)
		}
	}
	return out, nil
}

func runSession(args []string, e cliEnv) int {
	fs, configPath := e.flags("session")
	asJSON := fs.Bool("json", false, "print one JSON object")
	idText, rest := splitPositional(args)
	id, err := strconv.Atoi(idText)
	if err != nil || id <= 0 {
		fmt.Fprintln(e.stderr, "rescue-companion: session needs a session ID: rescue-companion session SESSION-ID [--json]")
		return exitUsage
	}
	svc, code := e.open(fs, configPath, rest)
	if svc == nil {
		return code
	}
	defer svc.close()
	ctx, cancel := interruptible(time.Minute)
	defer cancel()
	d, err := svc.desk.get().Details(ctx, id)
	if errors.Is(err, auth.ErrSignInRequired) {
		return e.fail(err)
	}
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return printJSON(e.stdout, toSessionJSON(d, true))
	}
	printSession(e.stdout, d)
	return exitOK
}

func printSession(w io.Writer, d companion.Details) {
	fmt.Fprintf(w, "Session %d for %s (%s)\n", d.SessionID, d.CaseNumber, d.Customer)
	fmt.Fprintf(w, "Technician  %s\nStart       %s\nEnd         %s\n", d.Technician,
		d.Start.Local().Format("2006-01-02 15:04:05"), d.End.Local().Format("2006-01-02 15:04:05"))
	fmt.Fprintf(w, "Waiting     %s\nActive      %s\nTotal       %s\n", clockText(d.Waiting), clockText(d.Active), clockText(d.Total))
	fmt.Fprintf(w, "Status      %s (resolved: %t)\nTools       %s\nPlatform    %s\n", d.Status, d.Resolved, d.ToolsUsed, d.Platform)
	if d.Note != "" {
		fmt.Fprintf(w, "Notes\n  %s\n", strings.ReplaceAll(d.Note, "\n", "\n  "))
	}
	if len(d.Chat) > 0 {
		fmt.Fprintln(w, "Chat")
		for _, l := range d.Chat {
			fmt.Fprintf(w, "  [%s] %s: %s\n", l.At, l.Name, l.Text)
		}
	}
}

func clockText(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

// parsePeriod reads 24h, 90m or 7d (days, which time.ParseDuration lacks).
func parsePeriod(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--since %q: want a duration such as 24h or 7d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--since %q: want a duration such as 24h or 7d", s)
	}
	return d, nil
}

func printJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return exitError
	}
	return exitOK
}
