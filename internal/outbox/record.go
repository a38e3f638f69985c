package outbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// recordVersion is the stored format of a job. A value with another version is unreadable:
// it is kept but never run, so an older app cannot misread a newer app's jobs.
const recordVersion = 1

// maxLastError is the length of LastError, in characters.
const maxLastError = 300

// record is a job as stored: the Job fields plus its place in the order (Seq) and a revision
// that changes each time the job is replaced, so that a handler's success deletes only the
// payload it ran.
type record struct {
	V         int             `json:"v"`
	Seq       uint64          `json:"seq"`
	Rev       uint64          `json:"rev"`
	Kind      string          `json:"kind"`
	Group     string          `json:"group,omitempty"`
	Payload   json.RawMessage `json:"payload"`
	Attempts  int             `json:"attempts"`
	NextAt    time.Time       `json:"next_at"`
	LastError string          `json:"last_error,omitempty"`
	Parked    bool            `json:"parked,omitempty"`
	Created   time.Time       `json:"created"`
}

// errBadRecord describes a value that is not a job record. Its messages never quote the
// value, which may hold customer data.
var errBadRecord = errors.New("outbox: not a job record")

// decodeRecord reads a stored value. It accepts only a JSON object of the current version
// with a kind, a sequence number, a JSON payload and a non-negative attempt count.
func decodeRecord(data []byte) (record, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return record{}, fmt.Errorf("%w: %s", errBadRecord, jsonProblem(err))
	}
	switch {
	case r.V != recordVersion:
		return record{}, fmt.Errorf("%w: version %d, want %d", errBadRecord, r.V, recordVersion)
	case r.Kind == "":
		return record{}, fmt.Errorf("%w: no kind", errBadRecord)
	case r.Seq == 0:
		return record{}, fmt.Errorf("%w: no sequence number", errBadRecord)
	case r.Attempts < 0:
		return record{}, fmt.Errorf("%w: negative attempt count", errBadRecord)
	case len(r.Payload) == 0:
		return record{}, fmt.Errorf("%w: no payload", errBadRecord)
	}
	r.LastError = oneLine(r.LastError)
	return r, nil
}

// jsonProblem names a decoding failure by its kind and offset only: encoding/json's own
// messages quote a character of the input.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	default:
		return "malformed JSON"
	}
}

// job is the public view of a stored record.
func (r record) job(key string) Job {
	return Job{
		Key:       key,
		Kind:      r.Kind,
		Group:     r.Group,
		Payload:   bytes.Clone(r.Payload),
		Attempts:  r.Attempts,
		NextAt:    r.NextAt,
		LastError: r.LastError,
		Parked:    r.Parked,
		Created:   r.Created,
	}
}

// oneLine makes err's text fit the window and the `sync` output: valid UTF-8, control
// characters (new lines among them) turned into spaces, at most maxLastError characters.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxLastError {
		return s
	}
	return string([]rune(s)[:maxLastError-1]) + "…"
}

// Backoff defaults.
const (
	firstBackoff = 5 * time.Second
	maxBackoff   = 15 * time.Minute
)

// DefaultBackoff is the wait after the attempt-th failure in a row: 5 s doubled at each
// failure, capped at 15 min, less up to a fifth at random.
func DefaultBackoff(attempt int) time.Duration {
	base := maxBackoff
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 { // beyond that the shift would pass the cap anyway
		base = min(firstBackoff<<(attempt-1), maxBackoff)
	}
	return base - rand.N(base/5)
}
