package rescue

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// scripted serves attempt n (from 0) with step n, the last step repeating.
type scripted struct {
	*httptest.Server
	attempts atomic.Int32
}

type step func(w http.ResponseWriter, r *http.Request)

func newScripted(t *testing.T, steps ...step) *scripted {
	t.Helper()
	s := &scripted{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // the request has arrived in full before any step acts
		n := int(s.attempts.Add(1)) - 1
		steps[min(n, len(steps)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func reply(body string) step {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) }
}

func status(code int, header ...string) step {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "busy")
	}
}

// drop closes the connection without answering, after the request has been read.
func drop(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// cutShort promises a body and sends only part of it.
func cutShort(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "100")
	_, _ = io.WriteString(w, "OK AccountID:1")
	_ = http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

const accountBody = "OK AccountID:1482207 Organization:Contoso Helpdesk AdminID:0 TechID:4310022 Email:jordan@contoso-helpdesk.example"

// waits records the client's waits.
type waits struct {
	mu     sync.Mutex
	slept  []time.Duration
	told   []string
	result error
}

func (w *waits) options() Options {
	return Options{
		Sleep: func(ctx context.Context, d time.Duration) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.slept = append(w.slept, d)
			if w.result != nil {
				return w.result
			}
			return ctx.Err()
		},
		OnWait: func(method string, d time.Duration) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.told = append(w.told, method+" "+d.String())
		},
	}
}

func TestReadMethodWaitsOutTooManyRequests(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		retryAfter string
		maxWait    time.Duration
		want       time.Duration
	}{
		{"seconds", "5", 0, 5 * time.Second},
		{"absent", "", 0, time.Second},
		{"unreadable", "soon", 0, time.Second},
		{"HTTP date", now.Add(10 * time.Second).Format(http.TimeFormat), 0, 10 * time.Second},
		{"over the default cap", "120", 0, DefaultMaxWait},
		{"over a set cap", "9", 2 * time.Second, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScripted(t, status(429, "Retry-After", tc.retryAfter), reply(accountBody))
			var w waits
			opts := w.options()
			opts.MaxWait, opts.Now = tc.maxWait, func() time.Time { return now }
			acct, err := newClient(t, srv.URL+"/API", opts).Account(ctx, "code")
			if err != nil || acct.TechID != 4310022 {
				t.Fatalf("%+v, %v", acct, err)
			}
			if len(w.slept) != 1 || w.slept[0] != tc.want {
				t.Fatalf("slept %v, want [%s]", w.slept, tc.want)
			}
			if len(w.told) != 1 || w.told[0] != "getAccount "+tc.want.String() {
				t.Fatalf("told %v", w.told)
			}
		})
	}
}

func TestTooManyRequestsGivesUpAfterThreeRetries(t *testing.T) {
	srv := newScripted(t, status(429, "Retry-After", "2"))
	var w waits
	_, err := newClient(t, srv.URL+"/API", w.options()).Sessions(ctx, "code", 1)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 429 || he.RetryAfter != 2*time.Second || he.Method != "getSession_v3" {
		t.Fatalf("%v", err)
	}
	if n := srv.attempts.Load(); n != 4 || len(w.slept) != 3 {
		t.Fatalf("%d attempts, %d waits; want 4 and 3", n, len(w.slept))
	}
	if MayHaveReached(err) {
		t.Error("a 429 was not applied")
	}
}

