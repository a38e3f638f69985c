// Package browser is the one place that opens URLs in the system browser.
//
// It only opens https URLs, and http URLs whose host is this computer (localhost, 127.0.0.0/8,
// ::1), because the URLs it is handed end up on a command line (xdg-open, open, rundll32) and a
// file:, javascript: or custom-scheme URL there would start something other than a web page.
// The browser launcher's own output is discarded: a tray app has no terminal to show it in, and
// when started from one it must not scribble over it.
//
// Other packages take an Opener rather than calling Open, so that tests (with a Recorder) and the
// sandbox (with an in-app picker) can stand in for the browser.
package browser

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"

	pkgbrowser "github.com/pkg/browser"
)

// Opener opens a URL for the user to see. Open is the production one.
type Opener func(rawURL string) error

// ErrRefused is wrapped by Open's error when the URL is not one it agrees to open.
var ErrRefused = errors.New("browser: refusing to open the URL")

var quiet sync.Once

// Open checks rawURL (see the package comment) and opens it in the system browser. It returns
// once the platform's launcher has returned, with an error if there is no launcher or it failed.
// Error texts name the scheme and host of the URL, never its path or query, which may carry
// state a log should not keep.
func Open(rawURL string) error {
	if err := Check(rawURL); err != nil {
		return err
	}
	quiet.Do(func() {
		pkgbrowser.Stdout = io.Discard
		pkgbrowser.Stderr = io.Discard
	})
	if err := pkgbrowser.OpenURL(rawURL); err != nil {
		return fmt.Errorf("browser: could not open the system browser: %w", err)
	}
	return nil
}

// Check reports whether Open would agree to open rawURL, with an error wrapping ErrRefused when not.
func Check(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("%w: it is not a valid URL", ErrRefused)
	}
	scheme := strings.ToLower(u.Scheme)
	// The text itself must start with the scheme: the launcher gets rawURL, not u.String(), and
	// a leading space or dash could be read as something else.
	if scheme == "" || !strings.HasPrefix(strings.ToLower(rawURL), scheme+"://") {
		return fmt.Errorf("%w: it has no scheme", ErrRefused)
	}
	host := u.Hostname()
	switch {
	case host == "":
		return fmt.Errorf("%w: it has no host", ErrRefused)
	case u.User != nil:
		return fmt.Errorf("%w: it carries a user name or password", ErrRefused)
	case scheme == "https":
		return nil
	case scheme == "http" && isLoopback(host):
		return nil
	case scheme == "http":
		return fmt.Errorf("%w: http is only allowed to this computer, not to %q; use https", ErrRefused, host)
	}
	return fmt.Errorf("%w: only https URLs are opened, not %q", ErrRefused, scheme)
}

// isLoopback reports whether host names this computer.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// OpenMail opens a mailto: URL in the user's mail program, for invitations. Only mailto: is
// accepted here, and no control characters (CheckMail).
func OpenMail(rawURL string) error {
	if err := CheckMail(rawURL); err != nil {
		return err
	}
	quiet.Do(func() {
		pkgbrowser.Stdout = io.Discard
		pkgbrowser.Stderr = io.Discard
	})
	if err := pkgbrowser.OpenURL(rawURL); err != nil {
		return fmt.Errorf("browser: could not open the mail program: %w", err)
	}
	return nil
}

// CheckMail reports whether OpenMail would agree to open rawURL: a mailto: URL whose text holds no
// control character or space (they must be percent-encoded), so that it reaches the launcher as one
// argument.
func CheckMail(rawURL string) error {
	if !strings.HasPrefix(strings.ToLower(rawURL), "mailto:") {
		return fmt.Errorf("%w: it is not a mailto: URL", ErrRefused)
	}
	for _, r := range rawURL {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("%w: it holds a space or control character", ErrRefused)
		}
	}
	if _, err := url.Parse(rawURL); err != nil {
		return fmt.Errorf("%w: it is not a valid URL", ErrRefused)
	}
	return nil
}
