package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// mockInstalled records that this test process replaced go-keyring's provider with its mock,
// which go-keyring cannot undo; tests that need the real keyring then run in a child process.
var mockInstalled atomic.Bool

func useMockKeyring(t *testing.T) {
	t.Helper()
	mockInstalled.Store(true)
	keyring.MockInit()
}

func useFailingKeyring(t *testing.T, err error) {
	t.Helper()
	mockInstalled.Store(true)
	keyring.MockInitWithError(err)
}

func TestKeyringRoundTrip(t *testing.T) {
	useMockKeyring(t)
	st := NewKeyring(0)
	ctx := context.Background()
	const key = "rescue-authcode:camille@contoso.example"

	if _, err := st.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set = %v, want ErrNotFound", err)
	}
	if err := st.Set(ctx, key, "s3cret value"); err != nil {
		t.Fatal(err)
	}
	if v, err := st.Get(ctx, key); err != nil || v != "s3cret value" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if v, err := keyring.Get(Service, key); err != nil || v != "s3cret value" {
		t.Fatalf("entry not stored under service %q: %q, %v", Service, v, err)
	}
	if err := st.Set(ctx, key, "replaced"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Get(ctx, key); v != "replaced" {
		t.Fatalf("Get after a second Set = %q", v)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := st.Delete(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete of a missing entry = %v, want ErrNotFound", err)
	}
}

func TestKeyringErrorMapping(t *testing.T) {
	locked := errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	tests := []struct {
		cause error
		want  error
		wrap  bool // the cause stays reachable with errors.Is
	}{
		{keyring.ErrNotFound, ErrNotFound, false},
		{keyring.ErrSetDataTooBig, ErrTooLarge, false},
		{locked, ErrUnavailable, true},
		{keyring.ErrUnsupportedPlatform, ErrUnavailable, true},
		{fmt.Errorf("dial unix /run/user/1000/bus: %w", errors.New("connect: no such file or directory")), ErrUnavailable, true},
	}
	for _, tt := range tests {
		t.Run(tt.cause.Error(), func(t *testing.T) {
			useFailingKeyring(t, tt.cause)
			st := NewKeyring(0)
			ctx := context.Background()
			_, getErr := st.Get(ctx, "k")
			errs := map[string]error{
				"get":    getErr,
				"set":    st.Set(ctx, "k", "v"),
				"delete": st.Delete(ctx, "k"),
			}
			for op, err := range errs {
				if !errors.Is(err, tt.want) {
					t.Errorf("%s = %v, want %v", op, err, tt.want)
				}
				if errors.Is(err, tt.cause) != tt.wrap {
					t.Errorf("%s = %v: wraps the cause: %v, want %v", op, err, !tt.wrap, tt.wrap)
				}
				if wantPrefix := fmt.Sprintf("secrets: %s %q: ", op, "k"); !strings.HasPrefix(err.Error(), wantPrefix) {
					t.Errorf("%s error %q does not start with %q", op, err, wantPrefix)
				}
			}
		})
	}
}

// countingBackend records calls and answers from a map.
type countingBackend struct {
	calls  atomic.Int32
	values map[string]string
	err    error
}

func (b *countingBackend) Get(_, user string) (string, error) {
	b.calls.Add(1)
	if b.err != nil {
		return "", b.err
	}
	v, ok := b.values[user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *countingBackend) Set(_, user, password string) error {
	b.calls.Add(1)
	if b.err != nil {
		return b.err
	}
	b.values[user] = password
	return nil
}

func (b *countingBackend) Delete(_, user string) error {
	b.calls.Add(1)
	return b.err
}

func newCounting() *countingBackend { return &countingBackend{values: map[string]string{}} }

func TestSizeLimitIsEnforcedBeforeTheKeyring(t *testing.T) {
	stores := map[string]func(b backend) Store{
		"keyring": func(b backend) Store { return newKeyring(b, 0) },
		"memory":  func(backend) Store { return NewMemory() },
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			b := newCounting()
			st := newStore(b)
			ctx := context.Background()
			over := strings.Repeat("x", MaxValueBytes+1)
			err := st.Set(ctx, "k", over)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Set of %d bytes = %v, want ErrTooLarge", len(over), err)
			}
			if strings.Contains(err.Error(), "xxxx") {
				t.Errorf("error quotes the value: %v", err)
			}
			// Bytes, not characters: 1,025 "é" are 2,050 bytes.
			if err := st.Set(ctx, "k", strings.Repeat("é", MaxValueBytes/2+1)); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Set of multi-byte text = %v, want ErrTooLarge", err)
			}
			if n := b.calls.Load(); n != 0 {
				t.Fatalf("the keyring was called %d times for values over the limit", n)
			}
			if err := st.Set(ctx, "k", strings.Repeat("x", MaxValueBytes)); err != nil {
				t.Fatalf("Set of exactly MaxValueBytes: %v", err)
			}
		})
	}
}

func TestMaxValueBytesFitsEveryPlatform(t *testing.T) {
	const windowsBlob = 2560 // wincred: len(password) > 2560 is refused
	// macOS: go-keyring refuses a `security -i` command longer than 4,096 bytes.
	macCommand := len("add-generic-password -U -s ") + len(Service) + len(" -a ") + MaxKeyBytes +
		len(" -w ") + len("go-keyring-base64:") + 4*((MaxValueBytes+2)/3) + len("\n")
	if MaxValueBytes > windowsBlob {
		t.Errorf("MaxValueBytes %d is over the Windows limit %d", MaxValueBytes, windowsBlob)
	}
	if macCommand > 4096 {
		t.Errorf("a full-size value makes a %d-byte macOS command, over 4096", macCommand)
	}
}

