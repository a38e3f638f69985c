package fault

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func serve(t *testing.T, in *Injector, service string) *httptest.Server {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "real answer") })
	srv := httptest.NewServer(in.Wrap(service, ok))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestTooManyRequestsFiresCountTimesThenServes(t *testing.T) {
	var in Injector
	srv := serve(t, &in, Dataverse)
	if err := in.Add(Rule{Service: Dataverse, Kind: TooManyRequests, Count: 2, RetryAfter: 7}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		resp, body, err := get(t, srv.URL+"/api/data/v9.2/incidents")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
			t.Fatalf("request %d: got %d Retry-After %q", i, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != "0x80072322" {
			t.Fatalf("body %q: %v", body, err)
		}
	}
	resp, body, _ := get(t, srv.URL+"/api/data/v9.2/incidents")
	if resp.StatusCode != 200 || body != "real answer" {
		t.Fatalf("third request: %d %q", resp.StatusCode, body)
	}
	if in.Fired(TooManyRequests) != 2 {
		t.Fatalf("fired %d", in.Fired(TooManyRequests))
	}
}

func TestRuleMatchesServiceAndPath(t *testing.T) {
	var in Injector
	rescue := serve(t, &in, Rescue)
	dv := serve(t, &in, Dataverse)
	_ = in.Add(Rule{Service: Rescue, PathContains: "getsession", Kind: ServerError, Count: -1})
	for _, c := range []struct {
		url  string
		want int
	}{
		{dv.URL + "/api/data/v9.2/getSession", 200},
		{rescue.URL + "/API/requestPINCode.aspx", 200},
		{rescue.URL + "/API/getSession_v3.aspx", 500},
		{rescue.URL + "/API/GETSESSION_V3.aspx", 500}, // case-insensitive, and Count -1 keeps firing
		{rescue.URL + "/_sandbox/state", 200},         // the control surface is never faulted
	} {
		resp, _, err := get(t, c.url)
		if err != nil || resp.StatusCode != c.want {
			t.Errorf("%s: %v %v, want %d", c.url, resp.StatusCode, err, c.want)
		}
	}
	in.Clear()
	if resp, _, _ := get(t, rescue.URL+"/API/getSession_v3.aspx"); resp.StatusCode != 200 {
		t.Fatalf("after Clear: %d", resp.StatusCode)
	}
}

func TestDropClosesTheConnection(t *testing.T) {
	var in Injector
	srv := serve(t, &in, Rescue)
	_ = in.Add(Rule{Kind: Drop})
	_, _, err := get(t, srv.URL+"/API/getSession_v3.aspx")
	if err == nil {
		t.Fatal("a dropped connection gave a response")
	}
}

func TestMalformedBodiesDoNotParse(t *testing.T) {
	for _, service := range []string{Dataverse, Entra} {
		var in Injector
		srv := serve(t, &in, service)
		_ = in.Add(Rule{Kind: Malformed})
		resp, body, err := get(t, srv.URL+"/x")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", service, resp, err)
		}
		var v any
		if json.Unmarshal([]byte(body), &v) == nil {
			t.Errorf("%s: malformed body parsed: %q", service, body)
		}
	}
}

func TestDelayGivesUpWithTheClient(t *testing.T) {
	var in Injector
	srv := serve(t, &in, Rescue)
	_ = in.Add(Rule{Kind: Delay, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/API/getNote.aspx", nil)
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the client's deadline", err)
	}
}

func TestValidateRejectsUnknowns(t *testing.T) {
	var in Injector
	for _, r := range []Rule{{Kind: "boom"}, {Kind: Drop, Service: "graph"}, {Kind: Drop, Count: -2}} {
		if err := in.Add(r); err == nil || !strings.HasPrefix(err.Error(), "fault:") {
			t.Errorf("%+v: got %v", r, err)
		}
	}
	if len(in.Rules()) != 0 {
		t.Fatal("an invalid rule was added")
	}
}

// countingServer counts the requests the fake behind the injector actually served.
func countingServer(t *testing.T, in *Injector) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var served atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("X-Served", "yes")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "applied")
	})
	srv := httptest.NewServer(in.Wrap(Rescue, h))
	t.Cleanup(srv.Close)
	return srv, &served
}

func TestDropAfterAppliesTheRequestButLosesTheReply(t *testing.T) {
	var in Injector
	srv, served := countingServer(t, &in)
	if err := in.Add(Rule{Kind: DropAfter}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := get(t, srv.URL+"/API/requestPINCode.aspx"); err == nil {
		t.Fatal("the client got a reply")
	}
	if served.Load() != 1 {
		t.Fatalf("served %d times, want 1", served.Load())
	}
}

func TestStallAfterAppliesTheRequestBeforeTheClientGivesUp(t *testing.T) {
	var in Injector
	srv, served := countingServer(t, &in)
	if err := in.Add(Rule{Kind: StallAfter, Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/API/requestPINCode.aspx", nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if served.Load() != 1 {
		t.Fatalf("served %d times, want 1", served.Load())
	}
}

func TestStallAfterSendsTheRecordedReplyLate(t *testing.T) {
	var in Injector
	srv, _ := countingServer(t, &in)
	if err := in.Add(Rule{Kind: StallAfter, Delay: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	resp, body, err := get(t, srv.URL+"/x")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || body != "applied" || resp.Header.Get("X-Served") != "yes" {
		t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
}
