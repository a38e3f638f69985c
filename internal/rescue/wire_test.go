package rescue

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// textServer answers every request with the same 200 text body and records what it received.
type textServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
}

func newTextServer(t *testing.T, reply string) *textServer {
	t.Helper()
	s := &textServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, r)
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *textServer) last(t *testing.T) (*http.Request, string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		t.Fatal("no request received")
	}
	return s.requests[len(s.requests)-1], s.bodies[len(s.bodies)-1]
}

func newClient(t *testing.T, endpoint string, opts Options) *Client {
	t.Helper()
	if opts.Sleep == nil {
		opts.Sleep = noSleep
	}
	c, err := New(endpoint, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRequestPINCodeSendsTheExactForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  PINRequest
		body string
	}{
		{
			name: "accents, apostrophes, ampersands, spaces, plus",
			req: PINRequest{
				CustomFields:   [6]string{"Hélène O'Brien", "a&b c@example.com", "", "", "", "x+y=z"},
				Tracking:       "CAS-01003-K8Q2R7",
				RequireConsole: true,
			},
			body: "authcode=s3cr3t-code&cfield0=H%C3%A9l%C3%A8ne+O%27Brien&cfield1=a%26b+c%40example.com" +
				"&cfield5=x%2By%3Dz&notechconsole=0&tracking0=CAS-01003-K8Q2R7",
		},
		{
			name: "nothing but the console choice",
			req:  PINRequest{RequireConsole: false},
			body: "authcode=s3cr3t-code&notechconsole=1",
		},
		{
			name: "a field cut at its limit",
			req:  PINRequest{CustomFields: [6]string{strings.Repeat("é", 70)}, RequireConsole: true},
			body: "authcode=s3cr3t-code&cfield0=" + strings.Repeat("%C3%A9", 64) + "&notechconsole=0",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTextServer(t, "OK PINCODE:12345")
			c := newClient(t, srv.URL+"/API", Options{})
			pin, err := c.RequestPINCode(ctx, "s3cr3t-code", tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if pin != "012345" {
				t.Errorf("PIN %q, want it padded to 012345", pin)
			}
			r, body := srv.last(t)
			if body != tc.body {
				t.Errorf("body\n got %s\nwant %s", body, tc.body)
			}
			if r.Method != http.MethodPost || r.URL.Path != "/API/requestPINCode.aspx" || r.URL.RawQuery != "" {
				t.Errorf("%s %s", r.Method, r.URL)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestEveryMethodSendsItsParametersInTheBody(t *testing.T) {
	srv := newTextServer(t, "OK")
	c := newClient(t, srv.URL+"/API/", Options{})
	const code = "abc-authcode"
	calls := []struct {
		path string
		do   func() error
		body string
	}{
		{
			"/API/requestAuthCode.aspx", func() error { _, err := c.RequestAuthCode(ctx, "jo@example.com", "p&ss w"); return err },
			"email=jo%40example.com&pwd=p%26ss+w",
		},
		{
			"/API/requestAuthCodeSSO.aspx", func() error { _, err := c.RequestAuthCodeSSO(ctx, "sso-jo", "master", "1482207"); return err },
			"company=1482207&pwd=master&ssoid=sso-jo",
		},
		{"/API/getAccount.aspx", func() error { _, err := c.Account(ctx, code); return err }, "authcode=abc-authcode"},
		{
			"/API/getUser_v3.aspx", func() error { _, err := c.User(ctx, code, 4310022); return err },
			"authcode=abc-authcode&node=4310022",
		},
		{
			"/API/getSession_v3.aspx", func() error { _, err := c.Sessions(ctx, code, 4310022); return err },
			"authcode=abc-authcode&node=4310022&noderef=NODE",
		},
		{
			"/API/getNote.aspx", func() error { _, err := c.Note(ctx, code, 1093000123); return err },
			"authcode=abc-authcode&session=1093000123",
		},
		{
			"/API/getChat.aspx", func() error { _, err := c.Chat(ctx, code, 1093000123); return err },
			"authcode=abc-authcode&session=1093000123",
		},
	}
	for _, call := range calls {
		_ = call.do() // "OK" alone does not parse for some: only the request matters here
		r, body := srv.last(t)
		if r.URL.Path != call.path || r.URL.RawQuery != "" || body != call.body {
			t.Errorf("%s?%s body %q\nwant %s body %q", r.URL.Path, r.URL.RawQuery, body, call.path, call.body)
		}
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		in, endpoint, join string // empty endpoint: refused
	}{
		{"https://secure.logmeinrescue.com/API", "https://secure.logmeinrescue.com/API", "https://secure.logmeinrescue.com/R?i=2&Code=012345"},
		{" HTTPS://Secure.LogMeInRescue.com/API/ ", "https://secure.logmeinrescue.com/API", "https://secure.logmeinrescue.com/R?i=2&Code=012345"},
		{"https://rescue.example:8443/api", "https://rescue.example:8443/api", "https://rescue.example:8443/R?i=2&Code=012345"},
		{"http://127.0.0.1:8080/API", "http://127.0.0.1:8080/API", "http://127.0.0.1:8080/R?i=2&Code=012345"},
		{"http://[::1]:8080/API", "http://[::1]:8080/API", "http://[::1]:8080/R?i=2&Code=012345"},
		{"http://localhost/API", "http://localhost/API", "http://localhost/R?i=2&Code=012345"},
		{"http://secure.logmeinrescue.com/API", "", ""},
		{"http://127.0.0.1.example.com/API", "", ""},
		{"ftp://secure.logmeinrescue.com/API", "", ""},
		{"https://secure.logmeinrescue.com/API?authcode=x", "", ""},
		{"https://user:pw@secure.logmeinrescue.com/API", "", ""},
		{"https://secure.logmeinrescue.com/API#x", "", ""},
		{"secure.logmeinrescue.com/API", "", ""},
		{"", "", ""},
	} {
		c, err := New(tc.in, Options{})
		if tc.endpoint == "" {
			if err == nil {
				t.Errorf("%q accepted", tc.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if c.Endpoint() != tc.endpoint || c.JoinURL("012345") != tc.join {
			t.Errorf("%q: endpoint %q join %q", tc.in, c.Endpoint(), c.JoinURL("012345"))
		}
	}
	if _, err := New("https://a.example/API", Options{MaxBody: -1}); err == nil {
		t.Error("a negative MaxBody was accepted")
	}
}