func TestInvalidKeys(t *testing.T) {
	b := newCounting()
	st := newKeyring(b, 0)
	ctx := context.Background()
	for _, key := range []string{"", strings.Repeat("k", MaxKeyBytes+1), "a b", "it's", "clé", "a\nb", `a"b`, "a;b"} {
		_, getErr := st.Get(ctx, key)
		for op, err := range map[string]error{"get": getErr, "set": st.Set(ctx, key, "v"), "delete": st.Delete(ctx, key)} {
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("%s(%q) = %v, want ErrInvalidKey", op, key, err)
			}
		}
	}
	if n := b.calls.Load(); n != 0 {
		t.Fatalf("the keyring was called %d times with invalid keys", n)
	}
	for _, key := range []string{"msal-cache-key", "rescue-authcode:camille@contoso.example", strings.Repeat("k", MaxKeyBytes), "a/b,c=d+e%f.g_h"} {
		if err := st.Set(ctx, key, "v"); err != nil {
			t.Errorf("Set(%q): %v", key, err)
		}
	}
}

// blockingBackend hangs in every call until released, like a keyring waiting on an unlock
// prompt nobody answers.
type blockingBackend struct {
	entered chan struct{} // one token per call that started
	release chan struct{} // closed to let every call return
	calls   atomic.Int32
}

func (b *blockingBackend) block() {
	b.calls.Add(1)
	b.entered <- struct{}{}
	<-b.release
}

func (b *blockingBackend) Get(_, _ string) (string, error) { b.block(); return "late", nil }
func (b *blockingBackend) Set(_, _, _ string) error        { b.block(); return nil }
func (b *blockingBackend) Delete(_, _ string) error        { b.block(); return nil }

// newStuckStore returns a Store over a blockingBackend. When the test ends, the stuck call is
// released and waited for, so no goroutine of this test outlives it.
func newStuckStore(t *testing.T, timeout time.Duration) (*keyringStore, *blockingBackend) {
	b := &blockingBackend{entered: make(chan struct{}, 16), release: make(chan struct{})}
	st := newKeyring(b, timeout)
	t.Cleanup(func() {
		b.unblock()
		waitIdle(st)
	})
	return st, b
}

func (b *blockingBackend) unblock() {
	select {
	case <-b.release:
	default:
		close(b.release)
	}
}

// waitIdle returns once no backend call of st is running: a call holds st.busy until it returns.
func waitIdle(st *keyringStore) {
	st.busy <- struct{}{}
	<-st.busy
}

func TestStuckKeyringGivesUpWithUnavailable(t *testing.T) {
	st, b := newStuckStore(t, 10*time.Millisecond)
	ctx := context.Background()

	_, err := st.Get(ctx, "k")
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get on a stuck keyring = %v, want ErrUnavailable wrapping the deadline", err)
	}
	<-b.entered // the call did reach the keyring

	// While that call is stuck, later calls give up too, without stacking another call.
	if err := st.Set(ctx, "k", "v"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set while a call is stuck = %v, want ErrUnavailable", err)
	}
	if err := st.Delete(ctx, "k"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Delete while a call is stuck = %v, want ErrUnavailable", err)
	}
	if n := b.calls.Load(); n != 1 {
		t.Fatalf("%d calls reached the keyring, want 1", n)
	}

	// Once the stuck call returns, its turn is given back and the next call goes through.
	b.unblock()
	waitIdle(st)
	st.timeout = time.Minute
	if v, err := st.Get(ctx, "k"); err != nil || v != "late" {
		t.Fatalf("Get after the keyring came back = %q, %v", v, err)
	}
}

func TestCallerCancelIsNotUnavailable(t *testing.T) {
	st, b := newStuckStore(t, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-b.entered
		cancel()
	}()
	_, err := st.Get(ctx, "k")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get cancelled by the caller = %v, want context.Canceled and not ErrUnavailable", err)
	}
}

func TestCallerDeadlineIsUnavailable(t *testing.T) {
	st, _ := newStuckStore(t, time.Minute)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now()) // already expired
	defer cancel()
	if err := st.Set(ctx, "k", "v"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set past the caller's deadline = %v, want ErrUnavailable", err)
	}
}

type panickyBackend struct{ countingBackend }

func (*panickyBackend) Get(_, _ string) (string, error) { panic("nil connection") }

func TestBackendPanicIsUnavailable(t *testing.T) {
	st := newKeyring(&panickyBackend{}, 0)
	_, err := st.Get(context.Background(), "k")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "nil connection") {
		t.Fatalf("Get on a panicking backend = %v", err)
	}
}

func TestErrorsNeverQuoteTheValue(t *testing.T) {
	const value = "authcode-4ahx99bppkzxocbs590roo1l99o7au9rmwnea8q3"
	b := newCounting()
	b.err = fmt.Errorf("org.freedesktop.DBus.Error.InvalidArgs: bad secret %q", value)
	st := newKeyring(b, 0)
	err := st.Set(context.Background(), "k", value)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), value) {
		t.Fatalf("error quotes the value: %v", err)
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q lost the rest of its text", err)
	}
}

func TestDefaultTimeout(t *testing.T) {
	for _, in := range []time.Duration{0, -time.Second} {
		if got := NewKeyring(in).(*keyringStore).timeout; got != 3*time.Second {
			t.Errorf("NewKeyring(%v) timeout = %v, want 3s", in, got)
		}
	}
	if got := NewKeyring(time.Second).(*keyringStore).timeout; got != time.Second {
		t.Errorf("NewKeyring(1s) timeout = %v", got)
	}
}
