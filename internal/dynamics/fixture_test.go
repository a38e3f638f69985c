package dynamics

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/dataverse"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// testNow is the sandbox clock in every test, so the seed's dates do not move.
var testNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

// seenRequest is what the fake was sent, as the fixture recorded it.
type seenRequest struct {
	method, path, rawQuery string
	header                 http.Header
	body                   []byte
}

// fixture is the Dataverse fake behind the fault injector, served over TLS on loopback.
type fixture struct {
	world  *world.World
	fake   *dataverse.Server
	srv    *httptest.Server
	faults *fault.Injector

	mu   sync.Mutex
	seen []seenRequest
	// later moves the fake's clock on from testNow, for records created or modified at distinct times.
	later time.Duration
	// editReply, when set, changes the headers of every reply before they are sent.
	editReply func(http.Header)
	// cut, when it says so for the nth request (from 1), sends half of the fake's reply and then
	// drops the connection, as a network failing mid-body does.
	cut func(n int) bool
}

// newFixture serves the world. Each technician's token is "tok-<key>", issued for this server's origin.
func newFixture(t testing.TB, w *world.World) *fixture {
	t.Helper()
	return newFixtureWith(t, w, nil)
}

// newFixtureWith is newFixture with the fake's options changed by edit first.
func newFixtureWith(t testing.TB, w *world.World, edit func(*dataverse.Options)) *fixture {
	t.Helper()
	fx := &fixture{world: w, faults: &fault.Injector{}}
	fx.srv = httptest.NewUnstartedServer(nil)
	origin := "https://" + fx.srv.Listener.Addr().String()
	check := func(token string) (string, string, bool) {
		key, ok := strings.CutPrefix(token, "tok-")
		if !ok {
			return "", "", false
		}
		tech, ok := w.Technician(key)
		return tech.SystemUserID, origin, ok && tech.Key == key
	}
	opts := dataverse.Options{Now: fx.now}
	if edit != nil {
		edit(&opts)
	}
	fx.fake = dataverse.New(w, check, opts)
	faulted := fx.faults.Wrap(fault.Dataverse, fx.fake)
	fx.srv.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if edit := fx.replyEditor(); edit != nil {
			rw = &editedReply{ResponseWriter: rw, edit: edit}
		}
		if fx.record(r) {
			serveHalf(rw, r, faulted)
			return
		}
		faulted.ServeHTTP(rw, r)
	})
	fx.srv.StartTLS()
	t.Cleanup(fx.srv.Close)
	return fx
}

// record notes the request, body included, and reports whether its reply is to be cut.
func (fx *fixture) record(r *http.Request) (cut bool) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	fx.mu.Lock()
	defer fx.mu.Unlock()
	fx.seen = append(fx.seen, seenRequest{method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery, header: r.Header.Clone(), body: body})
	return fx.cut != nil && fx.cut(len(fx.seen))
}

// now is the fake's clock: testNow, moved on by advance.
func (fx *fixture) now() time.Time {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return testNow.Add(fx.later)
}

// advance moves the fake's clock on.
func (fx *fixture) advance(d time.Duration) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	fx.later += d
}

// editReplies makes the fixture pass the headers of every reply through edit before sending them.
func (fx *fixture) editReplies(edit func(http.Header)) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	fx.editReply = edit
}

func (fx *fixture) replyEditor() func(http.Header) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return fx.editReply
}

// editedReply edits the headers just before they are written, and can still be hijacked, so that
// the faults that drop a connection keep working.
type editedReply struct {
	http.ResponseWriter
	edit    func(http.Header)
	written bool
}

func (e *editedReply) WriteHeader(code int) {
	if !e.written {
		e.written = true
		e.edit(e.Header())
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *editedReply) Write(b []byte) (int, error) {
	if !e.written {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(b)
}

func (e *editedReply) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(e.ResponseWriter).Hijack()
}

func (e *editedReply) Flush() { _ = http.NewResponseController(e.ResponseWriter).Flush() }

// cutReply makes the fixture cut the reply of the nth request (from 1).
func (fx *fixture) cutReply(n int) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	fx.cut = func(i int) bool { return i == n }
}

// serveHalf announces the whole reply's length, sends half of it, and closes the connection.
func serveHalf(rw http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		rw.Header()[k] = v
	}
	rw.Header().Set("Content-Length", fmt.Sprint(len(body)))
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(body[:len(body)/2])
	rw.(http.Flusher).Flush()
	conn, _, err := http.NewResponseController(rw).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// release closes the server and lets go of the fake and its world, so a benchmark can measure the
// client's heap alone.
func (fx *fixture) release() {
	fx.srv.Close()
	fx.srv.Config.Handler = nil
	fx.world = nil
}

func (fx *fixture) requests() []seenRequest {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return slices.Clone(fx.seen)
}

func (fx *fixture) addFault(t testing.TB, r fault.Rule) {
	t.Helper()
	r.Service = fault.Dataverse
	if err := fx.faults.Add(r); err != nil {
		t.Fatal(err)
	}
}

// waits records what the client was told and how long it would have slept, without sleeping.
type waits struct {
	mu     sync.Mutex
	told   []Wait
	slept  []time.Duration
	onWait func(Wait) // extra hook, e.g. to cancel
}

