package companion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
)

type fakeSource struct {
	whoCalls, caseCalls int
	cases               []dynamics.Case
	err                 error
}

func (f *fakeSource) WhoAmI(context.Context) (dynamics.WhoAmI, error) {
	f.whoCalls++
	return dynamics.WhoAmI{UserID: "2b0ad0a4-3c1e-5f7a-9d55-0c2f1e7a9b10"}, f.err
}

func (f *fakeSource) MyOpenCases(_ context.Context, userID string) ([]dynamics.Case, error) {
	f.caseCalls++
	if userID != "2b0ad0a4-3c1e-5f7a-9d55-0c2f1e7a9b10" {
		return nil, fmt.Errorf("asked for user %q", userID)
	}
	return f.cases, f.err
}

// memKV is a KeyValue in memory that stores JSON like the real store does, so types round-trip.
type memKV struct {
	data   map[string][]byte
	putErr error
}

func (m *memKV) PutJSON(bucket, key string, v any) error {
	if m.putErr != nil {
		return m.putErr
	}
	b, err := json.Marshal(v)
	if m.data == nil {
		m.data = map[string][]byte{}
	}
	m.data[bucket+"/"+key] = b
	return err
}

func (m *memKV) GetJSON(bucket, key string, v any) (bool, error) {
	b, ok := m.data[bucket+"/"+key]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(b, v)
}

func (m *memKV) Delete(bucket, key string) error { delete(m.data, bucket+"/"+key); return nil }

var at = time.Date(2026, 11, 27, 13, 5, 0, 0, time.UTC)

func sample() []dynamics.Case {
	return []dynamics.Case{
		{ID: "1", Number: "CAS-01001-AAAAAA", Title: "VPN drops", Customer: "Zoë O'Connor", ModifiedOn: at},
		{ID: "2", Number: "CAS-01002-BBBBBB", Title: "Imprimante hors ligne", Customer: "Hôtel Château-Neuf", ModifiedOn: at},
	}
}

func TestRefreshKeepsTheListForTheNextStart(t *testing.T) {
	kv := &memKV{}
	src := &fakeSource{cases: sample()}
	c := NewCases(src, kv, func() time.Time { return at })
	if _, ok := c.Cached(); ok {
		t.Fatal("a cache before the first refresh")
	}
	list, err := c.Refresh(context.Background())
	if err != nil || len(list.Cases) != 2 || !list.AsOf.Equal(at) {
		t.Fatalf("refresh: %v %+v", err, list)
	}
	if _, err := c.Refresh(context.Background()); err != nil || src.whoCalls != 1 {
		t.Fatalf("WhoAmI asked %d times for two refreshes", src.whoCalls)
	}

	// The next start reads the list from the store, without the network.
	next := NewCases(&fakeSource{err: errors.New("offline")}, kv, nil)
	got, ok := next.Cached()
	if !ok || len(got.Cases) != 2 || got.Cases[1].Customer != "Hôtel Château-Neuf" || !got.AsOf.Equal(at) {
		t.Fatalf("cached %v %+v", ok, got)
	}
	// And knows the user, so a refresh needs no WhoAmI.
	src2 := &fakeSource{cases: sample()[:1]}
	next.source = src2
	if _, err := next.Refresh(context.Background()); err != nil || src2.whoCalls != 0 {
		t.Fatalf("refresh after restart: %v, %d WhoAmI", err, src2.whoCalls)
	}
}

func TestStoreFailureStillGivesTheList(t *testing.T) {
	c := NewCases(&fakeSource{cases: sample()}, &memKV{putErr: errors.New("disk full")}, nil)
	list, err := c.Refresh(context.Background())
	var nk *NotKeptError
	if !errors.As(err, &nk) || len(list.Cases) != 2 {
		t.Fatalf("got %v, %d cases", err, len(list.Cases))
	}
	if _, ok := c.Cached(); !ok {
		t.Fatal("the list is not even in memory")
	}
}

func TestFailedRefreshKeepsTheOldList(t *testing.T) {
	kv := &memKV{}
	src := &fakeSource{cases: sample()}
	c := NewCases(src, kv, nil)
	_, _ = c.Refresh(context.Background())
	src.err = errors.New("dial tcp: connection refused")
	if _, err := c.Refresh(context.Background()); err == nil {
		t.Fatal("the failure was swallowed")
	}
	if got, ok := c.Cached(); !ok || len(got.Cases) != 2 {
		t.Fatal("a failed refresh lost the list")
	}
}

func TestForgetDropsEverything(t *testing.T) {
	kv := &memKV{}
	src := &fakeSource{cases: sample()}
	c := NewCases(src, kv, nil)
	_, _ = c.Refresh(context.Background())
	if err := c.Forget(); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Cached(); ok || len(kv.data) != 0 {
		t.Fatal("the list survived sign-out")
	}
	_, _ = c.Refresh(context.Background())
	if src.whoCalls != 2 {
		t.Fatal("the next sign-in reused the previous user")
	}
}

func TestSearchMatchesLikeTheWindow(t *testing.T) {
	if got := Search(sample(), "chateau IMPRIMANTE"); len(got) != 1 || got[0].ID != "2" {
		t.Fatalf("got %+v", got)
	}
	if got := Search(sample(), ""); len(got) != 2 {
		t.Fatal("an empty search must keep everything")
	}
}

func TestWaitRelayOnlyTellsBusyToTheCurrentListener(t *testing.T) {
	var r WaitRelay
	var told []time.Duration
	stop := r.Listen(func(d time.Duration) { told = append(told, d) })
	r.Notify(dynamics.Wait{Reason: dynamics.WaitBusy, Delay: 3 * time.Second})
	r.Notify(dynamics.Wait{Reason: dynamics.WaitRetry, Delay: time.Second})
	stop()
	r.Notify(dynamics.Wait{Reason: dynamics.WaitBusy, Delay: 5 * time.Second})
	if len(told) != 1 || told[0] != 3*time.Second {
		t.Fatalf("told %v", told)
	}
}
