// Package netx holds the small pieces of networking the service clients share: the HTTP client
// they start from, the rule that only loopback hosts may go without TLS, and a wait that ends
// with its context.
package netx

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// IsLoopback reports whether host names this computer: localhost (in any case) or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Limits are how long a client waits, and how many idle connections it keeps per host.
type Limits struct {
	Total       time.Duration // the whole request, reply included
	FirstByte   time.Duration // until the reply's headers
	IdlePerHost int
}

// Client is an HTTP client with TLS 1.2 or later, the environment's proxy, the given limits, and
// redirects handed back rather than followed (see NoRedirects).
func Client(l Limits) *http.Client {
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	return NoRedirects(&http.Client{
		Timeout: l.Total,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: l.FirstByte,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   l.IdlePerHost,
		},
	})
}

// NoRedirects returns a copy of the client that hands 3xx answers back instead of following them:
// neither service redirects its API, and following one could carry a token somewhere unexpected.
func NoRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Sleep waits for d, or returns ctx's error as soon as ctx ends; a d of zero or less only checks ctx.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