func TestTooManyRequestsOnPINIsNotRetried(t *testing.T) {
	srv := newScripted(t, status(429, "Retry-After", "1"), reply("OK PINCODE:123456"))
	var w waits
	_, err := newClient(t, srv.URL+"/API", w.options()).RequestPINCode(ctx, "code", PINRequest{})
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 429 {
		t.Fatalf("%v", err)
	}
	if srv.attempts.Load() != 1 || len(w.slept) != 0 || len(w.told) != 0 {
		t.Fatalf("%d attempts, slept %v", srv.attempts.Load(), w.slept)
	}
	if MayHaveReached(err) {
		t.Error("a 429 was not applied")
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	srv := newScripted(t, status(429, "Retry-After", "1"), reply(accountBody))
	w := waits{result: context.Canceled}
	_, err := newClient(t, srv.URL+"/API", w.options()).Account(ctx, "code")
	if !errors.Is(err, context.Canceled) || srv.attempts.Load() != 1 {
		t.Fatalf("%v after %d attempts", err, srv.attempts.Load())
	}
}

func TestDroppedConnection(t *testing.T) {
	t.Run("PIN: not retried, may have reached", func(t *testing.T) {
		srv := newScripted(t, drop, reply("OK PINCODE:123456"))
		_, err := newClient(t, srv.URL+"/API", Options{}).RequestPINCode(ctx, "code", PINRequest{})
		if !errors.Is(err, ErrUnreachable) || !MayHaveReached(err) || srv.attempts.Load() != 1 {
			t.Fatalf("%v (MayHaveReached %v) after %d attempts", err, MayHaveReached(err), srv.attempts.Load())
		}
	})
	t.Run("read: retried once", func(t *testing.T) {
		srv := newScripted(t, drop, reply(accountBody))
		if _, err := newClient(t, srv.URL+"/API", Options{}).Account(ctx, "code"); err != nil {
			t.Fatal(err)
		}
		if srv.attempts.Load() != 2 {
			t.Fatalf("%d attempts", srv.attempts.Load())
		}
	})
	t.Run("read: only once", func(t *testing.T) {
		srv := newScripted(t, drop)
		_, err := newClient(t, srv.URL+"/API", Options{}).Account(ctx, "code")
		if !errors.Is(err, ErrUnreachable) || !MayHaveReached(err) || srv.attempts.Load() != 2 {
			t.Fatalf("%v after %d attempts", err, srv.attempts.Load())
		}
	})
	t.Run("body cut short", func(t *testing.T) {
		srv := newScripted(t, cutShort)
		_, err := newClient(t, srv.URL+"/API", Options{}).RequestPINCode(ctx, "code", PINRequest{})
		if !errors.Is(err, ErrUnreachable) || !MayHaveReached(err) || errors.Is(err, ErrMalformed) {
			t.Fatalf("%v", err)
		}
	})
}

func TestConnectionRefusedNeverReached(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := newClient(t, "http://"+addr+"/API", Options{})
	_, err = c.RequestPINCode(ctx, "code", PINRequest{})
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, syscall.ECONNREFUSED) || MayHaveReached(err) {
		t.Fatalf("%v (MayHaveReached %v)", err, MayHaveReached(err))
	}
}

func TestTLSFailureNeverReached(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	// A client that does not trust the test certificate.
	c := newClient(t, srv.URL+"/API", Options{HTTPClient: &http.Client{Transport: &http.Transport{}}})
	_, err := c.RequestPINCode(ctx, "code", PINRequest{})
	if !errors.Is(err, ErrUnreachable) || MayHaveReached(err) || hits.Load() != 0 {
		t.Fatalf("%v (MayHaveReached %v, %d hits)", err, MayHaveReached(err), hits.Load())
	}
}

// stall holds the reply until the client gives up.
func stall(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestTimeoutAfterWritingMayHaveReached(t *testing.T) {
	t.Run("context deadline", func(t *testing.T) {
		srv := newScripted(t, stall)
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := newClient(t, srv.URL+"/API", Options{}).RequestPINCode(dctx, "code", PINRequest{})
		if !errors.Is(err, context.DeadlineExceeded) || !MayHaveReached(err) {
			t.Fatalf("%v (MayHaveReached %v)", err, MayHaveReached(err))
		}
		if errors.Is(err, ErrUnreachable) {
			t.Error("the caller's deadline is not the service being unreachable")
		}
	})
	t.Run("HTTP client timeout, read retried once", func(t *testing.T) {
		srv := newScripted(t, stall)
		hc := &http.Client{Timeout: 50 * time.Millisecond}
		_, err := newClient(t, srv.URL+"/API", Options{HTTPClient: hc}).Chat(ctx, "code", 1)
		if !errors.Is(err, ErrUnreachable) || !MayHaveReached(err) || srv.attempts.Load() != 2 {
			t.Fatalf("%v (MayHaveReached %v) after %d attempts", err, MayHaveReached(err), srv.attempts.Load())
		}
	})
	t.Run("context cancelled before sending", func(t *testing.T) {
		srv := newScripted(t, reply("OK PINCODE:123456"))
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := newClient(t, srv.URL+"/API", Options{}).RequestPINCode(cctx, "code", PINRequest{})
		if !errors.Is(err, context.Canceled) || MayHaveReached(err) || srv.attempts.Load() != 0 {
			t.Fatalf("%v (MayHaveReached %v)", err, MayHaveReached(err))
		}
	})
}

func TestHTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		step       step
		status     int
		retryAfter time.Duration
		reached    bool
	}{
		{"500", status(500), 500, 0, true},
		{"503 with Retry-After", status(503, "Retry-After", "7"), 503, 7 * time.Second, true},
		{"404", status(404), 404, 0, false},
		{"redirect not followed", status(302, "Location", "https://elsewhere.example/steal"), 302, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScripted(t, tc.step, reply(accountBody))
			_, err := newClient(t, srv.URL+"/API", Options{}).Account(ctx, "code")
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != tc.status || he.RetryAfter != tc.retryAfter || he.Method != "getAccount" {
				t.Fatalf("%v", err)
			}
			if MayHaveReached(err) != tc.reached || srv.attempts.Load() != 1 {
				t.Fatalf("MayHaveReached %v after %d attempts", MayHaveReached(err), srv.attempts.Load())
			}
		})
	}
}

