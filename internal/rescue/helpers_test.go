package rescue

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fake "github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// t0 is a Friday morning; the seed's dates are placed before it.
var t0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// clock is an injected clock that moves only when a test moves it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is the sandbox's Rescue fake served over TLS on loopback, with a client of it.
type env struct {
	fake   *fake.Server
	world  *world.World
	clk    *clock
	srv    *httptest.Server
	client *Client
	calls  *recorder
}

// newEnv serves the fake on an injected clock. Sessions move only through Advance and CloseSession
// unless opts says otherwise, and no history is seeded unless asked for.
func newEnv(t *testing.T, opts fake.Options, copts Options) *env {
	t.Helper()
	clk := &clock{now: t0}
	opts.Now = clk.Now
	if opts.Pace == 0 {
		opts.Pace = -1
	}
	w := world.New(t0)
	f := fake.New(w, opts)
	rec := &recorder{}
	srv := httptest.NewTLSServer(rec.wrap(f))
	t.Cleanup(srv.Close)
	copts.HTTPClient = srv.Client()
	if copts.Sleep == nil {
		copts.Sleep = noSleep
	}
	c, err := New(srv.URL+"/API", copts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: f, world: w, clk: clk, srv: srv, client: c, calls: rec}
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// tech returns a seed technician by key.
func (e *env) tech(t *testing.T, key string) world.Technician {
	t.Helper()
	tech, ok := e.world.Technician(key)
	if !ok {
		t.Fatalf("no technician %q in the seed", key)
	}
	return tech
}

// signIn gets an authcode for a technician with their password.
func (e *env) signIn(t *testing.T, key string) string {
	t.Helper()
	tech := e.tech(t, key)
	code, err := e.client.RequestAuthCode(context.Background(), tech.Email, tech.Password)
	if err != nil {
		t.Fatalf("sign in %s: %v", key, err)
	}
	return code
}

// pin requests a PIN and returns the fake's session for it. The clock moves past the PIN rate limit
// first.
func (e *env) pin(t *testing.T, code string, r PINRequest) fake.Session {
	t.Helper()
	e.clk.Add(2 * time.Second)
	pin, err := e.client.RequestPINCode(context.Background(), code, r)
	if err != nil {
		t.Fatalf("requestPINCode: %v", err)
	}
	s, ok := e.fake.SessionByPIN(pin)
	if !ok {
		t.Fatalf("the fake has no session for PIN %q", pin)
	}
	return s
}

// call is one request as a server saw it.
type call struct {
	Method   string // the path's method name
	RawQuery string
	Body     string
	Header   http.Header
}

// Form decodes the body.
func (c call) Form() url.Values {
	v, _ := url.ParseQuery(c.Body)
	return v
}

// recorder keeps every request that passes through it.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		name := strings.TrimSuffix(req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:], ".aspx")
		r.mu.Lock()
		r.calls = append(r.calls, call{Method: name, RawQuery: req.URL.RawQuery, Body: string(body), Header: req.Header.Clone()})
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

func (r *recorder) methods() []string {
	var out []string
	for _, c := range r.all() {
		out = append(out, c.Method)
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// wantCode asserts that err is an *Error with the code.
func wantCode(t *testing.T, err error, code Code) *Error {
	t.Helper()
	e, ok := asError(err)
	if !ok {
		t.Fatalf("got %v (%T), want *Error %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s, want %s", e.Code, code)
	}
	return e
}

func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
