package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// Exit codes shared by every command; scripts rely on them (exitSignIn, 4, is beside the commands
// that need a sign-in).
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// version is the app's version; FyneApp.toml is its source (a test keeps the two equal), and release
// builds may stamp it with -ldflags "-X main.version=…".
var version = "0.1.0"

const appID = "com.rescuecompanion.app"

const usage = `Usage:
  rescue-companion [--sandbox] [--minimized] [--config FILE]
                                                 open the tray app
  rescue-companion signin [--device-code]        sign in to Dynamics
  rescue-companion signout                       sign out and delete what is kept on this computer
  rescue-companion cases [--json] [--search T]   list my open cases
  rescue-companion rescue-auth (--email ADDRESS | --sso-id ID | --token)
                                                 sign in to Rescue; the password or token is read from standard input
  rescue-companion pin CASE-NUMBER [--json]      generate a Rescue PIN code for one of my open cases
  rescue-companion sync [--wait]                 follow the sessions and write them to Dynamics, headless
  rescue-companion sessions [--case N | --team] [--since 7d] [--json | --csv]
                                                 my recent sessions, a case's, or the team's, from Dynamics
  rescue-companion session SESSION-ID [--json]   one session's details
  rescue-companion doctor [--fix] [--provision] [--json]
                                                 check why session data may not reach Dynamics, and repair it
  rescue-companion sandbox [--dir DIR]           serve the sandbox services on loopback until interrupted
  rescue-companion version                       print the version

Run "rescue-companion COMMAND --help" for a command's flags.
`

// run dispatches to a command and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			fmt.Fprintf(stdout, "rescue-companion %s\n", version)
			return exitOK
		case "sandbox":
			return runSandboxCommand(args[1:], stdout, stderr)
		case "signin":
			return runSignIn(args[1:], defaultCLIEnv(stdout, stderr))
		case "signout":
			return runSignOut(args[1:], defaultCLIEnv(stdout, stderr))
		case "cases":
			return runCases(args[1:], defaultCLIEnv(stdout, stderr))
		case "rescue-auth":
			return runRescueAuth(args[1:], defaultCLIEnv(stdout, stderr))
		case "pin":
			return runPIN(args[1:], defaultCLIEnv(stdout, stderr))
		case "sync":
			return runSync(args[1:], defaultCLIEnv(stdout, stderr))
		case "sessions":
			return runSessions(args[1:], defaultCLIEnv(stdout, stderr))
		case "session":
			return runSession(args[1:], defaultCLIEnv(stdout, stderr))
		case "doctor":
			return runDoctor(args[1:], defaultCLIEnv(stdout, stderr))
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
	}
	return runGUICommand(args, stderr)
}

// guiFlags are the flags of the tray app itself.
type guiFlags struct {
	sandbox    bool
	minimized  bool
	configPath string
}

func parseGUIFlags(args []string, stderr io.Writer) (guiFlags, error) {
	var f guiFlags
	fs := flag.NewFlagSet("rescue-companion", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.BoolVar(&f.sandbox, "sandbox", false, "run against the embedded sandbox with sample data")
	fs.BoolVar(&f.minimized, "minimized", false, "start in the tray, without the window (as at login)")
	fs.StringVar(&f.configPath, "config", "", "settings file (default: the user config dir)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "rescue-companion: unknown command %q\n", fs.Arg(0))
		fs.Usage()
		return f, errors.New("usage")
	}
	return f, nil
}

// failure prints err as one line, the way every command reports a failure: settings with several
// problems show the first and count the rest, so the line stays readable in a terminal or a log.
func failure(w io.Writer, err error) {
	msg := err.Error()
	if fields := config.FieldErrors(err); len(fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more problems in the settings)", fields[0], len(fields)-1)
	}
	msg = strings.ReplaceAll(msg, "\n", "; ")
	fmt.Fprintf(w, "rescue-companion: %s\n", msg)
}
