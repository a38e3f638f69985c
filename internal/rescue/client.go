package rescue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/netx"
)

// Defaults of Options.
const (
	DefaultMaxBody = 4 << 20
	DefaultMaxWait = 30 * time.Second
)

// Options tune a Client. The zero value is ready to use.
type Options struct {
	// HTTPClient sends the requests; nil means one with connect, TLS, header and overall timeouts.
	// Redirects are never followed, whichever client is given: a redirected POST would lose its body
	// or carry the authcode to another host.
	HTTPClient *http.Client
	// MaxBody caps the size of one reply (default 4 MiB); a larger one is ErrMalformed.
	MaxBody int64
	// MaxWait caps a wait asked for by Retry-After (default 30 s).
	MaxWait time.Duration
	// Sleep waits between attempts; it must return ctx.Err() when ctx ends first. Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnWait, when set, is told before the client waits out a 429, so that a UI can say "busy,
	// retrying in N s". It runs on the calling goroutine and must not block.
	OnWait func(method string, d time.Duration)
	// Now reads the clock, for Retry-After given as an HTTP date. Default time.Now.
	Now func() time.Time
}

// Client talks to one Rescue API endpoint. It is safe for concurrent use.
type Client struct {
	endpoint string // scheme://host[:port]/path, no trailing slash
	origin   string // scheme://host[:port]
	http     *http.Client
	opts     Options

	// reportMu keeps report sequences apart: the service keeps report settings per user, so two
	// interleaved sequences could each fetch the other's report.
	reportMu sync.Mutex
}

// New returns a client of the API at endpoint, e.g. https://secure.logmeinrescue.com/API. Plain http
// is accepted only for a loopback host (127.0.0.1, ::1, localhost), as the sandbox serves.
func New(endpoint string, opts Options) (*Client, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if opts.MaxBody < 0 || opts.MaxWait < 0 {
		return nil, errors.New("rescue: negative body limit or wait")
	}
	opts = withDefaults(opts)
	origin := u.Scheme + "://" + u.Host
	return &Client{
		endpoint: origin + strings.TrimRight(u.EscapedPath(), "/"),
		origin:   origin,
		http:     netx.NoRedirects(opts.HTTPClient),
		opts:     opts,
	}, nil
}

func withDefaults(o Options) Options {
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxWait == 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.HTTPClient == nil {
		o.HTTPClient = netx.Client(netx.Limits{Total: 90 * time.Second, FirstByte: 60 * time.Second, IdlePerHost: 2})
	}
	if o.Sleep == nil {
		o.Sleep = netx.Sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// parseEndpoint checks that the endpoint is an https URL (or http on loopback) with no query,
// fragment or user information, and lowers its scheme and host.
func parseEndpoint(raw string) (*url.URL, error) {
	const example = "https://secure.logmeinrescue.com/API"
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("rescue: endpoint %q is not a URL like %s", raw, example)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("rescue: endpoint %q must be a plain URL like %s", raw, example)
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && netx.IsLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("rescue: endpoint %q must use https", raw)
	}
	return u, nil
}

// Endpoint returns the API endpoint the client was made with, without a trailing slash.
func (c *Client) Endpoint() string { return c.endpoint }

// JoinURL is the customer's join link for a PIN: the endpoint's origin followed by
// /R?i=2&Code=<pin> (rescue-api.md §3.4).
func (c *Client) JoinURL(pin string) string {
	return c.origin + "/R?i=2&Code=" + url.QueryEscape(pin)
}
