package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/config"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox"
)

// runSandboxCommand serves the fakes until interrupted, and writes the CA and a settings file that
// point the app (and the crosscheck clients) at them.
func runSandboxCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rescue-companion sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "where to write ca.pem and config.toml (default: <user config dir>/rescue-companion/sandbox)")
	pace := fs.Duration("pace", time.Minute, "how long each Rescue session stage lasts")
	autoApprove := fs.Bool("auto-approve", true, "approve device-code sign-ins by themselves, as --device-user")
	deviceUser := fs.String("device-user", "camille", "technician who approves device-code sign-ins")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitUsage
	}
	if *dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			fmt.Fprintf(stderr, "rescue-companion sandbox: %v\n", err)
			return exitError
		}
		*dir = filepath.Join(base, "rescue-companion", "sandbox")
	}
	sb, err := sandbox.Start(sandbox.Options{Pace: *pace, AutoApproveDevice: *autoApprove, DeviceUser: *deviceUser})
	if err != nil {
		fmt.Fprintf(stderr, "rescue-companion sandbox: %v\n", err)
		return exitError
	}
	defer sb.Close()
	caFile, cfgFile, err := writeSandboxFiles(sb, *dir)
	if err != nil {
		fmt.Fprintf(stderr, "rescue-companion sandbox: %v\n", err)
		return exitError
	}
	printSandbox(stdout, sb, caFile, cfgFile)
	waitForInterrupt()
	fmt.Fprintln(stdout, "Sandbox stopped.")
	return exitOK
}

func writeSandboxFiles(sb *sandbox.Sandbox, dir string) (caFile, cfgFile string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	caFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, sb.CAPEM(), 0o644); err != nil {
		return "", "", err
	}
	cfgFile = filepath.Join(dir, "config.toml")
	return caFile, cfgFile, config.Save(cfgFile, sandboxConfig(sb, caFile))
}

// sandboxConfig is a settings file that points the app at a running sandbox.
func sandboxConfig(sb *sandbox.Sandbox, caFile string) config.Config {
	c := config.Default()
	c.Dynamics.URL = sb.DynamicsURL
	c.Dynamics.TenantID = sb.Tenant()
	c.Dynamics.Authority = sb.AuthorityURL
	c.Rescue.Instance = "sandbox"
	c.Rescue.Endpoint = sb.RescueURL
	c.Rescue.CompanyID = strconv.Itoa(sb.World.Org.RescueCompanyID)
	c.Sandbox.CAFile = caFile
	return c
}

func printSandbox(w io.Writer, sb *sandbox.Sandbox, caFile, cfgFile string) {
	fmt.Fprintf(w, `Rescue Companion sandbox
  Entra ID authority  %s/%s
  Dynamics            %s
  Rescue API          %s
  Control surface     %s/_sandbox/state
  CA certificate      %s
  Settings            %s

Run the app against it:
  rescue-companion --config %s
Crosscheck with real clients (../shared/crosscheck):
  AUTH_BASE=%s ORG_BASE=%s BASE=%s CA=%s TENANT=%s CLIENT_ID=%s node crosscheck.mjs
Press Ctrl+C to stop.
`, sb.AuthorityURL, sb.Tenant(), sb.DynamicsURL, sb.RescueURL, sb.DynamicsURL, caFile, cfgFile,
		cfgFile, sb.AuthorityURL, sb.DynamicsURL, sb.DynamicsURL, caFile, sb.Tenant(), sandbox.SampleClientID)
}

func waitForInterrupt() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
}
