package dynamics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxAttempts bounds the tries of a GET that meets server errors, timeouts or dropped connections.
const maxAttempts = 4

// backoffBase is the first backoff delay before jitter; it doubles with each retry.
const backoffBase = time.Second

// request is one Web API call, sent again as the retry policy says.
type request struct {
	method string
	url    string // absolute
	body   []byte // JSON, or nil
	prefer string // Prefer header, or ""
	// ifMatch is the If-Match header, or "": "*" turns a PATCH into an update that never creates.
	ifMatch string
	// strong sends Consistency: Strong, so that metadata is read past the service's cache.
	strong bool
	// repeatable marks a write that leaves the same state however often it is applied (a PATCH of
	// fixed values to a keyed record, an action that refuses its own repeat), so it may be sent
	// again after a failure whose outcome is unknown, like a GET.
	repeatable bool
	// read decodes a 2xx reply. It may be called again on a retry and must start afresh each time.
	read func(resp *http.Response, body io.Reader) error
}

// name is the resource for messages: the path under the API root, without the query.
func (r *request) name() string {
	u, err := url.Parse(r.url)
	if err != nil {
		return "request"
	}
	if i := strings.Index(u.Path, APIPath); i >= 0 {
		return u.Path[i+len(APIPath):]
	}
	return u.Path
}

// idempotent reports whether the request may be sent again after a failure that left its fate unknown.
func (r *request) idempotent() bool {
	return r.repeatable || r.method == http.MethodGet || r.method == http.MethodHead
}

// outcome is what the retry loop does after one attempt.
type outcome int

const (
	finished     outcome = iota // success, or an error no retry can fix
	unauthorized                // 401: refresh the token once
	throttled                   // 429: wait Retry-After
	transient                   // 5xx, timeout, dropped connection: back off, if the request allows
)

// result is the outcome of one attempt.
type result struct {
	outcome    outcome
	retryAfter time.Duration // from Retry-After; negative when absent or unreadable
	err        error
}

// do sends the request with a token, refreshing it once after a 401, and retries as the package
// comment says.
func (c *Client) do(ctx context.Context, r *request) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	token, err := c.tokens.Token(ctx)
	if err != nil {
		return tokenError(err)
	}
	refreshed := false
	busy, failures := 0, 0
	for {
		res := c.attempt(ctx, r, token)
		var wait Wait
		switch res.outcome {
		case finished:
			return res.err
		case unauthorized:
			if refreshed {
				return fmt.Errorf("%w: %w", ErrSignInRequired, res.err)
			}
			if token, err = c.tokens.Refresh(ctx); err != nil {
				return tokenError(err)
			}
			refreshed = true
			continue
		case throttled:
			if busy++; busy > c.opts.BusyRetries {
				return fmt.Errorf("%w (tried %d times)", res.err, busy)
			}
			wait = Wait{Reason: WaitBusy, Delay: c.delay(res.retryAfter, busy), Attempt: busy}
		case transient:
			if failures++; !r.idempotent() {
				return res.err
			}
			if failures >= maxAttempts {
				return fmt.Errorf("%w (tried %d times)", res.err, failures)
			}
			wait = Wait{Reason: WaitRetry, Delay: c.delay(res.retryAfter, failures), Attempt: failures}
		}
		if c.opts.OnWait != nil {
			c.opts.OnWait(wait)
		}
		if err := c.opts.Sleep(ctx, wait.Delay); err != nil {
			return err
		}
	}
}

// tokenError keeps the token source's error, which may wrap ErrSignInRequired, and says where it came from.
func tokenError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("dynamics: getting a token: %w", err)
}

// delay is the wait before retry n: Retry-After when the server gave one, else exponential backoff with
// jitter; never more than MaxWait.
func (c *Client) delay(retryAfter time.Duration, n int) time.Duration {
	if retryAfter >= 0 {
		return min(retryAfter, c.opts.MaxWait)
	}
	d := min(backoffBase<<min(n-1, 16), c.opts.MaxWait)
	// Half fixed, half random, so that clients that failed together do not come back together.
	return d/2 + rand.N(d/2+1)
}

