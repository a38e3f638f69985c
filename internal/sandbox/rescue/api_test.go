package rescue

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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

// newServer builds a server on an injected clock, by default with a 10-second pace and no history.
func newServer(t *testing.T, opts Options) (*Server, *clock) {
	t.Helper()
	clk := &clock{now: t0}
	opts.Now = clk.Now
	if opts.Pace == 0 {
		opts.Pace = 10 * time.Second
	}
	return New(world.New(t0), opts), clk
}

func kv(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

// get calls a method with GET, in-process, and returns the body after checking the framing.
func get(t *testing.T, s *Server, method string, v url.Values) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/API/"+method+".aspx?"+v.Encode(), nil)
	return serve(t, s, req)
}

// post calls a method with a form POST, in-process.
func post(t *testing.T, s *Server, method string, v url.Values) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/API/"+method+".aspx", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(t, s, req)
}

func serve(t *testing.T, s *Server, req *http.Request) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %q", req.Method, req.URL, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("%s: Content-Type %q", req.URL.Path, ct)
	}
	return rec.Body.String()
}

var authCodeReply = regexp.MustCompile(`^OK AUTHCODE: ([a-z0-9]{40})$`)

// signIn gets an authcode for a technician of the seed.
func signIn(t *testing.T, s *Server, key string) string {
	t.Helper()
	body := post(t, s, "requestAuthCode", kv("email", key+"@contoso-helpdesk.example", "pwd", "sandbox-"+key))
	m := authCodeReply.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("requestAuthCode for %s: %q", key, body)
	}
	return m[1]
}

func TestUnknownPagesAre404(t *testing.T) {
	s, _ := newServer(t, Options{})
	for _, path := range []string{
		"/API/noSuchMethod.aspx", "/API/.aspx", "/API/getAccount", "/getAccount.aspx",
		"/API/x/getAccount.aspx", "/", "/API/API.asmx",
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", path, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "The resource cannot be found.") {
			t.Errorf("%s: body %q", path, rec.Body.String())
		}
	}
}

func TestMethodNamesIgnoreCase(t *testing.T) {
	s, _ := newServer(t, Options{})
	for _, path := range []string{
		"/API/requestAuthCode.aspx", "/api/requestauthcode.aspx", "/API/REQUESTAUTHCODE.ASPX", "/Api/RequestAuthCode.Aspx",
	} {
		req := httptest.NewRequest(http.MethodGet, path+"?email=jordan@contoso-helpdesk.example&pwd=sandbox-jordan", nil)
		if body := serve(t, s, req); !authCodeReply.MatchString(body) {
			t.Errorf("%s: %q", path, body)
		}
	}
}

