// Package secrets keeps small secrets in the OS keyring and seals large ones for a file.
//
// It is the only importer of github.com/zalando/go-keyring. Every keyring call runs in its own
// goroutine and is abandoned after a timeout, because a locked keyring can sit on an unlock
// prompt for ever and must not freeze the app; the caller then gets ErrUnavailable and carries
// on with NewMemory for the session. Values are limited to MaxValueBytes on every platform, so
// a value Windows would refuse is refused on Linux too, where the tests run.
//
// Values too large for a keyring entry (the MSAL token cache) are sealed with AES-256-GCM into a
// file owned by the caller; only the random key sits in the keyring (see SealedKey).
//
// No error from this package quotes a secret value. Keys are not secret and are quoted.
//
// Choices where the references are unconfirmed:
//   - MaxValueBytes is 2,048 bytes, one limit for every platform. Windows (wincred) refuses a
//     blob over 2,560 bytes, and go-keyring stores the raw UTF-8 bytes there. macOS refuses a
//     `security -i` command over 4,096 bytes. That command is the fixed text
//     "add-generic-password -U -s " (27 bytes), the service (23), " -a " (4), the key (at most
//     MaxKeyBytes, 64), " -w " (4), "go-keyring-base64:" (18), the base64 of the value and a
//     newline (1): 141 bytes besides the value, which leaves 3,955 base64 characters, that is
//     2,964 bytes of value. Keys are limited to characters that need no shell quoting, so that
//     sum holds. The smaller of the two limits is 2,560; 2,048 keeps 512 bytes of headroom in
//     case a backend adds framing, and is far above what is stored here (a 44-byte sealing
//     key, a Rescue auth code of about 80 characters).
//   - Every keyring error other than "not found" and "too big" is ErrUnavailable: no D-Bus
//     session, no Secret Service, a locked collection that cannot be unlocked without a prompter
//     ("failed to unlock correct collection"), an unsupported platform, a panic inside the
//     backend, or the timeout. In each case the right move for the caller is the same.
//   - One call at a time per keyring Store: while a call is stuck on a prompt, later calls do
//     not start another one (they would only stack prompts); they wait for it up to their own
//     timeout and then return ErrUnavailable.
package secrets

import (
	"context"
	"errors"
	"fmt"
)

// Service is the service name under which every entry of the app is stored.
const Service = "com.rescuecompanion.app"

// MaxValueBytes is the largest value Set accepts, on every platform (see the package comment).
const MaxValueBytes = 2048

// MaxKeyBytes is the longest key accepted.
const MaxKeyBytes = 64

var (
	// ErrNotFound means there is no entry under the key.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable means the keyring is missing, locked or did not answer in time. The
	// caller should carry on with an in-memory store for the session.
	ErrUnavailable = errors.New("keyring unavailable")
	// ErrTooLarge means the value is over MaxValueBytes (or the keyring said it was too big).
	ErrTooLarge = errors.New("value too large for the keyring")
	// ErrInvalidKey means the key is empty, too long, or has a character outside
	// A-Z a-z 0-9 and . _ - @ : + = , / %.
	ErrInvalidKey = errors.New("invalid key")
)

// Store keeps secret strings under keys. Get and Delete return an error wrapping ErrNotFound
// when there is no entry under the key.
type Store interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
	Delete(ctx context.Context, key string) error
}

// checkKey accepts keys that are safe in every backend, including unquoted in the macOS
// command line whose length the size limit depends on.
func checkKey(op, key string) error {
	if key == "" || len(key) > MaxKeyBytes {
		return fmt.Errorf("secrets: %s %q: %w: length must be 1 to %d bytes", op, key, ErrInvalidKey, MaxKeyBytes)
	}
	for _, r := range key {
		if !isKeyChar(r) {
			return fmt.Errorf("secrets: %s %q: %w: character %q is not allowed", op, key, ErrInvalidKey, r)
		}
	}
	return nil
}

func isKeyChar(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	switch r {
	case '.', '_', '-', '@', ':', '+', '=', ',', '/', '%':
		return true
	}
	return false
}

// checkValue enforces MaxValueBytes before any backend sees the value.
func checkValue(key, value string) error {
	if len(value) > MaxValueBytes {
		return fmt.Errorf("secrets: set %q: %w: %d bytes, limit %d", key, ErrTooLarge, len(value), MaxValueBytes)
	}
	return nil
}