func (ws *waits) OnWait(w Wait) {
	ws.mu.Lock()
	ws.told = append(ws.told, w)
	hook := ws.onWait
	ws.mu.Unlock()
	if hook != nil {
		hook(w)
	}
}

func (ws *waits) Sleep(ctx context.Context, d time.Duration) error {
	ws.mu.Lock()
	ws.slept = append(ws.slept, d)
	ws.mu.Unlock()
	return ctx.Err()
}

func (ws *waits) snapshot() ([]Wait, []time.Duration) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return slices.Clone(ws.told), slices.Clone(ws.slept)
}

// tokens is a TokenSource that counts its calls.
type tokens struct {
	mu                       sync.Mutex
	token, refreshed         string
	tokenErr, refreshErr     error
	tokenCalls, refreshCalls int
}

func (ts *tokens) Token(context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tokenCalls++
	return ts.token, ts.tokenErr
}

func (ts *tokens) Refresh(context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.refreshCalls++
	return ts.refreshed, ts.refreshErr
}

func (ts *tokens) calls() (token, refresh int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.tokenCalls, ts.refreshCalls
}

// newClient returns a client of the fixture whose waits are recorded, not slept.
func (fx *fixture) newClient(t testing.TB, ts TokenSource, opts Options) (*Client, *waits) {
	t.Helper()
	ws := &waits{}
	if opts.HTTPClient == nil {
		opts.HTTPClient = fx.srv.Client()
	}
	if opts.OnWait == nil {
		opts.OnWait = ws.OnWait
	}
	if opts.Sleep == nil {
		opts.Sleep = ws.Sleep
	}
	c, err := New(fx.srv.URL, ts, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, ws
}

func technician(t testing.TB, w *world.World, key string) world.Technician {
	t.Helper()
	tech, ok := w.Technician(key)
	if !ok {
		t.Fatalf("no technician %q in the world", key)
	}
	return tech
}

// generatedWorld is the seed's organisation with n open cases owned by the technician, alternately for
// contacts and accounts (the seed's customers, with and without e-mail), instead of the seed's cases
// when only is set, else added to them. Their modifiedon values are distinct and off the seed's.
func generatedWorld(now time.Time, owner string, n int, only bool) *world.World {
	w := world.New(now)
	tech, _ := w.Technician(owner)
	if only {
		w.Cases = nil
	}
	now = now.UTC().Truncate(time.Second)
	for i := 0; i < n; i++ {
		c := world.Case{
			ID:           world.GUID(fmt.Sprintf("generated-incident:%d", i)),
			Number:       fmt.Sprintf("CAS-%05d-G%05d", 50000+i, i),
			Title:        fmt.Sprintf("Generated case %d: printer, VPN or mail trouble at site «%d»", i, i%17),
			Description:  strings.Repeat(fmt.Sprintf("Line %d of the description, with an accent: é. ", i), 1+i%4),
			StateCode:    0,
			StatusCode:   1 + i%4,
			PriorityCode: 1 + i%3,
			OwnerID:      tech.SystemUserID,
			CreatedOn:    now.Add(-time.Duration(100000+i) * time.Second),
			// 1 h 7 s plus an even number of seconds: never a whole minute, unlike the seed's dates.
			ModifiedOn: now.Add(-time.Hour - time.Duration(7+2*i)*time.Second),
		}
		if i%2 == 0 {
			ct := w.Contacts[(i/2)%len(w.Contacts)]
			c.CustomerType, c.CustomerID = world.CustomerContact, ct.ID
		} else {
			a := w.Accounts[(i/2)%len(w.Accounts)]
			c.CustomerType, c.CustomerID = world.CustomerAccount, a.ID
		}
		w.Cases = append(w.Cases, c)
	}
	return w
}

// expectedOpenCases is what MyOpenCases must return for the owner, computed from the world alone.
func expectedOpenCases(w *world.World, ownerID string) []Case {
	var out []Case
	for _, wc := range w.Cases {
		if wc.StateCode != 0 || wc.OwnerID != ownerID {
			continue
		}
		owner, _ := w.Technician(wc.OwnerID)
		c := Case{
			ID: wc.ID, Number: wc.Number, Title: wc.Title, Description: wc.Description,
			CustomerType: wc.CustomerType,
			Priority:     world.PriorityLabels[wc.PriorityCode], Status: world.StatusLabels[wc.StatusCode],
			State: world.StateLabels[wc.StateCode], PriorityCode: wc.PriorityCode, StatusCode: wc.StatusCode,
			StateCode: wc.StateCode, OwnerID: wc.OwnerID, Owner: owner.Name,
			CreatedOn: wc.CreatedOn.UTC().Truncate(time.Second), ModifiedOn: wc.ModifiedOn.UTC().Truncate(time.Second),
		}
		for _, ct := range w.Contacts {
			if wc.CustomerType == world.CustomerContact && ct.ID == wc.CustomerID {
				c.Customer, c.CustomerEmail = ct.FullName, ct.Email
			}
		}
		for _, a := range w.Accounts {
			if wc.CustomerType == world.CustomerAccount && a.ID == wc.CustomerID {
				c.Customer, c.CustomerEmail = a.Name, a.Email
			}
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Case) int { return b.ModifiedOn.Compare(a.ModifiedOn) })
	return out
}
