package rescue

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	fake "github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
)

const (
	canaryAuthCode = "canary-authcode-7f3k"
	canaryPassword = "CANARY-password-9q2x"
)

// flow calls every method with the authcode and password, and returns every error it met.
func flow(c *Client, authcode, email, password string) []error {
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err := c.RequestAuthCode(ctx, email, password)
	keep(err)
	_, err = c.RequestAuthCodeSSO(ctx, "sso-jordan", password, "1482207")
	keep(err)
	_, err = c.Account(ctx, authcode)
	keep(err)
	_, err = c.User(ctx, authcode, 4310022)
	keep(err)
	_, err = c.RequestPINCode(ctx, authcode, PINRequest{CustomFields: [6]string{authcode}, Tracking: password})
	keep(err)
	_, err = c.Sessions(ctx, authcode, 4310022)
	keep(err)
	_, err = c.Note(ctx, authcode, 1)
	keep(err)
	_, err = c.Chat(ctx, authcode, 1)
	keep(err)
	_, err = c.SessionReport(ctx, authcode, 4310022, t0.Add(-time.Hour), t0)
	keep(err)
	return errs
}

func assertNoSecret(t *testing.T, errs []error, secrets ...string) {
	t.Helper()
	for _, err := range errs {
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
					t.Errorf("an error carries a secret: %s", text)
				}
			}
		}
	}
}

func TestSecretsNeverReachErrors(t *testing.T) {
	t.Run("the fake refuses them", func(t *testing.T) {
		e := newEnv(t, fake.Options{NoHistory: true}, Options{})
		errs := flow(e.client, canaryAuthCode, "jordan@contoso-helpdesk.example", canaryPassword)
		if len(errs) != 9 {
			t.Fatalf("%d errors, want one per call: %v", len(errs), errs)
		}
		assertNoSecret(t, errs, canaryAuthCode, canaryPassword)
	})

	t.Run("a real authcode through failures", func(t *testing.T) {
		e := newEnv(t, fake.Options{NoHistory: true}, Options{})
		code := e.signIn(t, "priya")
		e.fake.FailNext("getNote", 1)
		e.fake.SetPINsLeft(0)
		errs := flow(e.client, code, "priya@contoso-helpdesk.example", canaryPassword)
		if len(errs) < 4 {
			t.Fatalf("only %d errors: %v", len(errs), errs)
		}
		assertNoSecret(t, errs, code, canaryPassword)
	})

	// Servers that echo the request back in every place a reply has.
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-Echo", string(b))
			w.WriteHeader(status)
			_, _ = w.Write(b)
		}
	}
	for name, h := range map[string]http.HandlerFunc{
		"echo 200": echo(200),
		"echo 200 as a token": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "OK "+r.FormValue("authcode")+r.FormValue("pwd"))
		},
		"echo 500": echo(500),
		"echo 429": echo(429),
		"echo 302": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/?"+r.FormValue("authcode"), http.StatusFound)
		},
		"drop":           drop,
		"body cut short": cutShort,
		"upper-case echo token": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, strings.ToUpper(r.FormValue("pwd")))
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			errs := flow(newClient(t, srv.URL+"/API", Options{}), canaryAuthCode, "jo@example.com", canaryPassword)
			if len(errs) < 8 { // an echo may pass for a chat line
				t.Fatalf("%d errors: %v", len(errs), errs)
			}
			assertNoSecret(t, errs, canaryAuthCode, canaryPassword, strings.ReplaceAll(canaryPassword, "-", "_"))
		})
	}

	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		_ = l.Close()
		errs := flow(newClient(t, "http://127.0.0.1:"+port+"/API", Options{}), canaryAuthCode, "jo@example.com", canaryPassword)
		assertNoSecret(t, errs, canaryAuthCode, canaryPassword)
	})
}
