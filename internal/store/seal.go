package store

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// KeySize is the length of the encryption key Open takes: AES-256.
const KeySize = 32

// formatV1 is the first byte of every sealed value, so the format can change later without
// old files being misread.
const formatV1 byte = 1

// sealer seals and opens values bound to their bucket and key. It holds only the expanded
// AES key, never the caller's key slice, and is safe for concurrent use.
type sealer struct {
	aead cipher.AEAD // random-nonce GCM: Seal prepends the 12-byte nonce, Open strips it
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: got %d bytes, want %d", ErrInvalidKey, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns version | nonce | ciphertext | tag for plaintext stored at bucket/key.
func (s *sealer) seal(bucket, key string, plaintext []byte) []byte {
	out := make([]byte, 1, 1+len(plaintext)+s.aead.Overhead())
	out[0] = formatV1
	return s.aead.Seal(out, nil, plaintext, additionalData(bucket, key))
}

// open reverses seal. Anything that is not a value sealed by this key for exactly this
// bucket and key gives an error wrapping ErrCorrupt, never a partial plaintext.
func (s *sealer) open(bucket, key string, sealed []byte) ([]byte, error) {
	if err := wellFormed(sealed, s.aead.Overhead()); err != nil {
		return nil, fmt.Errorf("%w: %s/%s: %w", ErrCorrupt, bucket, key, err)
	}
	plain, err := s.aead.Open(nil, nil, sealed[1:], additionalData(bucket, key))
	if err != nil {
		return nil, fmt.Errorf("%w: %s/%s: value failed authentication (changed, moved or sealed with another key)", ErrCorrupt, bucket, key)
	}
	return plain, nil
}

// wellFormed checks the framing of a sealed value: its version byte and that it is long
// enough to hold a nonce and a tag.
func wellFormed(sealed []byte, overhead int) error {
	if len(sealed) < 1+overhead {
		return fmt.Errorf("sealed value of %d bytes is too short", len(sealed))
	}
	if sealed[0] != formatV1 {
		return fmt.Errorf("unknown value format %d", sealed[0])
	}
	return nil
}

// additionalData binds a value to where it is stored. Bucket names never contain "\x00", so
// the first zero byte always marks where the bucket ends and the key begins.
func additionalData(bucket, key string) []byte {
	ad := make([]byte, 0, len(bucket)+1+len(key))
	ad = append(ad, bucket...)
	ad = append(ad, 0)
	return append(ad, key...)
}
