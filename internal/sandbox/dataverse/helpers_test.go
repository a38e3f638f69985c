package dataverse

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

var seedTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const authorizeURI = "https://login.sandbox.example/tenant-guid/oauth2/authorize"

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a Server behind a TLS test listener, with tokens for each technician.
type fixture struct {
	t     *testing.T
	w     *world.World
	s     *Server
	srv   *httptest.Server
	clock *clock
	base  string // https://127.0.0.1:port/api/data/v9.2/
}

// Tokens the fixture's TokenCheck knows.
const (
	tokCamille  = "token-camille"
	tokJordan   = "token-jordan"
	tokWrongAud = "token-other-org"
	tokStranger = "token-not-a-user"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, nil)
}

// newFixtureWith is newFixture with options changed by edit first.
func newFixtureWith(t *testing.T, edit func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, w: world.New(seedTime), clock: &clock{now: seedTime}}
	var (
		mu  sync.Mutex
		n   int
		aud string
	)
	check := func(tok string) (string, string, bool) {
		mu.Lock()
		defer mu.Unlock()
		switch tok {
		case tokCamille:
			return f.tech("camille").SystemUserID, aud, true
		case tokJordan:
			return strings.ToUpper(f.tech("jordan").SystemUserID), aud + "/", true
		case tokWrongAud:
			return f.tech("camille").SystemUserID, "https://other-org.example", true
		case tokStranger:
			return world.GUID("nobody"), aud, true
		}
		return "", "", false
	}
	newID := func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return world.GUID(fmt.Sprintf("new-row:%d", n))
	}
	opts := Options{AuthorizationURI: authorizeURI, Now: f.clock.Now, NewID: newID}
	if edit != nil {
		edit(&opts)
	}
	f.s = New(f.w, check, opts)
	f.srv = httptest.NewTLSServer(f.s)
	t.Cleanup(f.srv.Close)
	mu.Lock()
	aud = f.srv.URL
	mu.Unlock()
	f.base = f.srv.URL + "/api/data/v9.2/"
	return f
}

func (f *fixture) tech(key string) world.Technician {
	tech, ok := f.w.Technician(key)
	if !ok {
		f.t.Fatalf("no technician %q", key)
	}
	return tech
}

// response is an answer with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into a generic value, failing the test when it is not JSON.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (r response) values(t *testing.T) []map[string]any {
	t.Helper()
	raw, ok := r.json(t)["value"].([]any)
	if !ok {
		t.Fatalf("no value array in %s", r.body)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

// errorOf returns error.code and error.message.
func (r response) errorOf(t *testing.T) (string, string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error.Message == "" {
		t.Fatalf("status %d: not an OData error body: %s", r.status, r.body)
	}
	return e.Error.Code, e.Error.Message
}

// call sends a request as Camille unless an Authorization header is given. headers are name, value pairs.
func (f *fixture) call(method, path, body string, headers ...string) response {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	url := path
	if !strings.HasPrefix(path, "https://") {
		url = f.base + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tokCamille)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("OData-MaxVersion", "4.0")
	req.Header.Set("OData-Version", "4.0")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Add(headers[i], headers[i+1])
		if headers[i] == "Authorization" {
			req.Header.Set("Authorization", headers[i+1])
		}
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (f *fixture) get(path string, headers ...string) response {
	f.t.Helper()
	return f.call(http.MethodGet, path, "", headers...)
}

// mustStatus fails the test unless the response has the status.
func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body: %s", r.status, want, r.body)
	}
}
