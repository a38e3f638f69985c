package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultTimeout is how long a keyring call may take before it is abandoned.
const DefaultTimeout = 3 * time.Second

// backend is the part of go-keyring used here; tests put a blocking fake in its place.
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// osKeyring calls go-keyring's package functions, so keyring.MockInit applies to it.
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) {
	return keyring.Get(service, user)
}

func (osKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

func (osKeyring) Delete(service, user string) error {
	return keyring.Delete(service, user)
}

type keyringStore struct {
	backend backend
	timeout time.Duration
	// busy holds a token while a backend call runs, so at most one runs at a time.
	busy chan struct{}
}

// NewKeyring returns a Store in the OS keyring (Windows Credential Manager, macOS Keychain,
// Secret Service on Linux) under Service. A timeout of zero or less means DefaultTimeout.
// Create one and share it: calls through one Store never overlap.
func NewKeyring(timeout time.Duration) Store {
	return newKeyring(osKeyring{}, timeout)
}

func newKeyring(b backend, timeout time.Duration) *keyringStore {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &keyringStore{backend: b, timeout: timeout, busy: make(chan struct{}, 1)}
}

func (k *keyringStore) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey("get", key); err != nil {
		return "", err
	}
	return k.call(ctx, "get", key, "", func() (string, error) {
		return k.backend.Get(Service, key)
	})
}

func (k *keyringStore) Set(ctx context.Context, key, value string) error {
	if err := checkKey("set", key); err != nil {
		return err
	}
	if err := checkValue(key, value); err != nil {
		return err
	}
	_, err := k.call(ctx, "set", key, value, func() (string, error) {
		return "", k.backend.Set(Service, key, value)
	})
	return err
}

func (k *keyringStore) Delete(ctx context.Context, key string) error {
	if err := checkKey("delete", key); err != nil {
		return err
	}
	_, err := k.call(ctx, "delete", key, "", func() (string, error) {
		return "", k.backend.Delete(Service, key)
	})
	return err
}

type outcome struct {
	value string
	err   error
}

// call runs fn in a goroutine and waits for it, for the Store's turn, for the timeout or for
// ctx, whichever comes first. An abandoned fn keeps its turn until it returns; its result is
// dropped. secret is the value being written, if any, kept out of error texts.
func (k *keyringStore) call(ctx context.Context, op, key, secret string, fn func() (string, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	select {
	case k.busy <- struct{}{}:
	case <-ctx.Done():
		return "", gaveUp(ctx, op, key, "an earlier keyring call is still running")
	}
	done := make(chan outcome, 1) // buffered: an abandoned fn must still be able to finish
	go func() {
		defer func() { <-k.busy }()
		done <- runGuarded(fn)
	}()
	select {
	case o := <-done:
		return o.value, classify(op, key, redact(o.err, secret))
	case <-ctx.Done():
		return "", gaveUp(ctx, op, key, "the keyring did not answer")
	}
}

// runGuarded turns a panic inside the backend (a D-Bus library, a shell-out) into an error,
// since a panic on this goroutine would end the whole app.
func runGuarded(fn func() (string, error)) (o outcome) {
	defer func() {
		if r := recover(); r != nil {
			o = outcome{err: fmt.Errorf("keyring backend panicked: %v", r)}
		}
	}()
	v, err := fn()
	return outcome{value: v, err: err}
}

// gaveUp explains a call that ended without an answer. A caller's cancel is passed on as is;
// a deadline (ours or the caller's) means the keyring is unavailable for now.
func gaveUp(ctx context.Context, op, key, why string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("secrets: %s %q: %w", op, key, ctx.Err())
	}
	return fmt.Errorf("secrets: %s %q: %w: %s: %w", op, key, ErrUnavailable, why, ctx.Err())
}

// classify maps go-keyring's errors to this package's.
func classify(op, key string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("secrets: %s %q: %w", op, key, ErrNotFound)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("secrets: %s %q: %w", op, key, ErrTooLarge)
	}
	return fmt.Errorf("secrets: %s %q: %w: %w", op, key, ErrUnavailable, err)
}

// minRedactBytes is the shortest value looked for in error texts: a shorter one matches
// ordinary words by chance and is no secret worth the name.
const minRedactBytes = 4

// redact keeps the value being written out of an error text, should a backend ever quote it.
// The original error is dropped then, as its text is what must not travel.
func redact(err error, secret string) error {
	if err == nil || len(secret) < minRedactBytes || !strings.Contains(err.Error(), secret) {
		return err
	}
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return keyring.ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return keyring.ErrSetDataTooBig
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[redacted]"))
}
