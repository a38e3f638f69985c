package store

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpenValue feeds arbitrary bytes to the value-opening code, which must return an
// ErrCorrupt error and never panic, and checks that whatever plaintext it is given survives
// seal and open at the same place but not at another.
func FuzzOpenValue(f *testing.F) {
	sl, err := newSealer(testKey(1))
	if err != nil {
		f.Fatal(err)
	}
	valid := golden(f) // fixed bytes: each fuzz worker process must agree on what is valid
	f.Add("cases", "CAS-1", valid)
	f.Add("cases", "CAS-1", valid[:len(valid)-1])
	f.Add("cases", "CAS-2", valid)
	f.Add("cases", "CAS-1", append([]byte{2}, valid[1:]...))
	f.Add("cases", "CAS-1", []byte{})
	f.Add("cases", "CAS-1", []byte{formatV1})
	f.Add("", "", bytes.Repeat([]byte{formatV1}, 29))
	f.Add("out\x00box", "k", valid)

	f.Fuzz(func(t *testing.T, bucket, key string, data []byte) {
		plain, err := sl.open(bucket, key, data)
		if bucket == "cases" && key == "CAS-1" && bytes.Equal(data, valid) {
			if err != nil {
				t.Fatalf("the valid seed failed to open: %v", err)
			}
		} else if err == nil || !errors.Is(err, ErrCorrupt) || plain != nil {
			// A forgery would need a valid GCM tag: 2^-128 for random bytes.
			t.Fatalf("open(%q, %q, %x) = (%q, %v), want an ErrCorrupt error", bucket, key, data, plain, err)
		}

		sealed := sl.seal(bucket, key, data)
		got, err := sl.open(bucket, key, sealed)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round trip of %x: got %x, %v", data, got, err)
		}
		if _, err := sl.open(bucket, key+"x", sealed); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("value opened under another key: %v", err)
		}
	})
}
