package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySize is the length of a sealing key: AES-256.
const KeySize = 32

// sealVersion is the first byte of every sealed blob, so the format can change later
// without old files being misread.
const sealVersion byte = 1

const nonceSize = 12 // the GCM standard nonce

// ErrCorrupt is wrapped by Open's error when sealed data was changed, cut short, sealed with
// another key, or is of an unknown version. Callers treat the file as absent.
var ErrCorrupt = errors.New("secrets: sealed data is damaged, truncated or sealed with another key")

// NewKey returns KeySize random bytes for Seal and Open.
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secrets: new key: %w", err)
	}
	return key, nil
}

// Seal encrypts and authenticates plaintext with AES-256-GCM. The result is one version byte,
// a random 12-byte nonce, then the ciphertext and its 16-byte tag; the version byte is
// authenticated too.
func Seal(key, plaintext []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	nonce := out[1:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secrets: seal: %w", err)
	}
	return aead.Seal(out, nonce, plaintext, out[:1]), nil
}

// Open reverses Seal. Any change to sealed, a cut, or the wrong key gives an error wrapping
// ErrCorrupt, never a partial plaintext.
func Open(key, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < 1+nonceSize+aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(sealed))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: unknown version %d", ErrCorrupt, sealed[0])
	}
	plain, err := aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], sealed[:1])
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrCorrupt)
	}
	return plain, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: sealing key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return cipher.NewGCM(block)
}

// SealedKey returns the sealing key stored in st under name, base64-encoded, creating and
// storing a new one when there is none. A stored value that is not a valid key is replaced:
// nothing sealed under it could be opened anyway. After storing a new key it reads the entry
// back, so two processes starting at once end up with the same key.
//
// When st is the keyring and it is unavailable, the error wraps ErrUnavailable: the caller
// then keeps its sealed data in memory for the session.
func SealedKey(ctx context.Context, st Store, name string) ([]byte, error) {
	stored, err := st.Get(ctx, name)
	switch {
	case err == nil:
		if key, ok := decodeKey(stored); ok {
			return key, nil
		}
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	key, err := NewKey()
	if err != nil {
		return nil, err
	}
	if err := st.Set(ctx, name, base64.StdEncoding.EncodeToString(key)); err != nil {
		return nil, err
	}
	stored, err = st.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	key, ok := decodeKey(stored)
	if !ok {
		return nil, fmt.Errorf("%w: sealing key %q unreadable right after being stored", ErrCorrupt, name)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, bool) {
	key, err := base64.StdEncoding.DecodeString(s)
	return key, err == nil && len(key) == KeySize
}
