// Package fault injects the failures a client meets on a real network into the sandbox's fakes:
// throttling (429 with Retry-After), server errors, slow answers, connections dropped mid-request, and
// bodies that do not parse. Each fake is wrapped once; rules are added and cleared at run time through
// the Go API or the sandbox's control surface, and each rule fires a given number of times.
//
// The error bodies follow the service they stand in front of: Dataverse answers with its OData error
// object (0x80072322 for throttling, as api-limits.md lists), Entra ID with its OAuth error object, and
// Rescue, whose 429 body is not documented, with a short text/plain line.
package fault

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what a rule does to a request.
type Kind string

// The kinds of fault.
const (
	TooManyRequests Kind = "429"       // answer 429 with Retry-After
	ServerError     Kind = "500"       // answer 500 with the service's error body
	Unavailable     Kind = "503"       // answer 503 with the service's error body
	Delay           Kind = "delay"     // wait, then serve normally (or give up when the client does)
	Drop            Kind = "drop"      // close the connection without answering
	Malformed       Kind = "malformed" // answer 200 with a truncated body of the service's content type
	// DropAfter lets the fake apply the request, then closes the connection without answering: the
	// write happened and the client never learns it, as when a proxy dies on the way back.
	DropAfter Kind = "drop-after"
	// StallAfter lets the fake apply the request, then holds the reply for Delay (default 2 s) before
	// sending it, so that a client with a shorter timeout gives up on a request that took effect.
	StallAfter Kind = "stall-after"
)

// Services, as the sandbox names them when it wraps a fake.
const (
	Entra     = "entra"
	Dataverse = "dataverse"
	Rescue    = "rescue"
)

// Rule selects requests and says what to do to them.
type Rule struct {
	Service      string        `json:"service,omitempty"`       // entra, dataverse, rescue; empty matches all
	PathContains string        `json:"path_contains,omitempty"` // case-insensitive substring of the URL path
	Kind         Kind          `json:"kind"`
	Count        int           `json:"count,omitempty"`       // requests it applies to; 0 means 1, -1 means until cleared
	RetryAfter   int           `json:"retry_after,omitempty"` // seconds, for 429 (default 1)
	Delay        time.Duration `json:"delay,omitempty"`       // for Delay (default 2 s)
}

// Validate reports a rule that cannot be applied.
func (r Rule) Validate() error {
	switch r.Kind {
	case TooManyRequests, ServerError, Unavailable, Delay, Drop, Malformed, DropAfter, StallAfter:
	default:
		return fmt.Errorf("fault: unknown kind %q", r.Kind)
	}
	switch r.Service {
	case "", Entra, Dataverse, Rescue:
	default:
		return fmt.Errorf("fault: unknown service %q", r.Service)
	}
	if r.Count < -1 || r.RetryAfter < 0 || r.Delay < 0 {
		return fmt.Errorf("fault: negative count, retry_after or delay")
	}
	return nil
}

// Injector holds the active rules. The zero value has none and is ready to use.
type Injector struct {
	mu    sync.Mutex
	rules []*Rule
	fired map[Kind]int
}

// Add makes a rule active.
func (in *Injector) Add(r Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Count == 0 {
		r.Count = 1
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules = append(in.rules, &r)
	return nil
}

// Clear removes every rule.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules = nil
}

// Rules returns the active rules with their remaining counts.
func (in *Injector) Rules() []Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Rule, 0, len(in.rules))
	for _, r := range in.rules {
		out = append(out, *r)
	}
	return out
}

// Fired reports how many requests each kind of fault has hit so far.
func (in *Injector) Fired(k Kind) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.fired[k]
}

