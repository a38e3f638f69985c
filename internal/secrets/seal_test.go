package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func mustKey(t testing.TB) []byte {
	t.Helper()
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSealOpenRoundTrip(t *testing.T) {
	key := mustKey(t)
	for _, plain := range [][]byte{nil, []byte("x"), []byte(`{"AccessToken":{}}`), bytes.Repeat([]byte("cache"), 4000)} {
		sealed, err := Seal(key, plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != 1+12+len(plain)+16 || sealed[0] != 1 {
			t.Fatalf("sealed %d bytes into %d bytes with version %d, want 1+12+n+16 and version 1",
				len(plain), len(sealed), sealed[0])
		}
		got, err := Open(key, sealed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}
}

func TestSealUsesAFreshNonce(t *testing.T) {
	key := mustKey(t)
	a, _ := Seal(key, []byte("same"))
	b, _ := Seal(key, []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same text are equal")
	}
	if bytes.Contains(a, []byte("same")) {
		t.Fatal("the plaintext shows through")
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	key := mustKey(t)
	sealed, _ := Seal(key, []byte("refresh token"))
	for i := range sealed {
		for _, flip := range []byte{0x01, 0x80} {
			bad := bytes.Clone(sealed)
			bad[i] ^= flip
			if got, err := Open(key, bad); !errors.Is(err, ErrCorrupt) || got != nil {
				t.Fatalf("byte %d ^ %#x: Open = %q, %v; want ErrCorrupt", i, flip, got, err)
			}
		}
	}
	if _, err := Open(key, append(bytes.Clone(sealed), 0)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a byte appended = %v", err)
	}
}

func TestOpenRejectsTruncation(t *testing.T) {
	key := mustKey(t)
	sealed, _ := Seal(key, []byte("refresh token"))
	for n := range len(sealed) {
		if got, err := Open(key, sealed[:n]); !errors.Is(err, ErrCorrupt) || got != nil {
			t.Fatalf("first %d bytes: Open = %q, %v; want ErrCorrupt", n, got, err)
		}
	}
}

func TestOpenRejectsTheWrongKey(t *testing.T) {
	sealed, _ := Seal(mustKey(t), []byte("refresh token"))
	if _, err := Open(mustKey(t), sealed); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with another key = %v, want ErrCorrupt", err)
	}
}

func TestBadKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		key := make([]byte, n)
		if _, err := Seal(key, []byte("x")); err == nil || errors.Is(err, ErrCorrupt) {
			t.Errorf("Seal with a %d-byte key = %v", n, err)
		}
		if _, err := Open(key, make([]byte, 64)); err == nil || errors.Is(err, ErrCorrupt) {
			t.Errorf("Open with a %d-byte key = %v", n, err)
		}
	}
}

func TestSealedKeyCreatesOnceThenReuses(t *testing.T) {
	st := NewMemory()
	ctx := context.Background()
	first, err := SealedKey(ctx, st, "msal-cache-key")
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != KeySize {
		t.Fatalf("key is %d bytes", len(first))
	}
	stored, _ := st.Get(ctx, "msal-cache-key")
	if stored != base64.StdEncoding.EncodeToString(first) {
		t.Fatalf("stored %q, want the key in standard base64", stored)
	}
	again, err := SealedKey(ctx, st, "msal-cache-key")
	if err != nil || !bytes.Equal(again, first) {
		t.Fatalf("second SealedKey = %x, %v; want the first key", again, err)
	}
}

func TestSealedKeyReplacesAnUnusableKey(t *testing.T) {
	st := NewMemory()
	ctx := context.Background()
	for _, junk := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		_ = st.Set(ctx, "k", junk)
		key, err := SealedKey(ctx, st, "k")
		if err != nil || len(key) != KeySize {
			t.Fatalf("SealedKey over %q = %x, %v", junk, key, err)
		}
		if stored, _ := st.Get(ctx, "k"); stored == junk {
			t.Fatalf("the unusable value %q was kept", junk)
		}
	}
}

// racingStore stores what another process wrote at the same moment, whatever is Set.
type racingStore struct {
	Store
	winner string
}

func (r racingStore) Set(ctx context.Context, key, _ string) error {
	return r.Store.Set(ctx, key, r.winner)
}

func TestSealedKeyAgreesWithARacingProcess(t *testing.T) {
	winner := bytes.Repeat([]byte{7}, KeySize)
	st := racingStore{Store: NewMemory(), winner: base64.StdEncoding.EncodeToString(winner)}
	key, err := SealedKey(context.Background(), st, "k")
	if err != nil || !bytes.Equal(key, winner) {
		t.Fatalf("SealedKey = %x, %v; want the key that was stored", key, err)
	}
}

func TestSealedKeyWhenTheKeyringIsUnavailable(t *testing.T) {
	useFailingKeyring(t, errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"))
	_, err := SealedKey(context.Background(), NewKeyring(0), "msal-cache-key")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("SealedKey = %v, want ErrUnavailable", err)
	}
}

// setFailingBackend finds nothing and cannot store anything.
type setFailingBackend struct{ *countingBackend }

func (*setFailingBackend) Set(_, _, _ string) error { return errors.New("collection is read-only") }

func TestSealedKeyPassesOnSetErrors(t *testing.T) {
	b := &setFailingBackend{countingBackend: newCounting()}
	_, err := SealedKey(context.Background(), newKeyring(b, 0), "k")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), `set "k"`) {
		t.Fatalf("SealedKey = %v, want the Set failure as ErrUnavailable", err)
	}
}

func FuzzOpen(f *testing.F) {
	key := bytes.Repeat([]byte{0x42}, KeySize)
	good, _ := Seal(key, []byte("refresh token"))
	empty, _ := Seal(key, nil)
	f.Add(good)
	f.Add(empty)
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(append([]byte{2}, good[1:]...))
	f.Fuzz(func(t *testing.T, sealed []byte) {
		plain, err := Open(key, sealed)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || plain != nil {
				t.Fatalf("Open = %q, %v; a failure must be ErrCorrupt with no plaintext", plain, err)
			}
			return
		}
		// Only real seals open; sealing the result again must open to the same text.
		again, err := Seal(key, plain)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := Open(key, again); err != nil || !bytes.Equal(back, plain) {
			t.Fatalf("re-seal round trip: %q, %v", back, err)
		}
	})
}
