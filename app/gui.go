package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/rescuecompanion/rescue-companion/internal/browser"
	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/desktop"
	"github.com/rescuecompanion/rescue-companion/internal/policy"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
	"github.com/rescuecompanion/rescue-companion/internal/secrets"
	"github.com/rescuecompanion/rescue-companion/internal/ui"
)

func runGUICommand(args []string, stderr io.Writer) int {
	f, err := parseGUIFlags(args, stderr)
	if err != nil {
		return exitUsage
	}
	var shown shellHolder
	release, err := oneInstance(f, shown.show)
	if errors.Is(err, desktop.ErrAlreadyRunning) {
		fmt.Fprintln(stderr, "rescue-companion: already running; its window was brought forward")
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "rescue-companion: could not check for another instance: %v\n", err)
	} else {
		defer release()
	}
	var shell *ui.Shell
	choose := func(ctx context.Context, c []ui.Choice) (string, error) { return shell.ChooseAccount(ctx, c) }
	svc, env, stop, err := setUp(f, choose)
	if err != nil {
		failure(stderr, err)
		return exitError
	}
	defer stop()

	a := fyneapp.NewWithID(appID)
	if err := ui.LoadTranslations(); err != nil {
		fmt.Fprintf(stderr, "rescue-companion: translations: %v\n", err)
	}
	a.SetIcon(ui.AppIcon())
	services := ui.Services{
		Auth: uiAuth{svc}, Cases: uiCases{svc}, Rescue: newUIRescue(svc), Sessions: uiSessions{svc}, Links: uiLinks{svc},
		Settings: uiSettings{svc: svc, path: settingsPath(f)}, Diagnostics: uiDiagnostics{svc}, Team: uiTeam{svc},
	}
	if !f.sandbox { // a sandbox run is for trying the app, not for starting at every login
		services.Autostart = uiAutostart{desktop.NewAutostart()}
	}
	var ready chan struct{}
	if os.Getenv(traceReadyEnv) != "" {
		ready = make(chan struct{})
		var once sync.Once
		services.Ready = func(what string) {
			once.Do(func() { fmt.Fprintf(stderr, "ready %s\n", what); close(ready) })
		}
	}
	shell = ui.NewShell(a, env, services)
	shown.set(shell)
	if ready != nil {
		ui.WhenShown(a, ready, func(t time.Time) { fmt.Fprintf(stderr, "shown %d\n", t.UnixNano()) })
	}
	if f.minimized {
		shell.Hide() // started at login: the tray icon is enough
	} else {
		shell.Show()
	}
	work, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	desktop.Go(func() { svc.desk.get().Run(work) }) // follows sessions and writes them back while the app runs
	a.Run()
	return exitOK
}

// settingsPath is the file the Settings screen writes: the one given, the sandbox's own, or the default.
func settingsPath(f guiFlags) string {
	if f.sandbox {
		return filepath.Join(os.TempDir(), "rescue-companion-sandbox-settings.toml")
	}
	return f.configPath
}

// oneInstance makes this process the user's only tray app (one for the sandbox, one for the
// organisation), or asks the running one to come forward.
func oneInstance(f guiFlags, onShow func()) (func(), error) {
	dir, err := desktop.DefaultDir()
	if err != nil {
		return nil, err
	}
	if f.sandbox {
		dir = filepath.Join(dir, "sandbox")
	}
	return desktop.Acquire(dir, onShow)
}

// shellHolder lets another launch's "show" reach the shell once it exists.
type shellHolder struct {
	mu    sync.Mutex
	shell *ui.Shell
}

func (h *shellHolder) set(s *ui.Shell) {
	h.mu.Lock()
	h.shell = s
	h.mu.Unlock()
}

func (h *shellHolder) show() {
	h.mu.Lock()
	s := h.shell
	h.mu.Unlock()
	if s != nil {
		fyne.Do(s.Show)
	}
}

// traceReadyEnv, when set, makes the app print when its first screen is shown (scripts/startup.sh).
const traceReadyEnv = "RESCUE_COMPANION_TRACE_READY"

// setUp builds the services for the embedded sandbox or for the organisation in the settings.
func setUp(f guiFlags, choose chooser) (*services, ui.Environment, func(), error) {
	if f.sandbox {
		return setUpSandbox(choose)
	}
	cfg, err := loadConfig(f.configPath)
	if err != nil {
		return nil, ui.Environment{}, nil, err
	}
	hc, err := httpClient(cfg)
	if err != nil {
		return nil, ui.Environment{}, nil, err
	}
	dir, err := defaultStateDir()
	if err != nil {
		return nil, ui.Environment{}, nil, err
	}
	if cfg.Rescue.Instance == config.InstanceSandbox {
		dir += "/sandbox" // a sandbox's tokens and cases never mix with a real organisation's
	}
	svc, err := buildServices(cfg, dir, hc, remember(secrets.NewKeyring(0)), nil)
	if err != nil {
		return nil, ui.Environment{}, nil, err
	}
	env := ui.Environment{
		Version:        version,
		Sandbox:        cfg.Rescue.Instance == config.InstanceSandbox,
		Organisation:   hostOf(cfg.Dynamics.URL),
		DynamicsURL:    cfg.Dynamics.URL,
		RescueEndpoint: cfg.Rescue.Endpoint,
	}
	return svc, env, svc.close, nil
}