func TestMalformedReplies(t *testing.T) {
	type call func(c *Client) error
	pin := func(c *Client) error { _, err := c.RequestPINCode(ctx, "code", PINRequest{}); return err }
	auth := func(c *Client) error { _, err := c.RequestAuthCode(ctx, "e", "p"); return err }
	account := func(c *Client) error { _, err := c.Account(ctx, "code"); return err }
	user := func(c *Client) error { _, err := c.User(ctx, "code", 1); return err }
	sessions := func(c *Client) error { _, err := c.Sessions(ctx, "code", 1); return err }
	note := func(c *Client) error { _, err := c.Note(ctx, "code", 1); return err }
	for _, tc := range []struct {
		name string
		body string
		do   call
	}{
		{"empty", "", pin},
		{"white space", " \r\n", pin},
		{"HTML page", "<html><body>Sign in to the proxy</body></html>", pin},
		{"lower-case token", "ok PINCODE:123456", pin},
		{"no PINCODE", "OK", pin},
		{"PIN not digits", "OK PINCODE:12a456", pin},
		{"PIN too long", "OK PINCODE:1234567", pin},
		{"no AUTHCODE", "OK", auth},
		{"empty AUTHCODE", "OK AUTHCODE: ", auth},
		{"account without IDs", "OK Organization:x", account},
		{"user without NODEID", "OK NAME: x", user},
		{"session ID not a number", "OK\n\nID|Status|\nabc|Active|\n", sessions},
		{"table without ID", "OK\n\nStatus|\nActive|\n", sessions},
		{"row too short", "OK\n\nID|Status|Technician|\n1|Active|\n", sessions},
		{"note without label", "OK something", note},
		{"token too long", strings.Repeat("A", 65), pin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScripted(t, reply(tc.body))
			err := tc.do(newClient(t, srv.URL+"/API", Options{}))
			if !errors.Is(err, ErrMalformed) || !MayHaveReached(err) {
				t.Fatalf("%v (MayHaveReached %v)", err, MayHaveReached(err))
			}
			if srv.attempts.Load() != 1 {
				t.Fatalf("%d attempts: a malformed reply is not retried", srv.attempts.Load())
			}
		})
	}
}

func TestReplyOverMaxBodyIsMalformed(t *testing.T) {
	srv := newScripted(t, reply(accountBody))
	_, err := newClient(t, srv.URL+"/API", Options{MaxBody: 16}).Account(ctx, "code")
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "larger than 16 bytes") {
		t.Fatalf("%v", err)
	}
	if _, err := newClient(t, srv.URL+"/API", Options{MaxBody: int64(len(accountBody))}).Account(ctx, "code"); err != nil {
		t.Fatalf("a reply of exactly MaxBody: %v", err)
	}
}

func TestUnknownTokenIsAnError(t *testing.T) {
	srv := newScripted(t, reply("NOACCESSTOLENS\r\n"))
	_, err := newClient(t, srv.URL+"/API", Options{}).RequestPINCode(ctx, "code", PINRequest{})
	e := wantCode(t, err, Code("NOACCESSTOLENS"))
	if e.NeedsSignIn() || MayHaveReached(err) || e.Error() != "rescue: requestPINCode: NOACCESSTOLENS" {
		t.Fatalf("%q", e.Error())
	}
}