// take finds the first rule matching the request and uses up one of its counts.
func (in *Injector) take(service string, r *http.Request) (Rule, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	path := strings.ToLower(r.URL.Path)
	for i, rule := range in.rules {
		if rule.Service != "" && rule.Service != service {
			continue
		}
		if rule.PathContains != "" && !strings.Contains(path, strings.ToLower(rule.PathContains)) {
			continue
		}
		if rule.Count > 0 {
			rule.Count--
			if rule.Count == 0 {
				in.rules = append(in.rules[:i], in.rules[i+1:]...)
			}
		}
		if in.fired == nil {
			in.fired = map[Kind]int{}
		}
		in.fired[rule.Kind]++
		return *rule, true
	}
	return Rule{}, false
}

// Wrap puts the injector in front of a fake. Requests under /_sandbox/ are never faulted, so that a test
// can always clear what it set.
func (in *Injector) Wrap(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			next.ServeHTTP(w, r)
			return
		}
		rule, ok := in.take(service, r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		apply(rule, service, w, r, next)
	})
}

func apply(rule Rule, service string, w http.ResponseWriter, r *http.Request, next http.Handler) {
	switch rule.Kind {
	case TooManyRequests:
		retry := rule.RetryAfter
		if retry == 0 {
			retry = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeError(w, service, http.StatusTooManyRequests)
	case ServerError:
		writeError(w, service, http.StatusInternalServerError)
	case Unavailable:
		writeError(w, service, http.StatusServiceUnavailable)
	case Delay:
		if wait(r, rule.Delay) {
			next.ServeHTTP(w, r)
		}
	case Drop:
		drop(w)
	case Malformed:
		writeMalformed(w, service)
	case DropAfter:
		next.ServeHTTP(discard{}, r)
		drop(w)
	case StallAfter:
		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		if !wait(r, rule.Delay) {
			return
		}
		rec.replay(w)
	}
}

// wait holds the request for d (default 2 s); false when the client gave up first.
func wait(r *http.Request, d time.Duration) bool {
	if d == 0 {
		d = 2 * time.Second
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// discard is a ResponseWriter that keeps nothing: the fake's answer to a request whose reply is lost.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// recorder keeps the fake's answer so that it can be sent later.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (rc *recorder) Header() http.Header { return rc.header }
func (rc *recorder) WriteHeader(status int) {
	if rc.status == 0 {
		rc.status = status
	}
}

func (rc *recorder) Write(b []byte) (int, error) {
	rc.WriteHeader(http.StatusOK)
	rc.body = append(rc.body, b...)
	return len(b), nil
}

func (rc *recorder) replay(w http.ResponseWriter) {
	for k, v := range rc.header {
		w.Header()[k] = v
	}
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	w.WriteHeader(rc.status)
	_, _ = w.Write(rc.body)
}

// drop closes the connection without a response; the client sees EOF or a reset.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 cannot be hijacked: aborting the handler resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// errorBodies are what each service says with a given status.
func writeError(w http.ResponseWriter, service string, status int) {
	switch service {
	case Dataverse:
		code, msg := "0x80040216", "An unexpected error occurred."
		switch status {
		case http.StatusTooManyRequests:
			code, msg = "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
		case http.StatusServiceUnavailable:
			code, msg = "0x80040265", "The service is temporarily unavailable."
		}
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
	case Entra:
		desc := "AADSTS50196: The server terminated an operation because it encountered a client request loop."
		if status != http.StatusTooManyRequests {
			desc = "AADSTS90033: A transient error has occurred. Please try again."
		}
		writeJSON(w, status, map[string]any{
			"error": "temporarily_unavailable", "error_description": desc,
			"error_codes": []int{90033}, "timestamp": time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		})
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, http.StatusText(status))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeMalformed answers 200 with the start of a plausible body, cut short.
func writeMalformed(w http.ResponseWriter, service string) {
	switch service {
	case Dataverse:
		w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
		w.Header().Set("OData-Version", "4.0")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"@odata.context":"$metadata#incidents","value":[{"incidentid":"5b1f`)
	case Entra:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"token_type":"Bearer","scope":"`)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "OK\n\nID|Status|Entry ID|Ent\x00\xff")
	}
}
