package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// goldenSealed is {"number":"CAS-1"} sealed under testKey(1) for cases/CAS-1 by format 1:
// version 01, 12-byte nonce, 18 bytes of ciphertext, 16-byte tag. Files written today must
// stay readable, so this must keep opening.
const goldenSealed = "01" + "4d05c8a1057f11b61e0311aa" +
	"9f9cdb20dbec3031070b8c9b453b473b1dcf" + "6ba7630534b519568dc6b1144d1d66dd"

func golden(t testing.TB) []byte {
	b, err := hex.DecodeString(goldenSealed)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenSealedValueOpens(t *testing.T) {
	sl, err := newSealer(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	got, err := sl.open("cases", "CAS-1", golden(t))
	if err != nil || string(got) != `{"number":"CAS-1"}` {
		t.Fatalf("open(golden) = %q, %v", got, err)
	}
}

func TestSealLayout(t *testing.T) {
	sl, err := newSealer(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("0123456789")
	a := sl.seal("cases", "CAS-1", plain)
	b := sl.seal("cases", "CAS-1", plain)
	if len(a) != 1+12+len(plain)+16 || a[0] != formatV1 {
		t.Fatalf("sealed value is %d bytes starting %02x, want %d starting 01", len(a), a[0], 1+12+len(plain)+16)
	}
	if bytes.Equal(a[1:13], b[1:13]) {
		t.Error("two seals used the same nonce")
	}
}

func TestOpenRejects(t *testing.T) {
	sl, err := newSealer(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	other, err := newSealer(testKey(2))
	if err != nil {
		t.Fatal(err)
	}
	good := golden(t)
	flipped := bytes.Clone(good)
	flipped[20] ^= 1
	cases := []struct {
		name        string
		s           *sealer
		bucket, key string
		sealed      []byte
	}{
		{"other key", other, "cases", "CAS-1", good},
		{"other record key", sl, "cases", "CAS-2", good},
		{"other bucket", sl, "history", "CAS-1", good},
		{"bucket and key split differently", sl, "case", "s\x00CAS-1", good},
		{"flipped bit", sl, "cases", "CAS-1", flipped},
		{"cut short", sl, "cases", "CAS-1", good[:len(good)-1]},
		{"version 2", sl, "cases", "CAS-1", append([]byte{2}, good[1:]...)},
		{"empty", sl, "cases", "CAS-1", nil},
	}
	for _, c := range cases {
		if plain, err := c.s.open(c.bucket, c.key, c.sealed); !errors.Is(err, ErrCorrupt) || plain != nil {
			t.Errorf("%s: open = (%q, %v), want an ErrCorrupt error", c.name, plain, err)
		}
	}
}
