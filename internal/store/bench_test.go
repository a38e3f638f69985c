package store

import "testing"

// The app's largest value: a snapshot of 5,000 open cases of about 400 bytes each (about
// 2 MB of JSON), written after each refresh and read when the window opens.
const benchCases = 5000

func BenchmarkPutJSONSnapshot(b *testing.B) {
	s := openBench(b)
	snap := makeSnapshot(benchCases)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.PutJSON("cache", "my-open-cases", snap); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetJSONSnapshot(b *testing.B) {
	s := openBench(b)
	if err := s.PutJSON("cache", "my-open-cases", makeSnapshot(benchCases)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var snap snapshot
		found, err := s.GetJSON("cache", "my-open-cases", &snap)
		if err != nil || !found || len(snap.Cases) != benchCases {
			b.Fatalf("GetJSON = %d cases, found %v, err %v", len(snap.Cases), found, err)
		}
	}
}

func openBench(b *testing.B) *Store {
	b.Helper()
	s, err := Open(b.TempDir()+"/store.db", testKey(1), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}