func TestOnlyGetAndPostAreServed(t *testing.T) {
	s, _ := newServer(t, Options{})
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(m, "/API/getAccount.aspx", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, POST" {
			t.Errorf("%s: HTTP %d Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

// TestGetAndPostAnswerAlike runs the same script against two identical servers, one through GET and
// one through form POST, and expects the same bytes (authcodes are random, so each side uses its own).
func TestGetAndPostAnswerAlike(t *testing.T) {
	sg, cg := newServer(t, Options{})
	sp, cp := newServer(t, Options{})
	codeG, codeP := signIn(t, sg, "jordan"), signIn(t, sp, "jordan")
	steps := []struct {
		method string
		args   []string
	}{
		{"getAccount", nil},
		{"getUser_v3", []string{"node", "4310021"}},
		{"getUser_v3", []string{"email", "priya@contoso-helpdesk.example"}},
		{"requestPINCode", []string{"cfield0", "Zoë O'Connor", "cfield1", "zoe.oconnor@fabrikam.example", "tracking0", "CAS-01001-X"}},
		{"requestPINCode", []string{"cfield0", "too fast"}},
		{"getSession_v3", []string{"node", "4310022", "noderef", "NODE"}},
		{"getSession_v3", []string{"node", "12"}},
		{"getNote", []string{"session", "1"}},
		{"getChat", []string{"session", "1"}},
		{"setReportArea", []string{"area", "0"}},
		{"setReportDate_v2", []string{"bdate", "3/14/2025 0:00:00", "edate", "3/14/2025 23:59:59"}},
		{"setReportDate_v2", []string{"bdate", "3/15/2025 0:00:00", "edate", "3/14/2025 23:59:59"}},
		{"setTimezone", []string{"timezone", "60"}},
		{"setOutput", []string{"output", "XML"}},
		{"setDelimiter", []string{"delimiter", ";"}},
		{"getReport_v2", []string{"node", "4310022", "nodetype", "NODE"}},
		{"getReport_v2", []string{"node", "4310022", "nodetype", "NODE"}},
	}
	for _, st := range steps {
		cg.Add(1500 * time.Millisecond)
		cp.Add(1500 * time.Millisecond)
		bg := get(t, sg, st.method, kv(append([]string{"authcode", codeG}, st.args...)...))
		bp := post(t, sp, st.method, kv(append([]string{"authcode", codeP}, st.args...)...))
		if bg != bp {
			t.Errorf("%s %v:\nGET  %q\nPOST %q", st.method, st.args, bg, bp)
		}
	}
}

func TestParameterNamesIgnoreCaseAndQueryWinsOverForm(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	if body := get(t, s, "getUser_v3", kv("AuthCode", code, "NODE", "4310023")); !strings.HasPrefix(body, "OK NODEID: 4310023 ") {
		t.Fatalf("mixed-case names: %q", body)
	}
	req := httptest.NewRequest(http.MethodPost, "/API/getUser_v3.aspx?node=4310021",
		strings.NewReader(kv("authcode", code, "node", "4310023").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if body := serve(t, s, req); !strings.HasPrefix(body, "OK NODEID: 4310021 ") {
		t.Fatalf("query should win over form: %q", body)
	}
}

func TestPostBodyIgnoredWithoutFormContentType(t *testing.T) {
	s, _ := newServer(t, Options{})
	req := httptest.NewRequest(http.MethodPost, "/API/requestAuthCode.aspx",
		strings.NewReader("email=jordan@contoso-helpdesk.example&pwd=sandbox-jordan"))
	req.Header.Set("Content-Type", "text/plain")
	if body := serve(t, s, req); body != "INVALID" {
		t.Fatalf("got %q", body)
	}
}

// TestOverLoopback drives the fake through a real HTTP client, as the app will.
func TestOverLoopback(t *testing.T) {
	s, _ := newServer(t, Options{})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	resp, err := http.PostForm(srv.URL+"/API/requestAuthCode.aspx",
		kv("email", "camille@contoso-helpdesk.example", "pwd", "sandbox-camille"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := authCodeReply.FindStringSubmatch(string(body))
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("HTTP %d %q", resp.StatusCode, body)
	}
	resp, err = http.PostForm(srv.URL+"/API/requestPINCode.aspx", kv("authcode", m[1], "cfield0", "Hélène Côté"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`^OK PINCODE:0\d{5}$`).Match(body) {
		t.Fatalf("PIN: %q", body)
	}
}

func TestParseParams(t *testing.T) {
	cases := []struct {
		raw  string
		want params
	}{
		{"", params{}},
		{"a=1&B=2", params{"a": "1", "b": "2"}},
		{"cfield0=Zo%C3%AB+O%27Connor", params{"cfield0": "Zoë O'Connor"}},
		{"x=%zz%4", params{"x": "%zz%4"}},
		{"x=%u00e9t%u00E9", params{"x": "été"}},
		{"x=%uD83D", params{"x": "\uFFFD"}},
		{"x=%ff", params{"x": "\uFFFD"}},
		{"a=1&A=2&a=", params{"a": "1,2,"}},
		{"novalue&=orphan&k=", params{"k": ""}},
		{"k=a=b", params{"k": "a=b"}},
		{"&&k=v&&", params{"k": "v"}},
	}
	for _, c := range cases {
		got := parseParams(c.raw)
		if len(got) != len(c.want) {
			t.Errorf("%q: got %v, want %v", c.raw, got, c.want)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%q: %s = %q, want %q", c.raw, k, got[k], v)
			}
		}
	}
}

func TestParseInt32(t *testing.T) {
	cases := []struct {
		in   string
		want int
		ok   bool
	}{
		{"4310021", 4310021, true},
		{" -2 ", -2, true},
		{"+7", 7, true},
		{"2147483647", 2147483647, true},
		{"-2147483648", -2147483648, true},
		{"2147483648", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"12a", 0, false},
		{"1 2", 0, false},
		{"0x10", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, c := range cases {
		got, ok := parseInt32(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseInt32(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestMethodName(t *testing.T) {
	cases := map[string]string{
		"/API/getSession_v3.aspx": "getsession_v3", "/api/GETNOTE.ASPX": "getnote", "/API/.aspx": "",
		"/API/a/b.aspx": "", "/API/a\\b.aspx": "", "/APIgetNote.aspx": "", "/API/getNote.asp": "",
	}
	for path, want := range cases {
		got, ok := methodName(path)
		if got != want || ok != (want != "") {
			t.Errorf("methodName(%q) = %q, %v", path, got, ok)
		}
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	s, _ := newServer(t, Options{})
	req := httptest.NewRequest(http.MethodPost, "/API/requestPINCode.aspx",
		strings.NewReader("cfield0="+strings.Repeat("a", maxBody)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("HTTP %d", rec.Code)
	}
}

// TestConcurrentUse mixes API calls and control-surface calls from several goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	s, clk := newServer(t, Options{PINInterval: time.Nanosecond})
	code := signIn(t, s, "jordan")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				clk.Add(time.Second)
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
					"/API/requestPINCode.aspx?authcode="+code+"&notechconsole=1", nil))
				rec = httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
					"/API/getSession_v3.aspx?node=4310022&authcode="+code, nil))
				_ = s.SetConsole("jordan", i%3 != 0)
				for _, ss := range s.Sessions() {
					_ = s.Advance(ss.ID)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(s.Sessions()); n <= historySize {
		t.Fatalf("%d sessions", n)
	}
}
