// Package sandbox serves faithful fakes of the three cloud services Rescue Companion talks to, on
// loopback and over TLS, so that the app, its CLI and its tests run with no network:
//
//   - an Entra ID authority (package entra): OpenID configuration, authorization code with PKCE and
//     form_post, refresh tokens, device code;
//   - a Dataverse organisation (package dataverse): the Web API v9.2 with OData queries, paging,
//     annotations, upsert by alternate key and key metadata;
//   - LogMeIn Rescue (package rescue): the /API/<method>.aspx text API and a simulated Technician
//     Console and customer, whose sessions move Connecting → Waiting → Active → Closed on a clock.
//
// Each service listens on its own origin, as the real ones do, so a client that mixes them up fails
// here too. A certificate authority is made at start; clients trust it for the sandbox's endpoints only.
// A control surface under /_sandbox/ on every origin (see control.go) switches consoles, moves sessions
// along and injects faults (package fault). The seed data comes from package world.
//
// Where the references mark a wire detail as unconfirmed, each fake's package comment lists the
// choice it made.
package sandbox

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/entra"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// SampleClientID is Microsoft's documented sample public client, which the sandbox accepts like any GUID.
const SampleClientID = "51f81489-12ee-4a9e-aaae-a2591f45987d"

// Options tune the sandbox. The zero value suits a person trying the app.
type Options struct {
	Now               func() time.Time // the clock of every fake; default time.Now
	Pace              time.Duration    // how long each Rescue session stage lasts; default 1 minute
	AccessTokenTTL    time.Duration    // default 1 hour
	ReportInterval    time.Duration    // Rescue getReport_v2 rate limit; default 60 s
	PINInterval       time.Duration    // Rescue requestPINCode rate limit; default 1 s
	AutoApproveDevice bool             // approve device-code sign-ins on the second poll, as DeviceUser
	DeviceUser        string           // technician key for AutoApproveDevice; default the first
	Host              string           // listen address; default 127.0.0.1
}

// Sandbox is a running set of fakes.
type Sandbox struct {
	World     *world.World
	Entra     *entra.Server
	Dataverse *dataverse.Server
	Rescue    *rescue.Server
	Faults    *fault.Injector

	AuthorityURL string // the Entra instance, e.g. https://127.0.0.1:41001 (the tenant goes after it)
	DynamicsURL  string // the Dataverse organisation URL
	RescueURL    string // the Rescue API endpoint, ending in /API

	ca       *authority
	servers  []*http.Server
	requests [3]atomic.Int64 // served per service, control surface excluded: entra, dataverse, rescue
}

// Requests is how many requests each fake has received (the control surface not counted), by
// service name: what the app costs the services, measured.
func (s *Sandbox) Requests() map[string]int64 {
	return map[string]int64{
		fault.Entra: s.requests[0].Load(), fault.Dataverse: s.requests[1].Load(), fault.Rescue: s.requests[2].Load(),
	}
}

// counted counts the requests that reach a fake.
func counted(n *atomic.Int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	})
}

// Start makes the CA, listens on three loopback ports and serves the fakes until Close.
func Start(opts Options) (*Sandbox, error) {
	opts = withDefaults(opts)
	ca, err := newAuthority(opts.Now())
	if err != nil {
		return nil, err
	}
	listeners, err := listen(opts.Host, 3)
	if err != nil {
		return nil, err
	}
	s := &Sandbox{World: world.New(opts.Now()), Faults: &fault.Injector{}, ca: ca}
	s.AuthorityURL = origin(listeners[0])
	s.DynamicsURL = origin(listeners[1])
	s.RescueURL = origin(listeners[2]) + "/API"
	s.build(opts)

	control := s.controlHandler()
	for i, h := range []http.Handler{
		s.Faults.Wrap(fault.Entra, s.Entra),
		s.Faults.Wrap(fault.Dataverse, s.Dataverse),
		s.Faults.Wrap(fault.Rescue, s.Rescue),
	} {
		s.serve(listeners[i], withControl(control, counted(&s.requests[i], h)))
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Pace == 0 {
		o.Pace = time.Minute
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	return o
}

func (s *Sandbox) build(o Options) {
	s.Entra = entra.New(s.World, entra.Options{
		AccessTokenTTL:    o.AccessTokenTTL,
		AutoApproveDevice: o.AutoApproveDevice,
		DeviceUser:        o.DeviceUser,
		Now:               o.Now,
	})
	check := func(token string) (string, string, bool) {
		p, ok := s.Entra.Principal(token)
		return p.Technician.SystemUserID, p.Audience, ok
	}
	s.Dataverse = dataverse.New(s.World, check, dataverse.Options{
		AuthorizationURI: s.AuthorityURL + "/" + s.World.Org.TenantID + "/oauth2/authorize",
		Now:              o.Now,
	})
	s.Rescue = rescue.New(s.World, rescue.Options{
		Now:            o.Now,
		Pace:           o.Pace,
		ReportInterval: o.ReportInterval,
		PINInterval:    o.PINInterval,
	})
}

func listen(host string, n int) ([]net.Listener, error) {
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			for _, o := range ls {
				_ = o.Close()
			}
			return nil, fmt.Errorf("sandbox: listen on %s: %w", host, err)
		}
		ls = append(ls, l)
	}
	return ls, nil
}

func origin(l net.Listener) string {
	return "https://" + l.Addr().String()
}

func (s *Sandbox) serve(l net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.ca.leaf}, MinVersion: tls.VersionTLS12},
	}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.ServeTLS(l, "", "") }()
}

// Close stops every listener and drops open connections.
func (s *Sandbox) Close() error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Close())
	}
	return errors.Join(errs...)
}

// CAPEM is the sandbox CA's certificate, for clients to trust (and for SSL_CERT_FILE or NODE_EXTRA_CA_CERTS).
func (s *Sandbox) CAPEM() []byte { return s.ca.certPEM }

// CertPool holds the sandbox CA alone.
func (s *Sandbox) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.ca.certPEM)
	return pool
}

// Client is an HTTP client that trusts the sandbox CA and nothing else.
func (s *Sandbox) Client() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12},
		},
	}
}

// Tenant is the sandbox organisation's tenant ID.
func (s *Sandbox) Tenant() string { return s.World.Org.TenantID }

// CrosscheckLine is the line ../shared/crosscheck/crosscheck.mjs accepts as its argument.
func (s *Sandbox) CrosscheckLine(caFile string) string {
	return fmt.Sprintf("base=%s ca=%s tenant=%s client=%s", s.DynamicsURL, caFile, s.Tenant(), SampleClientID)
}