// chooser asks the technician which sandbox account signs in.
type chooser func(ctx context.Context, choices []ui.Choice) (string, error)

// setUpSandbox starts the fakes in-process. Its state (tokens, cases, keys) lives in memory and in a
// temporary folder removed at exit: the sandbox leaves nothing behind.
func setUpSandbox(choose chooser) (*services, ui.Environment, func(), error) {
	sb, err := sandbox.Start(sandbox.Options{AutoApproveDevice: true, Pace: sandboxPace})
	if err != nil {
		return nil, ui.Environment{}, nil, err
	}
	tmp, err := os.MkdirTemp("", "rescue-companion-sandbox-")
	if err != nil {
		_ = sb.Close()
		return nil, ui.Environment{}, nil, err
	}
	cfg := sandboxConfig(sb, "")
	keys := remember(secrets.NewMemory())
	// The sandbox organisation's SSO settings are filled in, as IT would, so SSO sign-in can be tried.
	_ = keys.Set(context.Background(), ssoPasswordKey, sb.World.Org.SSOPassword)
	svc, err := buildServices(cfg, stateDir(tmp), sb.Client(), keys, sandboxOpener(sb, choose))
	if err != nil {
		_ = sb.Close()
		_ = os.RemoveAll(tmp)
		return nil, ui.Environment{}, nil, err
	}
	env := ui.Environment{
		Version:        version,
		Sandbox:        true,
		Organisation:   sb.World.Org.TenantDomain,
		DynamicsURL:    sb.DynamicsURL,
		RescueEndpoint: sb.RescueURL,
	}
	stop := func() {
		svc.close()
		_ = sb.Close()
		_ = os.RemoveAll(tmp)
	}
	return svc, env, stop, nil
}

// sandboxOpener completes the sandbox's authorize step in the app: the technician picks an account
// in a dialog instead of a browser page (which would warn about the sandbox's certificate), and the
// answer goes back to MSAL's loopback listener as form_post, so the flow is still the real
// authorization code flow with PKCE.
func sandboxOpener(sb *sandbox.Sandbox, choose chooser) browser.Opener {
	choices := make([]ui.Choice, 0, len(sb.World.Technicians))
	for _, t := range sb.World.Technicians {
		choices = append(choices, ui.Choice{Key: t.Key, Label: t.Name, Hint: t.Email})
	}
	return func(authorizeURL string) error {
		key, err := choose(context.Background(), choices)
		if err != nil {
			return err
		}
		redirect, form, err := sb.Entra.IssueCode(authorizeURL, key)
		if redirect == "" {
			return err
		}
		// Like a browser, post whatever the authority answered (a code, or an error for MSAL to read).
		go postForm(redirect, form)
		return nil
	}
}

func postForm(target string, form url.Values) {
	resp, err := http.PostForm(target, form)
	if err == nil {
		_ = resp.Body.Close()
	}
}

// loadConfig reads and validates the settings file at path, or at the default place.
func loadConfig(path string) (config.Config, error) {
	cfg, _, err := loadConfigLocked(path)
	return cfg, err
}

// errNoSettingsFile: neither a settings file nor an IT policy says where the organisation is.
var errNoSettingsFile = errors.New("no settings file")

// loadPolicy reads IT's policy for this platform; tests replace it.
var loadPolicy = policy.Load

// loadConfigLocked reads the settings file, then lays IT's policy over it: a policy value wins and
// is locked. A missing file is fine when the policy (an MSI's properties, a profile) sets enough.
func loadConfigLocked(path string) (config.Config, policy.Locked, error) {
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return config.Config{}, nil, err
		}
		path = p
	}
	cfg, err := config.Load(path)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		return cfg, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pol, err := loadPolicy(ctx)
	if err != nil {
		return cfg, nil, err
	}
	cfg, locked, err := policy.Apply(cfg, pol)
	if err != nil {
		return cfg, locked, err
	}
	if missing && len(pol.Values) == 0 {
		return cfg, locked, fmt.Errorf("%w at %s: create it (see the README) or run with --sandbox", errNoSettingsFile, path)
	}
	return cfg.Normalize(), locked, cfg.Validate()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Hostname()
}

// sandboxPace is how long each stage of a sandbox session lasts in the app: short enough for a
// newcomer to watch a session go from the PIN to its details in a minute or two.
const sandboxPace = 20 * time.Second
