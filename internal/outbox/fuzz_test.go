package outbox

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are stored values: a valid record, and damaged, truncated and hostile variants.
var fuzzSeeds = []string{
	`{"v":1,"seq":3,"rev":1,"kind":"upsert-session","group":"session/7","payload":{"summary":"VPN"},"attempts":2,"next_at":"2026-03-02T09:01:00Z","last_error":"503","created":"2026-03-02T09:00:00Z"}`,
	`{"v":1,"seq":3,"rev":1,"kind":"note","payload":null,"attempts":0,"next_at":"0001-01-01T00:00:00Z","created":"0001-01-01T00:00:00Z","parked":true}`,
	`{"v":1,"seq":3,"kind":"note","payload":"x","attempts":-1}`,
	`{"v":2,"seq":3,"kind":"note","payload":"x"}`,
	`{"v":1,"seq":0,"kind":"note","payload":"x"}`,
	`{"v":1,"seq":3,"kind":"","payload":"x"}`,
	`{"v":1,"seq":3,"kind":"note"}`,
	`{"v":1,"seq":3,"kind":"note","payload":"x","next_at":"yesterday"}`,
	`{"v":1,"seq":18446744073709551615,"kind":"note","payload":"x","attempts":9223372036854775807}`,
	`{"v":1,"seq":3,"kind":"note","payload":"x","last_error":"line\nline\u0000` + strings.Repeat("é", 400) + `"}`,
	`{"v":"1"}`,
	`{"v":1,"seq":3,"kind":"note","payload":"SECRET`,
	`[SECRET]`,
	`null`,
	``,
	"\x00\xff",
}

// FuzzDecodeRecord: any stored bytes decode to a valid record or an error, never a panic; a
// record that decodes survives encoding again, and an error never quotes the value.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(data)
		if err != nil {
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("error quotes the stored value: %v", err)
			}
			return
		}
		if r.V != recordVersion || r.Kind == "" || r.Seq == 0 || r.Attempts < 0 || !json.Valid(r.Payload) {
			t.Fatalf("accepted an invalid record: %+v", r)
		}
		if utf8.RuneCountInString(r.LastError) > maxLastError || strings.ContainsAny(r.LastError, "\n\r") {
			t.Fatalf("LastError not one clipped line: %q", r.LastError)
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", r, err)
		}
		back, err := decodeRecord(again)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !sameJob(back.job("k"), r.job("k")) || back.Seq != r.Seq || back.Rev != r.Rev {
			t.Fatalf("round trip changed the record: %+v -> %+v", r, back)
		}
	})
}

// FuzzBucketValue: whatever value sits in the bucket beside a valid job, listing, counting
// and a pass never panic, the valid job runs, and the value is either a job or reported as
// unreadable.
func FuzzBucketValue(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, st, _ := newTest(t, Options{})
		mustEnqueue(t, o, job("good", ""))
		st.putRaw(testBucket, "fuzzed", data)

		_, decodeErr := decodeRecord(data)
		wantBad := decodeErr != nil
		var wantUnreadable []string
		if wantBad {
			wantUnreadable = []string{"fuzzed"}
		}
		bad, err := o.Unreadable()
		if err != nil || !slices.Equal(bad, wantUnreadable) {
			t.Fatalf("Unreadable = %v, %v; want %v", bad, err, wantUnreadable)
		}
		c := mustCounts(t, o)
		if wantBad && (c.Unreadable != 1 || c.Pending() != 1) || !wantBad && (c.Unreadable != 0 || c.Pending() != 2) {
			t.Fatalf("counts = %+v", c)
		}
		ran := map[string]bool{}
		handler := func(_ context.Context, j Job) error { ran[j.Key] = true; return nil }
		handlers := map[string]Handler{"write": handler}
		if _, err := o.RunDue(context.Background(), handlers); err != nil {
			t.Fatalf("RunDue: %v", err)
		}
		if !ran["good"] {
			t.Fatal("the valid job did not run")
		}
		if _, err := o.List(); err != nil {
			t.Fatal(err)
		}
	})
}