// attempt sends the request once and classifies what happened.
func (c *Client) attempt(ctx context.Context, r *request, token string) result {
	req, err := c.newHTTPRequest(ctx, r, token)
	if err != nil {
		return result{outcome: finished, err: fmt.Errorf("dynamics: %s %s: %w", r.method, r.name(), err)}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportFailure(ctx, r, err)
	}
	defer closeBody(resp.Body)
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return c.readSuccess(ctx, r, resp)
	case code == http.StatusUnauthorized:
		return result{outcome: unauthorized, err: readError(resp, token)}
	case code == http.StatusTooManyRequests:
		return result{outcome: throttled, retryAfter: c.retryAfter(resp), err: readError(resp, token)}
	case code == http.StatusRequestTimeout || code == http.StatusBadGateway ||
		code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout ||
		code == http.StatusInternalServerError:
		return result{outcome: transient, retryAfter: c.retryAfter(resp), err: readError(resp, token)}
	default:
		return result{outcome: finished, err: readError(resp, token)}
	}
}

func (c *Client) newHTTPRequest(ctx context.Context, r *request, token string) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, err
	}
	h := req.Header
	h["Accept"] = []string{"application/json"}
	h["OData-MaxVersion"] = []string{"4.0"}
	h["OData-Version"] = []string{"4.0"}
	h["If-None-Match"] = []string{"null"} // no stale data for collection-valued $expand
	h["Authorization"] = []string{"Bearer " + token}
	if r.body != nil {
		h["Content-Type"] = []string{"application/json"}
	}
	if r.prefer != "" {
		h["Prefer"] = []string{r.prefer}
	}
	if r.ifMatch != "" {
		h["If-Match"] = []string{r.ifMatch}
	}
	if r.strong {
		h["Consistency"] = []string{"Strong"}
	}
	return req, nil
}

// readSuccess hands a 2xx body to the request's reader, through the size limit, and tells a body cut
// short by the network (worth a retry) from one that arrived whole but does not decode (not worth one).
func (c *Client) readSuccess(ctx context.Context, r *request, resp *http.Response) result {
	if r.read == nil {
		return result{outcome: finished}
	}
	if resp.ContentLength > c.opts.MaxBody {
		return result{outcome: finished, err: c.tooLarge()}
	}
	body := &limitedBody{r: resp.Body, left: c.opts.MaxBody}
	err := r.read(resp, body)
	switch {
	case err == nil:
		return result{outcome: finished}
	case ctx.Err() != nil:
		return result{outcome: finished, err: ctx.Err()}
	case body.tooLarge:
		return result{outcome: finished, err: c.tooLarge()}
	case body.err != nil:
		return c.transportFailure(ctx, r, body.err)
	}
	return result{outcome: finished, err: err}
}

func (c *Client) tooLarge() error {
	return fmt.Errorf("%w: more than %s", ErrTooLarge, byteSize(c.opts.MaxBody))
}

// transportFailure classifies an error from the network.
func (c *Client) transportFailure(ctx context.Context, r *request, err error) result {
	if ctx.Err() != nil {
		return result{outcome: finished, err: ctx.Err()}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the whole URL
	}
	err = fmt.Errorf("dynamics: %s %s: %w", r.method, r.name(), err)
	if isTransient(err) {
		return result{outcome: transient, retryAfter: -1, err: err}
	}
	return result{outcome: finished, err: err}
}

// isTransient reports a network failure that another attempt may well not meet.
func isTransient(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded): // the HTTP client's own timeout
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	// HTTP/2 stream resets and GOAWAY have no exported error types.
	msg := err.Error()
	return strings.Contains(msg, "stream error:") || strings.Contains(msg, "server sent GOAWAY")
}

// retryAfter reads Retry-After as seconds or an HTTP date; negative when absent or unreadable.
func (c *Client) retryAfter(resp *http.Response) time.Duration {
	return parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	const limit = 24 * time.Hour // far beyond any MaxWait, and no overflow
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		return time.Duration(min(secs, uint64(limit/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), limit)
	}
	return -1
}

// closeBody drains a little of what is left, so the connection can be reused, then closes.
func closeBody(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 4<<10)
	_ = b.Close()
}

// limitedBody passes at most left bytes through and remembers why reading stopped: the limit, or a
// failure of the network (anything but io.EOF).
type limitedBody struct {
	r        io.Reader
	left     int64
	tooLarge bool
	err      error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.tooLarge {
		return 0, ErrTooLarge
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.left < math.MaxInt64 && int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte past the limit shows that the body goes on
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		b.tooLarge = true
		return 0, ErrTooLarge
	}
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// byteSize writes a size for a message: 32 MiB, 512 KiB, 100 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
