package dynamics

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

const benchCases = 5000

// BenchmarkMyOpenCases lists 5,000 open cases, 100 a page, from the in-process fake over TLS: the
// client's time plus the fake's and the loopback's.
func BenchmarkMyOpenCases(b *testing.B) {
	w := generatedWorld(testNow, "jordan", benchCases, true)
	fx := newFixture(b, w)
	userID := technician(b, w, "jordan").SystemUserID
	c, _ := fx.newClient(b, &tokens{token: "tok-jordan"}, Options{})
	ctx := context.Background()

	list := func() []Case {
		cases, err := c.MyOpenCases(ctx, userID)
		if err != nil || len(cases) != benchCases {
			b.Fatalf("%d cases, %v", len(cases), err)
		}
		return cases
	}
	measure(b, list)
}

// BenchmarkDecodeCasePages decodes the same 50 pages from memory: the client's own share of the work.
func BenchmarkDecodeCasePages(b *testing.B) {
	w := generatedWorld(testNow, "jordan", benchCases, true)
	fx := newFixture(b, w)
	c, _ := fx.newClient(b, &tokens{token: "tok-jordan"}, Options{})
	pages := recordPages(b, fx, c, "tok-jordan", technician(b, w, "jordan").SystemUserID)
	fx.release()
	if len(pages) != benchCases/DefaultPageSize {
		b.Fatalf("%d pages recorded", len(pages))
	}
	var size int
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size))

	decode := func() []Case {
		var cases []Case
		labels := labelSet{}
		for _, p := range pages {
			var err error
			if cases, _, err = decodeCasePage(bytes.NewReader(p), cases, labels); err != nil {
				b.Fatal(err)
			}
		}
		if len(cases) != benchCases {
			b.Fatalf("%d cases", len(cases))
		}
		return cases
	}
	measure(b, decode)
}

// measure runs f in b.Loop and reports, besides ns/op, B/op and allocs/op: the peak of the live heap
// during the loop and how much of the heap one result keeps.
func measure(b *testing.B, f func() []Case) {
	b.ReportAllocs()
	runtime.GC()
	base := heapObjects()
	peak := sampleHeapPeak()
	b.ResetTimer()
	for b.Loop() {
		f()
	}
	b.StopTimer()
	top := peak()
	b.ReportMetric(float64(top)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(top-min(base, top))/(1<<20), "peak-over-idle-MB")

	runtime.GC()
	before := heapObjects()
	kept := f()
	runtime.GC()
	after := heapObjects()
	runtime.KeepAlive(kept)
	runtime.KeepAlive(f) // and what f holds, such as the recorded pages
	b.ReportMetric(float64(after-min(before, after))/(1<<20), "result-MB")
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeapPeak samples the live heap every 100 µs until the returned function is called, which
// gives the largest value seen.
func sampleHeapPeak() func() uint64 {
	var (
		wg   sync.WaitGroup
		peak uint64
		stop = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			peak = max(peak, heapObjects())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		return peak
	}
}

// recordPages fetches every page of the user's open cases as the client would ask for them.
func recordPages(b *testing.B, fx *fixture, c *Client, token, userID string) [][]byte {
	var pages [][]byte
	for next := c.openCasesURL(userID); next != ""; {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Prefer", c.casesPrefer())
		resp, err := fx.srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("page %d: %d %v", len(pages)+1, resp.StatusCode, err)
		}
		pages = append(pages, body)
		if _, next, err = decodeCasePage(bytes.NewReader(body), nil, labelSet{}); err != nil {
			b.Fatal(err)
		}
	}
	return pages
}
