package rescue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Retry policy of read methods.
const (
	busyRetries       = 3           // extra attempts after HTTP 429
	transportRetries  = 1           // extra attempts after a transport failure
	defaultRetryAfter = time.Second // the wait after a 429 that names none
)

// retryPolicy says whether a method may be sent again after a failure.
type retryPolicy bool

const (
	sendOnce  retryPolicy = false // requestPINCode and the authcode requests: the caller decides
	retryRead retryPolicy = true  // read methods and the report settings
)

// call sends one API method with the policy of its kind, and returns the reply's payload (the text
// after the OK token), or the *Error its status token stands for.
func (c *Client) call(ctx context.Context, method string, form url.Values, policy retryPolicy) (string, error) {
	busy, failures := 0, 0
	for {
		body, err := c.post(ctx, method, form)
		if err == nil {
			return parseReply(method, body)
		}
		if policy == sendOnce || ctx.Err() != nil {
			return "", err
		}
		var he *HTTPError
		switch {
		case errors.As(err, &he) && he.Status == http.StatusTooManyRequests && busy < busyRetries:
			busy++
			d := he.RetryAfter
			if d <= 0 {
				d = defaultRetryAfter
			}
			d = min(d, c.opts.MaxWait)
			if c.opts.OnWait != nil {
				c.opts.OnWait(method, d)
			}
			if serr := c.opts.Sleep(ctx, d); serr != nil {
				return "", fmt.Errorf("rescue: %s: waiting to retry: %w", method, serr)
			}
		case errors.Is(err, ErrUnreachable) && failures < transportRetries:
			failures++
		default:
			return "", err
		}
	}
}

// post sends the form to <endpoint>/<method>.aspx once and returns the body of a 200 reply.
func (c *Client) post(ctx context.Context, method string, form url.Values) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("rescue: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/"+method+".aspx",
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("rescue: %s: %w", method, stripURL(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/plain")
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { wrote.Store(info.Err == nil) },
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))

	resp, err := c.http.Do(req)
	if err != nil {
		return "", c.transportError(ctx, method, err, wrote.Load())
	}
	defer closeBody(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", c.statusError(method, resp)
	}
	body, err := c.readBody(method, resp.Body)
	switch {
	case errors.Is(err, ErrMalformed):
		return "", err
	case err != nil:
		return "", c.transportError(ctx, method, err, true)
	}
	return body, nil
}

// transportError classifies a failure to get a reply. The caller's context ending is reported as its
// own error rather than as ErrUnreachable: the service was not shown to be unreachable.
func (c *Client) transportError(ctx context.Context, method string, err error, wrote bool) error {
	var out error
	if cerr := ctx.Err(); cerr != nil {
		out = fmt.Errorf("rescue: %s: %w", method, cerr)
	} else {
		out = fmt.Errorf("%w: %s: %w", ErrUnreachable, method, stripURL(err))
	}
	if wrote {
		return uncertain{out}
	}
	return out
}

// statusError turns a reply other than 200 into an *HTTPError. A 5xx may come after the service
// applied the request (a proxy timing out in front of it); a 429 or a 4xx means it did not.
func (c *Client) statusError(method string, resp *http.Response) error {
	e := &HTTPError{Method: method, Status: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
	}
	if resp.StatusCode >= 500 {
		return uncertain{e}
	}
	return e
}

// readBody reads at most MaxBody bytes. A body cut short by the network is a transport error; one
// that is too large, or not text, is ErrMalformed.
func (c *Client) readBody(method string, r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, c.opts.MaxBody+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > c.opts.MaxBody {
		return "", malformed(method, fmt.Sprintf("the reply is larger than %d bytes", c.opts.MaxBody))
	}
	return string(b), nil
}

// stripURL drops the *url.Error wrapper, whose text repeats the whole URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; zero when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	const limit = 24 * time.Hour // far beyond any MaxWait, and no overflow
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		return time.Duration(min(secs, uint64(limit/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), limit)
	}
	return 0
}

// closeBody drains a little of what is left, so the connection can be reused, then closes.
func closeBody(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 4<<10)
	_ = b.Close()
}
