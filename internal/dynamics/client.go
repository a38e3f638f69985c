package dynamics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/netx"
)

// APIPath is where the Web API lives under the organisation URL.
const APIPath = "/api/data/v9.2/"

// Defaults of Options.
const (
	DefaultPageSize    = 100
	DefaultMaxWait     = 60 * time.Second
	DefaultMaxBody     = 32 << 20
	DefaultBusyRetries = 5
)

// maxPageSize is the largest page Dataverse serves.
const maxPageSize = 5000

// TokenSource hands out bearer tokens for the organisation. Token is asked once per request (each page
// of a list is one); Refresh at most once per request, after a 401.
type TokenSource interface {
	// Token returns a token without user interaction, from a cache or a refresh token.
	Token(ctx context.Context) (string, error)
	// Refresh returns a fresh token after the service refused the last one.
	Refresh(ctx context.Context) (string, error)
}

// Wait describes a pause before a request is tried again.
type Wait struct {
	Reason  string        // WaitBusy or WaitRetry
	Delay   time.Duration // how long the client will wait
	Attempt int           // 1 for a request's first retry for this reason, 2 for the second, …
}

// Reasons for a Wait.
const (
	WaitBusy  = "busy"  // the service is throttling (429): "Dynamics is busy, retrying in N s"
	WaitRetry = "retry" // a server error, a timeout or a dropped connection
)

// Options tune a Client. The zero value is ready to use.
type Options struct {
	// HTTPClient sends the requests; nil means one with connect, TLS, header and overall timeouts.
	// Redirects are never followed, whichever client is given.
	HTTPClient *http.Client
	// PageSize is the odata.maxpagesize asked for (default 100, at most 5,000).
	PageSize int
	// MaxWait caps a wait asked for by Retry-After (default 60 s).
	MaxWait time.Duration
	// MaxBody caps the size of one reply (default 32 MiB); a larger one is an error.
	MaxBody int64
	// BusyRetries is how many times a throttled request is sent again (default 5).
	BusyRetries int
	// OnWait, when set, is told before each wait. It runs on the calling goroutine and must not block.
	OnWait func(Wait)
	// Now and Sleep stand in for the clock in tests. Sleep must return ctx.Err() when ctx ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to one organisation's Web API. It is safe for concurrent use.
type Client struct {
	org    string // scheme://host[:port], no trailing slash
	api    string // org + APIPath
	tokens TokenSource
	http   *http.Client
	opts   Options
}

// New returns a client of the organisation at orgURL, a bare origin such as
// https://contoso.crm4.dynamics.com. Plain http is accepted only for a loopback host.
func New(orgURL string, tokens TokenSource, opts Options) (*Client, error) {
	org, err := parseOrgURL(orgURL)
	if err != nil {
		return nil, err
	}
	if tokens == nil {
		return nil, errors.New("dynamics: no token source")
	}
	if opts.PageSize < 0 || opts.MaxWait < 0 || opts.MaxBody < 0 || opts.BusyRetries < 0 {
		return nil, errors.New("dynamics: negative page size, wait, body limit or retry count")
	}
	opts = withDefaults(opts)
	return &Client{org: org, api: org + APIPath, tokens: tokens, http: netx.NoRedirects(opts.HTTPClient), opts: opts}, nil
}

func withDefaults(o Options) Options {
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	o.PageSize = min(o.PageSize, maxPageSize)
	if o.MaxWait == 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.BusyRetries == 0 {
		o.BusyRetries = DefaultBusyRetries
	}
	if o.HTTPClient == nil {
		o.HTTPClient = netx.Client(netx.Limits{Total: 3 * time.Minute, FirstByte: 2 * time.Minute, IdlePerHost: 4})
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = netx.Sleep
	}
	return o
}

// parseOrgURL checks that the organisation URL is a bare origin and returns it without a trailing slash.
func parseOrgURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("dynamics: organisation URL %q is not a URL like https://contoso.crm4.dynamics.com", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("dynamics: organisation URL %q must be a bare origin like https://contoso.crm4.dynamics.com", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !netx.IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("dynamics: organisation URL %q must use https", raw)
		}
	default:
		return "", fmt.Errorf("dynamics: organisation URL %q must use https", raw)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}

// OrgURL returns the organisation URL the client was made with, without a trailing slash.
func (c *Client) OrgURL() string { return c.org }

// CaseURL returns the address of the case's form in the Dynamics UI.
func (c *Client) CaseURL(caseID string) string {
	return c.org + "/main.aspx?pagetype=entityrecord&etn=incident&id=" + url.QueryEscape(caseID)
}
