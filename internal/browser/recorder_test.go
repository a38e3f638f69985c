package browser

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

var _ Opener = (&Recorder{}).Open

func TestRecorderRecordsInOrder(t *testing.T) {
	var r Recorder
	if r.Last() != "" || len(r.URLs()) != 0 {
		t.Fatal("a new Recorder is not empty")
	}
	var open Opener = r.Open
	for _, u := range []string{"https://a.example/", "https://b.example/"} {
		if err := open(u); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.URLs(); !slices.Equal(got, []string{"https://a.example/", "https://b.example/"}) {
		t.Errorf("URLs() = %v", got)
	}
	if r.Last() != "https://b.example/" {
		t.Errorf("Last() = %q", r.Last())
	}
	urls := r.URLs()
	urls[0] = "changed"
	if r.URLs()[0] != "https://a.example/" {
		t.Error("URLs() exposes the Recorder's own slice")
	}
}

func TestRecorderFailWith(t *testing.T) {
	var r Recorder
	noBrowser := errors.New("no browser")
	r.FailWith(noBrowser)
	if err := r.Open("https://a.example/"); !errors.Is(err, noBrowser) {
		t.Errorf("Open = %v, want %v", err, noBrowser)
	}
	r.FailWith(nil)
	if err := r.Open("https://b.example/"); err != nil {
		t.Errorf("Open after FailWith(nil) = %v", err)
	}
	if len(r.URLs()) != 2 {
		t.Errorf("a failed Open was not recorded: %v", r.URLs())
	}
}

func TestRecorderConcurrentUseAndWait(t *testing.T) {
	var r Recorder
	const n = 20
	waited := make(chan []string, 1)
	go func() {
		urls, err := r.Wait(context.Background(), n)
		if err != nil {
			t.Error(err)
		}
		waited <- urls
	}()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _ = r.Open(fmt.Sprintf("https://example.com/%d", i)) })
	}
	wg.Wait()
	if urls := <-waited; len(urls) != n {
		t.Errorf("Wait returned %d URLs, want %d", len(urls), n)
	}
}

func TestRecorderWaitHonoursContext(t *testing.T) {
	var r Recorder
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Wait(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
}
