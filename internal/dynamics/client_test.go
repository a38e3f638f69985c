package dynamics

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/netx"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func TestNewChecksTheOrganisationURL(t *testing.T) {
	ts := &tokens{token: "tok-camille"}
	tests := []struct {
		url, want string // want "" means refused
	}{
		{"https://contoso.crm4.dynamics.com", "https://contoso.crm4.dynamics.com"},
		{"https://Contoso.CRM4.dynamics.com/", "https://contoso.crm4.dynamics.com"},
		{" https://contoso.crm4.dynamics.com:443 ", "https://contoso.crm4.dynamics.com:443"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://localhost:5555/", "http://localhost:5555"},
		{"http://[::1]:80", "http://[::1]:80"},
		{"http://contoso.crm4.dynamics.com", ""},
		{"http://10.0.0.5", ""},
		{"http://localhost.example.com", ""},
		{"ftp://contoso.crm4.dynamics.com", ""},
		{"https://contoso.crm4.dynamics.com/main.aspx?appid=1", ""},
		{"https://contoso.crm4.dynamics.com/api/data/v9.2", ""},
		{"https://user:pw@contoso.crm4.dynamics.com", ""},
		{"https://contoso.crm4.dynamics.com#x", ""},
		{"contoso.crm4.dynamics.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		c, err := New(tt.url, ts, Options{})
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("New(%q) accepted, want refused", tt.url)
		case tt.want != "" && err != nil:
			t.Errorf("New(%q): %v", tt.url, err)
		case tt.want != "" && c.OrgURL() != tt.want:
			t.Errorf("New(%q).OrgURL() = %q, want %q", tt.url, c.OrgURL(), tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("New(%q) error is not one line: %q", tt.url, err)
		}
	}
	if _, err := New("https://x.example", nil, Options{}); err == nil {
		t.Error("New without a token source accepted")
	}
}

func TestCaseURL(t *testing.T) {
	c, err := New("https://contoso.crm4.dynamics.com/", &tokens{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := c.CaseURL("5b1f0c2e-8a0d-4a53-9d51-1f0e2a3b4c5d")
	want := "https://contoso.crm4.dynamics.com/main.aspx?pagetype=entityrecord&etn=incident&id=5b1f0c2e-8a0d-4a53-9d51-1f0e2a3b4c5d"
	if got != want {
		t.Errorf("CaseURL = %q, want %q", got, want)
	}
}

func TestWhoAmI(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	camille := technician(t, w, "camille")
	ts := &tokens{token: "tok-camille"}
	c, _ := fx.newClient(t, ts, Options{})

	got, err := c.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := WhoAmI{UserID: camille.SystemUserID, BusinessUnitID: w.Org.BusinessUnitID, OrganizationID: w.Org.OrganizationID}
	if got != want {
		t.Errorf("WhoAmI = %+v, want %+v", got, want)
	}
	reqs := fx.requests()
	if len(reqs) != 1 || reqs[0].method != http.MethodGet || reqs[0].path != "/api/data/v9.2/WhoAmI()" {
		t.Fatalf("requests = %+v, want one GET /api/data/v9.2/WhoAmI()", reqs)
	}
	checkHeaders(t, reqs[0].header, "tok-camille")
	if n, _ := ts.calls(); n != 1 {
		t.Errorf("Token called %d times, want 1", n)
	}
}

// checkHeaders asserts the headers of reference §A.1 on a request without a body.
func checkHeaders(t *testing.T, h http.Header, token string) {
	t.Helper()
	want := map[string]string{
		"Accept":           "application/json",
		"Odata-Maxversion": "4.0",
		"Odata-Version":    "4.0",
		"If-None-Match":    "null",
		"Authorization":    "Bearer " + token,
	}
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("header %s = %q, want [%q]", k, got, v)
		}
	}
	if ct := h.Get("Content-Type"); ct != "" {
		t.Errorf("a GET carries Content-Type %q", ct)
	}
}

func TestRefreshAfterUnauthorized(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	ts := &tokens{token: "tok-expired", refreshed: "tok-camille"}
	c, ws := fx.newClient(t, ts, Options{})

	got, err := c.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != technician(t, w, "camille").SystemUserID {
		t.Errorf("UserID = %q, want camille's", got.UserID)
	}
	if tok, ref := ts.calls(); tok != 1 || ref != 1 {
		t.Errorf("Token/Refresh called %d/%d times, want 1/1", tok, ref)
	}
	reqs := fx.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	checkHeaders(t, reqs[0].header, "tok-expired")
	checkHeaders(t, reqs[1].header, "tok-camille")
	if told, _ := ws.snapshot(); len(told) != 0 {
		t.Errorf("a refresh waited: %+v", told)
	}
}

func TestSignInRequired(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	t.Run("401 after refresh", func(t *testing.T) {
		ts := &tokens{token: "tok-expired", refreshed: "tok-revoked"}
		c, _ := fx.newClient(t, ts, Options{})
		_, err := c.WhoAmI(context.Background())
		if !errors.Is(err, ErrSignInRequired) {
			t.Fatalf("err = %v, want ErrSignInRequired", err)
		}
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized || apiErr.Code != "0x8006088a" {
			t.Errorf("err = %#v, want the 401 *Error with code 0x8006088a", apiErr)
		}
		if msg := err.Error(); strings.Contains(msg, "tok-") || strings.Contains(msg, "\n") {
			t.Errorf("error %q shows a token or spans lines", msg)
		}
		if tok, ref := ts.calls(); tok != 1 || ref != 1 {
			t.Errorf("Token/Refresh called %d/%d times, want 1/1", tok, ref)
		}
	})
	t.Run("token source needs the user", func(t *testing.T) {
		before := len(fx.requests())
		ts := &tokens{tokenErr: errors.Join(ErrSignInRequired, errors.New("no account in the cache"))}
		c, _ := fx.newClient(t, ts, Options{})
		_, err := c.MyOpenCases(context.Background(), technician(t, fx.world, "camille").SystemUserID)
		if !errors.Is(err, ErrSignInRequired) {
			t.Fatalf("err = %v, want ErrSignInRequired", err)
		}
		if after := len(fx.requests()); after != before {
			t.Errorf("%d requests sent without a token", after-before)
		}
	})
	t.Run("refresh fails", func(t *testing.T) {
		ts := &tokens{token: "tok-expired", refreshErr: ErrSignInRequired}
		c, _ := fx.newClient(t, ts, Options{})
		if _, err := c.WhoAmI(context.Background()); !errors.Is(err, ErrSignInRequired) {
			t.Fatalf("err = %v, want ErrSignInRequired", err)
		}
	})
}

func TestThrottledThenSuccess(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.TooManyRequests, RetryAfter: 3})
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	if _, err := c.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	told, slept := ws.snapshot()
	if want := []Wait{{Reason: WaitBusy, Delay: 3 * time.Second, Attempt: 1}}; !equalWaits(told, want) {
		t.Errorf("OnWait told %+v, want %+v", told, want)
	}
	if len(slept) != 1 || slept[0] != 3*time.Second {
		t.Errorf("slept %v, want [3s]", slept)
	}
	if n := len(fx.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func equalWaits(a, b []Wait) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestThrottlingGivesUp(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	fx.addFault(t, fault.Rule{Kind: fault.TooManyRequests, RetryAfter: 120, Count: -1})
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{BusyRetries: 2, MaxWait: 10 * time.Second})

	_, err := c.WhoAmI(context.Background())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests || apiErr.Code != "0x80072322" {
		t.Fatalf("err = %v, want the 429 *Error with code 0x80072322", err)
	}
	want := "Dynamics is busy (429 0x80072322): Number of requests exceeded the limit of 6000 over time window of 300 seconds. (tried 3 times)"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	_, slept := ws.snapshot()
	if len(slept) != 2 || slept[0] != 10*time.Second || slept[1] != 10*time.Second {
		t.Errorf("slept %v, want two waits capped at MaxWait 10s", slept)
	}
	if n := len(fx.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	tests := []struct {
		name string
		rule fault.Rule
	}{
		{"500", fault.Rule{Kind: fault.ServerError}},
		{"503", fault.Rule{Kind: fault.Unavailable}},
		{"dropped connection", fault.Rule{Kind: fault.Drop}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := world.New(testNow)
			fx := newFixture(t, w)
			fx.addFault(t, tt.rule)
			c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
			camille := technician(t, w, "camille")

			got, err := c.MyOpenCases(context.Background(), camille.SystemUserID)
			if err != nil {
				t.Fatal(err)
			}
			if want := expectedOpenCases(w, camille.SystemUserID); len(got) != len(want) {
				t.Errorf("%d cases, want %d", len(got), len(want))
			}
			if n := fx.faults.Fired(tt.rule.Kind); n != 1 {
				t.Errorf("fault fired %d times, want 1", n)
			}
			told, slept := ws.snapshot()
			if len(told) != 1 || told[0].Reason != WaitRetry || told[0].Attempt != 1 {
				t.Fatalf("OnWait told %+v, want one retry", told)
			}
			// First backoff: one second, half of it random.
			if d := slept[0]; d < backoffBase/2 || d > backoffBase || told[0].Delay != d {
				t.Errorf("slept %v (told %v), want between %v and %v", d, told[0].Delay, backoffBase/2, backoffBase)
			}
		})
	}
}

