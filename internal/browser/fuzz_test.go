package browser

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheck: whatever Check lets through is an https URL, or an http URL to this computer,
// written with its scheme first and without credentials.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		"https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?state=x",
		"http://localhost:1234/",
		"http://[::1]/",
		"http://127.0.0.1.example.com/",
		"file:///etc/passwd",
		"https://user@example.com/",
		"HTTPS://EXAMPLE.COM",
		"-https://x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if Check(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted an unparsable URL %q", raw)
		}
		scheme := strings.ToLower(u.Scheme)
		if !strings.HasPrefix(strings.ToLower(raw), scheme+"://") || u.User != nil || u.Hostname() == "" {
			t.Fatalf("accepted %q", raw)
		}
		switch scheme {
		case "https":
		case "http":
			host := u.Hostname()
			if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
				t.Fatalf("accepted http to %q", host)
			}
		default:
			t.Fatalf("accepted scheme %q", scheme)
		}
	})
}
