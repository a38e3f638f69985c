package browser

import (
	"context"
	"sync"
)

// Recorder is an Opener for tests: it records the URLs it is asked to open instead of opening
// them. The zero value is ready to use and it is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	urls    []string
	err     error
	changed chan struct{} // closed and replaced whenever a URL is recorded
}

// Open records rawURL and returns the error set with FailWith, if any. It has the Opener shape:
// pass r.Open where an Opener is wanted.
func (r *Recorder) Open(rawURL string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.urls = append(r.urls, rawURL)
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return r.err
}

// FailWith makes later calls to Open return err (nil to succeed again), as a machine without a
// browser would. The URL is still recorded.
func (r *Recorder) FailWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// URLs returns the URLs recorded so far, oldest first.
func (r *Recorder) URLs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.urls...)
}

// Last returns the most recent URL, or "" if none was recorded.
func (r *Recorder) Last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.urls) == 0 {
		return ""
	}
	return r.urls[len(r.urls)-1]
}

// Wait returns the recorded URLs once there are at least n of them, or ctx's error. It lets a
// test wait for a URL opened by another goroutine without sleeping.
func (r *Recorder) Wait(ctx context.Context, n int) ([]string, error) {
	for {
		r.mu.Lock()
		if len(r.urls) >= n {
			urls := append([]string(nil), r.urls...)
			r.mu.Unlock()
			return urls, nil
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