func TestServerErrorsGiveUpAfterFourAttempts(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	fx.addFault(t, fault.Rule{Kind: fault.ServerError, Count: -1})
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	_, err := c.WhoAmI(context.Background())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want the 500 *Error", err)
	}
	if want := "Dynamics failed to answer (500 0x80040216): An unexpected error occurred. (tried 4 times)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if n := fx.faults.Fired(fault.ServerError); n != maxAttempts {
		t.Errorf("%d attempts, want %d", n, maxAttempts)
	}
	told, slept := ws.snapshot()
	if len(told) != maxAttempts-1 {
		t.Fatalf("told %d waits, want %d", len(told), maxAttempts-1)
	}
	for i, d := range slept {
		full := backoffBase << i
		if d < full/2 || d > full || told[i].Attempt != i+1 {
			t.Errorf("wait %d: %v (attempt %d), want between %v and %v", i+1, d, told[i].Attempt, full/2, full)
		}
	}
}

func TestNonGETIsNotRetried(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.ServerError, Count: -1})
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	body := []byte(`{"subject":"Remote session","notetext":"PIN 123456"}`)
	err := c.do(context.Background(), &request{method: http.MethodPost, url: c.api + "annotations", body: body})
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want the 500 *Error", err)
	}
	if n := fx.faults.Fired(fault.ServerError); n != 1 {
		t.Errorf("POST sent %d times, want 1", n)
	}
	if told, _ := ws.snapshot(); len(told) != 0 {
		t.Errorf("POST waited to retry: %+v", told)
	}
	reqs := fx.requests()
	if ct := reqs[0].header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST Content-Type = %q, want application/json", ct)
	}
}

