package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

const pageSize = 4096 // bbolt's page size on the platforms the tests run on; checked below

const filledValues = 60

// filledValue is value i of filledStore: from a few bytes to two pages, so the file has
// branch, leaf and overflow pages.
func filledValue(i int) []byte {
	return bytes.Repeat([]byte{byte(i)}, 20+i*137)
}

// usedLength is how many bytes of the file at path bbolt counts as pages in use.
func usedLength(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	if err := db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return int(size)
}

// filledStore writes a store with enough values for branch, leaf and overflow pages and
// returns its path and raw bytes.
func filledStore(t *testing.T) (string, []byte) {
	t.Helper()
	path := tempPath(t)
	s, err := Open(path, testKey(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range filledValues {
		mustPut(t, s, "cases", fmt.Sprintf("CAS-%05d", i), string(filledValue(i)))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 16*pageSize || len(raw)%pageSize != 0 {
		t.Fatalf("store file is %d bytes; the damage below assumes many %d-byte pages", len(raw), pageSize)
	}
	return path, raw
}

func TestDamagedFileGivesErrCorrupt(t *testing.T) {
	goodPath, good := filledStore(t)
	used := usedLength(t, goodPath)
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	withPages := func(fill func(page []byte)) []byte {
		out := bytes.Clone(good)
		for off := 2 * pageSize; off < len(out); off += pageSize {
			fill(out[off : off+pageSize])
		}
		return out
	}
	cases := map[string][]byte{
		"cut to 100 bytes":       good[:100],
		"cut to the meta pages":  good[:2*pageSize],
		"cut by one byte":        good[:used-1],
		"cut in half":            good[:used/2],
		"cut mid-page":           good[:used-pageSize-123],
		"last page cut":          good[:used-pageSize],
		"random bytes":           garbage(64 * pageSize),
		"zeros":                  make([]byte, 16*pageSize),
		"meta pages zeroed":      append(make([]byte, 2*pageSize), good[2*pageSize:]...),
		"data pages random":      withPages(func(p []byte) { copy(p, garbage(len(p))) }),
		"data pages 0xff":        withPages(func(p []byte) { copy(p, bytes.Repeat([]byte{0xff}, len(p))) }),
		"data page headers lost": withPages(func(p []byte) { copy(p[:16], garbage(16)) }),
		"text file":              []byte("[dynamics]\nurl = \"https://contoso.crm4.dynamics.com\"\n"),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := tempPath(t)
			writeFile(t, path, content)
			err := assertCorrupt(t, path)
			// A cut file is caught by the length check before bbolt maps and trusts it; a
			// recovered panic in the read-write open would leave the file mapped.
			if strings.HasPrefix(name, "cut") && errors.As(err, new(bboltPanic)) {
				t.Errorf("cut file found only by a bbolt panic: %v", err)
			}
			// The failed Open released the file: a second attempt reports the damage again,
			// not ErrLocked, and MoveAside makes room for a fresh store.
			assertCorrupt(t, path)
			if _, err := MoveAside(path, fixedNow); err != nil {
				t.Fatal(err)
			}
			openAt(t, path, testKey(1))
		})
	}
}

func assertCorrupt(t *testing.T, path string) error {
	t.Helper()
	s, err := Open(path, testKey(1), Options{})
	if err == nil {
		_ = s.Close()
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a damaged file: %v, want ErrCorrupt", err)
	}
	return err
}

// TestEveryPageDamaged garbles one page at a time; whatever the page held, Open must either
// fail with ErrCorrupt or open a store whose every read either works or fails with
// ErrCorrupt, and never panic.
func TestEveryPageDamaged(t *testing.T) {
	_, good := filledStore(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for page := range len(good) / pageSize {
		damaged := bytes.Clone(good)
		for i := page * pageSize; i < (page+1)*pageSize; i++ {
			damaged[i] = byte(rng.Uint32())
		}
		path := tempPath(t)
		writeFile(t, path, damaged)
		s, err := Open(path, testKey(1), Options{})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("page %d damaged: Open: %v, want ErrCorrupt", page, err)
			}
			assertCorrupt(t, path) // not ErrLocked: the failed Open let go of the file
			continue
		}
		readEverything(t, s, page)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func readEverything(t *testing.T, s *Store, page int) {
	t.Helper()
	keys, err := s.Keys("cases")
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("page %d damaged: Keys: %v", page, err)
		}
		return
	}
	for _, k := range keys {
		if _, _, err := s.Get("cases", k); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("page %d damaged: Get(%s): %v", page, k, err)
		}
	}
}

func TestDamagedValueFailsAlone(t *testing.T) {
	path, raw := filledStore(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	err = db.View(func(tx *bolt.Tx) error {
		sealed = bytes.Clone(tx.Bucket([]byte("cases")).Get([]byte("CAS-00020")))
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(raw, sealed)
	if at < 0 {
		t.Fatal("sealed value not found in the file")
	}
	raw[at+len(sealed)/2] ^= 0x01
	writeFile(t, path, raw)

	s := openAt(t, path, testKey(1)) // page structure is intact, so Open succeeds
	if _, _, err := s.Get("cases", "CAS-00020"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Get of a value with one flipped bit: %v, want ErrCorrupt", err)
	}
	if got := mustGet(t, s, "cases", "CAS-00021"); !bytes.Equal([]byte(got), filledValue(21)) {
		t.Errorf("neighbouring value has %d bytes", len(got))
	}
}

func TestEmptyFileBecomesAStore(t *testing.T) {
	path := tempPath(t)
	writeFile(t, path, nil)
	s := openAt(t, path, testKey(1))
	mustPut(t, s, "cases", "k", "v")
}

func TestForeignBoltFileIsNotAStore(t *testing.T) {
	path := tempPath(t)
	if err := os.MkdirAll(parentDir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("other-app"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	assertCorrupt(t, path)
}

func TestBrokenStoreRefusesWork(t *testing.T) {
	s := openAt(t, tempPath(t), testKey(1))
	err := s.do(func() error { panic("simulated bbolt assertion") })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("panic inside an operation: %v, want ErrCorrupt", err)
	}
	if err := s.Put("cases", "k", nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Put after a panic: %v, want ErrCorrupt", err)
	}
}

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(parentDir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
}
