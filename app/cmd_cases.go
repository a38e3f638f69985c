package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/auth"
	"github.com/rescuecompanion/rescue-companion/internal/companion"
	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// exitSignIn is the exit code of every command that needs a sign-in first.
const exitSignIn = 4

// cliEnv is what the headless commands share: where to write, and how to build the services.
type cliEnv struct {
	stdin          io.Reader // secrets for rescue-auth come only from here
	stdout, stderr io.Writer
	keyring        func() secrets.Store // the OS keyring; tests hand in a memory one
	stateDir       func() (stateDir, error)
}

func defaultCLIEnv(stdout, stderr io.Writer) cliEnv {
	return cliEnv{
		stdin:    os.Stdin,
		stdout:   stdout,
		stderr:   stderr,
		keyring:  func() secrets.Store { return remember(secrets.NewKeyring(0)) },
		stateDir: defaultStateDir,
	}
}

// services builds the clients from the settings named by --config.
func (e cliEnv) services(configPath string) (*services, error) {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return nil, err
	}
	hc, err := httpClient(cfg)
	if err != nil {
		return nil, err
	}
	dir, err := e.stateDir()
	if err != nil {
		return nil, err
	}
	if cfg.Rescue.Instance == "sandbox" {
		dir += "/sandbox"
	}
	return buildServices(cfg, dir, hc, e.keyring(), nil)
}

// flags starts a command's flag set, with the --config flag every command takes.
func (e cliEnv) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("rescue-companion "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs, fs.String("config", "", "settings file")
}

// open parses the command line and builds the services; on failure it returns nil and the exit code.
func (e cliEnv) open(fs *flag.FlagSet, configPath *string, args []string) (*services, int) {
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return nil, exitUsage
	}
	svc, err := e.services(*configPath)
	if err != nil {
		return nil, e.fail(err)
	}
	return svc, exitOK
}

// fail reports err in one line and picks the exit code: 4 when a sign-in is needed, 1 otherwise.
func (e cliEnv) fail(err error) int {
	if errors.Is(err, auth.ErrSignInRequired) || errors.Is(err, dynamics.ErrSignInRequired) {
		fmt.Fprintln(e.stderr, "rescue-companion: sign-in needed: run `rescue-companion signin`")
		return exitSignIn
	}
	failure(e.stderr, err)
	return exitError
}

// interruptible is a context that ends on Ctrl+C or after d.
func interruptible(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}

// caseJSON is one case as `cases --json` prints it. These keys are a contract with scripts.
type caseJSON struct {
	ID            string `json:"id"`
	Number        string `json:"number"`
	Title         string `json:"title"`
	Customer      string `json:"customer"`
	CustomerEmail string `json:"customer_email"`
	Priority      string `json:"priority"`
	Status        string `json:"status"`
	Modified      string `json:"modified"` // RFC 3339, UTC
}

func runCases(args []string, e cliEnv) int {
	fs, configPath := e.flags("cases")
	asJSON := fs.Bool("json", false, "print one JSON array")
	search := fs.String("search", "", "keep the cases whose number, title or customer hold every word")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	defer svc.close()
	ctx, cancel := interruptible(2 * time.Minute)
	defer cancel()
	if _, ok := svc.auth.Account(ctx); !ok {
		return e.fail(auth.ErrSignInRequired)
	}
	list, err := svc.cases.get().Refresh(ctx)
	var notKept *companion.NotKeptError
	if err != nil && !errors.As(err, &notKept) {
		return e.fail(err)
	}
	cases := companion.Search(list.Cases, *search)
	if *asJSON {
		return printCasesJSON(e.stdout, cases)
	}
	printCasesTable(e.stdout, cases)
	return exitOK
}

func printCasesJSON(w io.Writer, cases []dynamics.Case) int {
	out := make([]caseJSON, 0, len(cases))
	for _, c := range cases {
		out = append(out, caseJSON{
			ID: c.ID, Number: c.Number, Title: c.Title, Customer: c.Customer, CustomerEmail: c.CustomerEmail,
			Priority: c.Priority, Status: c.Status, Modified: c.ModifiedOn.UTC().Format(time.RFC3339),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return exitError
	}
	return exitOK
}

func printCasesTable(w io.Writer, cases []dynamics.Case) {
	for _, c := range cases {
		fmt.Fprintf(w, "%-17s  %-8s  %-20s  %-24s  %s\n", c.Number, c.Priority, clip(c.Status, 20), clip(c.Customer, 24), c.Title)
	}
	fmt.Fprintf(w, "%d open cases\n", len(cases))
}

// clip shortens s to n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runSignIn(args []string, e cliEnv) int {
	fs, configPath := e.flags("signin")
	deviceCode := fs.Bool("device-code", false, "sign in with a code on another device instead of this computer's browser")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	ctx, cancel := interruptible(15 * time.Minute)
	defer cancel()
	var acct auth.Account
	var err error
	if *deviceCode {
		acct, err = svc.auth.SignInWithDeviceCode(ctx, func(dc auth.DeviceCode) {
			fmt.Fprintf(e.stdout, "To sign in, open %s and enter the code %s\n", dc.VerificationURL, dc.UserCode)
		})
	} else {
		fmt.Fprintln(e.stdout, "Opening the browser to sign in… (Ctrl+C to cancel; --device-code if no browser can open)")
		acct, err = svc.auth.SignIn(ctx)
		if errors.Is(err, auth.ErrNoBrowser) { // a server or a locked-down desktop: use a code instead
			acct, err = svc.auth.SignInWithDeviceCode(ctx, func(dc auth.DeviceCode) {
				fmt.Fprintf(e.stdout, "No browser could be opened. To sign in, open %s and enter the code %s\n", dc.VerificationURL, dc.UserCode)
			})
		}
	}
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "Signed in as %s\n", acct.Username)
	if ok, reason := svc.auth.Persistence(); !ok {
		fmt.Fprintf(e.stderr, "rescue-companion: the sign-in is kept for this run only: %s\n", reason)
	}
	return exitOK
}

func runSignOut(args []string, e cliEnv) int {
	fs, configPath := e.flags("signout")
	svc, code := e.open(fs, configPath, args)
	if svc == nil {
		return code
	}
	defer svc.close()
	ctx, cancel := interruptible(30 * time.Second)
	defer cancel()
	if err := errors.Join(svc.auth.SignOut(ctx), svc.cases.get().Forget()); err != nil {
		return e.fail(err)
	}
	fmt.Fprintln(e.stdout, "Signed out; the cases kept on this computer are deleted.")
	return exitOK
}