func TestErrorIsOneLineFromTheBody(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	const id = "00000000-0000-4000-8000-00000000abcd"

	err := c.do(context.Background(), &request{method: http.MethodGet, url: c.api + "incidents(" + id + ")"})
	want := "Dynamics refused the request (404 0x80040217): incident With Id = " + id + " Does Not Exist"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestMalformedReply(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.Malformed, Count: -1})
	c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})

	cases, err := c.MyOpenCases(context.Background(), technician(t, w, "camille").SystemUserID)
	if !errors.Is(err, ErrMalformed) || cases != nil {
		t.Fatalf("MyOpenCases = %d cases, %v; want ErrMalformed", len(cases), err)
	}
	if _, err := c.WhoAmI(context.Background()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("WhoAmI: %v, want ErrMalformed", err)
	}
	if n := fx.faults.Fired(fault.Malformed); n != 2 {
		t.Errorf("malformed replies were asked for %d times, want 2 (no retry)", n)
	}
	if told, _ := ws.snapshot(); len(told) != 0 {
		t.Errorf("a malformed reply was retried: %+v", told)
	}
}

func TestReplyTooLarge(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{MaxBody: 1 << 10})

	_, err := c.MyOpenCases(context.Background(), technician(t, w, "camille").SystemUserID)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if want := "dynamics: the reply is too large: more than 1 KiB"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestCancelDuringThrottleWait(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.addFault(t, fault.Rule{Kind: fault.TooManyRequests, RetryAfter: 30, Count: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan Wait, 1)
	// The real sleep: only the cancellation can end this 30-second wait early.
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{OnWait: func(w Wait) { waiting <- w }, Sleep: netx.Sleep})

	done := make(chan error, 1)
	go func() {
		_, err := c.MyOpenCases(ctx, technician(t, w, "camille").SystemUserID)
		done <- err
	}()
	if got := <-waiting; got.Reason != WaitBusy || got.Delay != 30*time.Second {
		t.Errorf("told %+v, want a 30s busy wait", got)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := fx.faults.Fired(fault.TooManyRequests); n != 1 {
		t.Errorf("%d requests after the cancel, want none", n-1)
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	fx := newFixture(t, world.New(testNow))
	ts := &tokens{token: "tok-camille"}
	c, _ := fx.newClient(t, ts, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.WhoAmI(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if tok, _ := ts.calls(); tok != 0 || len(fx.requests()) != 0 {
		t.Errorf("a cancelled call asked for a token or sent a request")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"3", 3 * time.Second},
		{" 0 ", 0},
		{"120", 2 * time.Minute},
		{"Tue, 10 Mar 2026 09:30:45 GMT", 45 * time.Second},
		{"Tue, 10 Mar 2026 09:29:00 GMT", 0}, // in the past: no wait
		{"99999999999999999999", -1},         // overflows uint64: unreadable
		{"9999999999", 24 * time.Hour},
		{"Fri, 31 Dec 2100 23:59:59 GMT", 24 * time.Hour},
		{"-5", -1},
		{"1.5", -1},
		{"soon", -1},
		{"", -1},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in, secret, want string
		max              int
	}{
		{"plain", "", "plain", 10},
		{"  two\r\n lines\tand\x00 nul  ", "", "two lines and nul", 50},
		{"token eyJabc leaked", "eyJabc", "token … leaked", 50},
		{"abcdefghij", "", "abcde…", 5},
		{"ab cd", "", "ab…", 3},
		{"bad \xff utf8", "", "bad utf8", 20},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.max, tt.secret); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
