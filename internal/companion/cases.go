package companion

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
	"github.com/rescuecompanion/rescue-companion/internal/textmatch"
)

// CaseSource is the part of the Dataverse client "my open cases" needs.
type CaseSource interface {
	WhoAmI(ctx context.Context) (dynamics.WhoAmI, error)
	MyOpenCases(ctx context.Context, userID string) ([]dynamics.Case, error)
}

// KeyValue is the part of the local store the case list needs: values kept as JSON, sealed at rest.
type KeyValue interface {
	PutJSON(bucket, key string, v any) error
	GetJSON(bucket, key string, v any) (bool, error)
	Delete(bucket, key string) error
}

// Journal is a KeyValue that also keeps appended records, listed in the order they came.
type Journal interface {
	KeyValue
	AppendJSON(bucket string, v any) (string, error)
	Keys(bucket string) ([]string, error)
}

// CaseList is the technician's open cases as fetched at AsOf.
type CaseList struct {
	AsOf   time.Time       `json:"as_of"`
	UserID string          `json:"user_id"`
	Cases  []dynamics.Case `json:"cases"`
}

const (
	casesBucket = "cases"
	casesKey    = "mine"
)

// Cases is "my open cases": the list from Dynamics, kept on this computer so the window opens at once
// and the app stays usable, read-only, without the network.
type Cases struct {
	source CaseSource
	store  KeyValue // nil: the list lives in memory for this session only
	now    func() time.Time

	mu     sync.Mutex
	last   *CaseList
	userID string // from WhoAmI, asked once per sign-in
}

// NewCases builds the use case. store may be nil when no keyring key could be had.
func NewCases(source CaseSource, store KeyValue, now func() time.Time) *Cases {
	if now == nil {
		now = time.Now
	}
	return &Cases{source: source, store: store, now: now}
}

// Cached is the last list fetched, from memory or from the store, without the network.
func (c *Cases) Cached() (CaseList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil {
		return *c.last, true
	}
	if c.store == nil {
		return CaseList{}, false
	}
	var list CaseList
	ok, err := c.store.GetJSON(casesBucket, casesKey, &list)
	if err != nil || !ok {
		return CaseList{}, false // an unreadable copy is no copy: the refresh replaces it
	}
	c.last = &list
	c.userID = list.UserID
	return list, true
}

// Refresh fetches the list from Dynamics and keeps it. A failure to keep it is not a failure to
// fetch it: the fresh list is returned with a *NotKeptError, which the caller may report and go on.
func (c *Cases) Refresh(ctx context.Context) (CaseList, error) {
	userID, err := c.currentUser(ctx)
	if err != nil {
		return CaseList{}, err
	}
	cases, err := c.source.MyOpenCases(ctx, userID)
	if err != nil {
		return CaseList{}, err
	}
	list := CaseList{AsOf: c.now().UTC(), UserID: userID, Cases: cases}
	c.mu.Lock()
	c.last = &list
	c.mu.Unlock()
	if c.store != nil {
		if err := c.store.PutJSON(casesBucket, casesKey, list); err != nil {
			return list, &NotKeptError{Err: err}
		}
	}
	return list, nil
}

// NotKeptError says something was fetched or made but could not be kept on this computer.
type NotKeptError struct {
	What string // "the case list" when empty
	Err  error
}

func (e *NotKeptError) Error() string {
	what := e.What
	if what == "" {
		what = "the case list"
	}
	return fmt.Sprintf("%s could not be kept on this computer: %v", what, e.Err)
}

func (e *NotKeptError) Unwrap() error { return e.Err }

// currentUser asks WhoAmI once and remembers the answer until Forget.
func (c *Cases) currentUser(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.userID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	who, err := c.source.WhoAmI(ctx)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.userID = who.UserID
	c.mu.Unlock()
	return who.UserID, nil
}

// Forget drops the list and the user, in memory and in the store (at sign-out).
func (c *Cases) Forget() error {
	c.mu.Lock()
	c.last, c.userID = nil, ""
	c.mu.Unlock()
	if c.store == nil {
		return nil
	}
	return c.store.Delete(casesBucket, casesKey)
}

// Search keeps the cases whose number, title or customer hold every word of the query, ignoring
// case and accents, exactly as the window's search box does.
func Search(cases []dynamics.Case, query string) []dynamics.Case {
	q := textmatch.Parse(query)
	out := make([]dynamics.Case, 0, len(cases))
	for _, c := range cases {
		if q.Match(c.Number, c.Title, c.Customer) {
			out = append(out, c)
		}
	}
	return out
}

// WaitRelay passes the Dataverse client's waits to whoever is refreshing now. The client is built
// once with Notify as its OnWait; each refresh sets its own listener.
type WaitRelay struct {
	mu     sync.Mutex
	listen func(time.Duration)
}

// Notify is the client's OnWait: it tells the current listener about throttling waits.
func (r *WaitRelay) Notify(w dynamics.Wait) {
	r.mu.Lock()
	f := r.listen
	r.mu.Unlock()
	if f != nil && w.Reason == dynamics.WaitBusy {
		f(w.Delay)
	}
}

// Listen makes f the listener until the returned function is called.
func (r *WaitRelay) Listen(f func(time.Duration)) (stop func()) {
	r.mu.Lock()
	r.listen = f
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		r.listen = nil
		r.mu.Unlock()
	}
}
