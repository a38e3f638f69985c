package entra

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

const (
	testClientID  = "51f81489-12ee-4a9e-aaae-a2591f45987d"
	otherClientID = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
	testResource  = "https://127.0.0.1:4443"
	testScope     = testResource + "/user_impersonation"
)

var seedTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: seedTime} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// exchange is one request the authority answered, as the tests look at it.
type exchange struct {
	method, path, grantType string
	status                  int
	body                    string
}

// exchangeLog records what reaches the authority, so tests can say which calls a client made.
type exchangeLog struct {
	mu   sync.Mutex
	list []exchange
}

type recordingWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *recordingWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (l *exchangeLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		rec := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		l.mu.Lock()
		l.list = append(l.list, exchange{r.Method, r.URL.Path, form.Get("grant_type"), rec.status, rec.buf.String()})
		l.mu.Unlock()
	})
}

func (l *exchangeLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

func (l *exchangeLog) since(i int) []exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]exchange(nil), l.list[i:]...)
}

func (l *exchangeLog) grants(grantType string) []exchange {
	var out []exchange
	for _, e := range l.since(0) {
		if e.grantType == grantType {
			out = append(out, e)
		}
	}
	return out
}

// fixture is an authority served over TLS, as the sandbox serves it.
type fixture struct {
	s     *Server
	srv   *httptest.Server
	log   *exchangeLog
	world *world.World
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	w := world.New(seedTime)
	s := New(w, opts)
	log := &exchangeLog{}
	srv := httptest.NewTLSServer(log.wrap(s))
	t.Cleanup(srv.Close)
	return &fixture{s: s, srv: srv, log: log, world: w}
}

func (f *fixture) tenant() string { return f.world.Org.TenantID }

func (f *fixture) tech(key string) world.Technician {
	t, ok := f.world.Technician(key)
	if !ok {
		panic("no technician " + key)
	}
	return t
}

// memCache is the small in-memory cache.ExportReplace MSAL persists through.
type memCache struct {
	mu   sync.Mutex
	data []byte
}

func (m *memCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.data) == 0 {
		return nil
	}
	return u.Unmarshal(m.data)
}

func (m *memCache) Export(_ context.Context, c cache.Marshaler, _ cache.ExportHints) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := c.Marshal()
	m.data = b
	return err
}

// msal is the real MSAL public client pointed at the fixture.
func (f *fixture) msal(t *testing.T, tenant string) public.Client {
	t.Helper()
	c, err := public.New(testClientID,
		public.WithAuthority(f.srv.URL+"/"+tenant),
		public.WithHTTPClient(f.srv.Client()),
		public.WithInstanceDiscovery(false),
		public.WithCache(&memCache{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// post sends a form to the fixture and decodes the JSON answer.
func (f *fixture) post(t *testing.T, path string, form url.Values) (int, map[string]any, []byte) {
	t.Helper()
	resp, err := f.srv.Client().PostForm(f.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return decodeResponse(t, resp)
}

func (f *fixture) get(t *testing.T, path string) (int, map[string]any, []byte) {
	t.Helper()
	resp, err := f.srv.Client().Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeResponse(t, resp)
}

func decodeResponse(t *testing.T, resp *http.Response) (int, map[string]any, []byte) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, body)
		}
	}
	return resp.StatusCode, m, body
}

func (f *fixture) tokenPath() string      { return "/" + f.tenant() + "/oauth2/v2.0/token" }
func (f *fixture) deviceCodePath() string { return "/" + f.tenant() + "/oauth2/v2.0/devicecode" }

// deviceSignIn runs a device-code sign-in by hand on a fixture with AutoApproveDevice and returns the
// token response.
func (f *fixture) deviceSignIn(t *testing.T, scope string, extra url.Values) map[string]any {
	t.Helper()
	status, dc, body := f.post(t, f.deviceCodePath(), url.Values{"client_id": {testClientID}, "scope": {scope}})
	if status != http.StatusOK {
		t.Fatalf("devicecode: %d %s", status, body)
	}
	poll := url.Values{"grant_type": {"device_code"}, "client_id": {testClientID}, "device_code": {dc["device_code"].(string)}}
	for k, v := range extra {
		poll[k] = v
	}
	if status, m, _ := f.post(t, f.tokenPath(), poll); status != http.StatusBadRequest || m["error"] != "authorization_pending" {
		t.Fatalf("first poll: %d %v, want authorization_pending", status, redacted(m))
	}
	status, tok, body := f.post(t, f.tokenPath(), poll)
	if status != http.StatusOK {
		t.Fatalf("second poll: %d %s", status, body)
	}
	return tok
}

// pkcePair is an RFC 7636 verifier and its S256 challenge.
func pkcePair() (verifier, challenge string) {
	verifier = randomToken(32)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeQuery is what MSAL puts in an interactive authorize URL.
func authorizeQuery(challenge, redirectURI string) url.Values {
	return url.Values{
		"client_id":             {testClientID},
		"response_type":         {"code"},
		"redirect_uri":          {redirectURI},
		"scope":                 {testScope + " openid offline_access profile"},
		"state":                 {"st-" + randomToken(8)},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
		"prompt":                {"select_account"},
		"response_mode":         {"form_post"},
	}
}

func (f *fixture) authorizeURL(q url.Values) string {
	return f.srv.URL + "/" + f.tenant() + "/oauth2/v2.0/authorize?" + q.Encode()
}

// issueCode gets a code through IssueCode, for tests of the token endpoint.
func (f *fixture) issueCode(t *testing.T, challenge, redirectURI, tech string) string {
	t.Helper()
	_, form, err := f.s.IssueCode(f.authorizeURL(authorizeQuery(challenge, redirectURI)), tech)
	if err != nil {
		t.Fatal(err)
	}
	return form.Get("code")
}

var (
	formTagPattern   = regexp.MustCompile(`(?i)<form method="post"[^>]*action="([^"]*)"`)
	hiddenPattern    = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)" />`)
	techPattern      = regexp.MustCompile(`name="technician" value="([^"]*)"`)
	scriptTagPattern = regexp.MustCompile(`(?i)<script[ >]`)
)

// formAction is the action of the page's first form, unescaped.
func formAction(t *testing.T, page []byte) string {
	t.Helper()
	m := formTagPattern.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form in page:\n%s", page)
	}
	return html.UnescapeString(string(m[1]))
}

// hiddenFields are the hidden inputs of an auto-submit page, unescaped.
func hiddenFields(page []byte) url.Values {
	v := url.Values{}
	for _, m := range hiddenPattern.FindAllSubmatch(page, -1) {
		v.Add(html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])))
	}
	return v
}

// jwtPart decodes one part of a JWT.
func jwtPart(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jsonKeys lists an object's keys in the order they are written.
func jsonKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
