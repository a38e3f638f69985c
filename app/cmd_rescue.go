package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/auth"
	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/rescue"
)

// exitConsole is the exit code of `pin` when the organisation requires a running Technician
// Console and it is not running.
const exitConsole = 3

func runRescueAuth(args []string, e cliEnv) int {
	fs, configPath := e.flags("rescue-auth")
	email := fs.String("email", "", "sign in with this Rescue e-mail; the password is read from standard input")
	ssoID := fs.String("sso-id", "", "sign in with this SSO ID and the company's SSO settings (the SSO password is read from standard input when it is not kept)")
	token := fs.Bool("token", false, "use an API token from the Admin Center, read from standard input")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	defer svc.close()
	if countSet(*email != "", *ssoID != "", *token) != 1 {
		fmt.Fprintln(e.stderr, "rescue-companion: rescue-auth needs exactly one of --email ADDRESS, --sso-id ID or --token")
		return exitUsage
	}
	ctx, cancel := interruptible(time.Minute)
	defer cancel()
	creds, err := e.rescueCredentials(ctx, svc, *email, *ssoID, *token)
	if err != nil {
		failure(e.stderr, err)
		return exitUsage
	}
	acct, err := svc.rescue.get().SignIn(ctx, creds)
	var notKept *companion.NotKeptError
	switch {
	case errors.As(err, &notKept):
		fmt.Fprintf(e.stderr, "rescue-companion: the Rescue sign-in is kept for this run only: %v\n", notKept.Err)
	case err != nil:
		failure(e.stderr, uiRescueError(err))
		return exitError
	}
	fmt.Fprintf(e.stdout, "Signed in to Rescue as %s (technician %d); the auth code is kept in the keyring.\n", acct.Email, acct.TechID)
	return exitOK
}

// rescueCredentials reads the secret of the chosen method from standard input, never from the
// command line, where other users could see it.
func (e cliEnv) rescueCredentials(ctx context.Context, svc *services, email, ssoID string, token bool) (companion.Credentials, error) {
	switch {
	case token:
		t, err := readSecret(e.stdin, "API token")
		return companion.Credentials{Token: t}, err
	case email != "":
		pw, err := readSecret(e.stdin, "password")
		return companion.Credentials{Email: email, Password: pw}, err
	}
	creds, err := svc.credentials(ctx, "", "", ssoID, "")
	if errors.Is(err, errNoSSOPassword) {
		creds.SSOPassword, err = readSecret(e.stdin, "company SSO password")
	}
	if err == nil && creds.CompanyID == "" {
		err = errors.New("the settings name no Rescue company ID (rescue.company_id), which SSO needs")
	}
	return creds, err
}

// readSecret reads one line from standard input, without its line end.
func readSecret(r io.Reader, what string) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	knownSecrets.Add(line)
	if line == "" {
		return "", fmt.Errorf("no %s on standard input (pipe it in, e.g. from a password manager)", what)
	}
	return line, nil
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// pinJSON is what `pin --json` prints. These keys are a contract with scripts.
type pinJSON struct {
	PIN        string `json:"pin"`
	CaseNumber string `json:"case_number"`
	JoinURL    string `json:"join_url"`
	ExpiresAt  string `json:"expires_at"` // RFC 3339, UTC
}

func runPIN(args []string, e cliEnv) int {
	fs, configPath := e.flags("pin")
	asJSON := fs.Bool("json", false, "print one JSON object")
	number, rest := splitPositional(args)
	if number == "" {
		fmt.Fprintln(e.stderr, "rescue-companion: pin needs a case number: rescue-companion pin CASE-NUMBER [--json]")
		return exitUsage
	}
	svc, code := e.open(fs, configPath, rest)
	if svc == nil {
		return code
	}
	defer svc.close()
	ctx, cancel := interruptible(2 * time.Minute)
	defer cancel()
	if _, ok := svc.auth.Account(ctx); !ok {
		return e.fail(auth.ErrSignInRequired)
	}
	c, err := findCase(ctx, svc.cases.get(), number)
	if err != nil {
		return e.fail(err)
	}
	pin, err := svc.rescue.get().RequestPIN(ctx, companion.CaseRef{
		ID: c.ID, Number: c.Number, Customer: c.Customer, CustomerEmail: c.CustomerEmail,
	})
	if err != nil {
		return e.failPIN(err)
	}
	if err := svc.desk.get().Tracker.Follow(pin); err != nil {
		fmt.Fprintf(e.stderr, "rescue-companion: the session will not be followed after a restart: %v\n", err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(pinJSON{PIN: pin.Code, CaseNumber: pin.CaseNumber, JoinURL: pin.JoinURL, ExpiresAt: pin.ExpiresAt.UTC().Format(time.RFC3339)})
	} else {
		fmt.Fprintf(e.stdout, "PIN %s for %s, valid until %s\nJoin link: %s\n",
			pin.Code, pin.CaseNumber, pin.ExpiresAt.Local().Format("15:04"), pin.JoinURL)
	}
	if err := svc.ensureTechnicianRecord(ctx); err != nil {
		fmt.Fprintf(e.stderr, "rescue-companion: the technician settings record in Dynamics could not be checked: %v\n", err)
	}
	return exitOK
}

// splitPositional takes the first argument that is not a flag out of args, so that both
// `pin CAS-1 --json` and `pin --json CAS-1` work.
func splitPositional(args []string) (string, []string) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			if i > 0 && args[i-1] == "--config" || i > 0 && args[i-1] == "-config" {
				continue // the value of --config
			}
			rest := append(append([]string(nil), args[:i]...), args[i+1:]...)
			return a, rest
		}
	}
	return "", args
}

// findCase looks for an open case of the technician by its number: in the list kept on this
// computer first, then in a fresh one.
func findCase(ctx context.Context, cases *companion.Cases, number string) (dynamics.Case, error) {
	match := func(list companion.CaseList) (dynamics.Case, bool) {
		for _, c := range list.Cases {
			if strings.EqualFold(c.Number, number) {
				return c, true
			}
		}
		return dynamics.Case{}, false
	}
	if list, ok := cases.Cached(); ok {
		if c, found := match(list); found {
			return c, nil
		}
	}
	list, err := cases.Refresh(ctx)
	var notKept *companion.NotKeptError
	if err != nil && !errors.As(err, &notKept) {
		return dynamics.Case{}, err
	}
	if c, found := match(list); found {
		return c, nil
	}
	return dynamics.Case{}, fmt.Errorf("no open case of yours is numbered %q", number)
}

// failPIN reports a PIN failure in one line: exit 3 when the console is required and not running,
// 4 when Dynamics or Rescue needs a sign-in, 1 otherwise.
func (e cliEnv) failPIN(err error) int {
	switch {
	case errors.Is(err, companion.ErrConsoleOffline):
		fmt.Fprintln(e.stderr, "rescue-companion: the Rescue Technician Console is not running: start it, then try again")
		return exitConsole
	case errors.Is(err, companion.ErrRescueSignInRequired):
		why := "no Rescue sign-in is kept on this computer"
		var re *rescue.Error
		if errors.As(err, &re) {
			why = uiRescueError(err).Error()
		}
		fmt.Fprintf(e.stderr, "rescue-companion: Rescue sign-in needed (%s): run `rescue-companion rescue-auth --email ADDRESS`\n", why)
		return exitSignIn
	}
	return e.fail(uiRescueError(err))
}
