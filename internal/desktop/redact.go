package desktop

import (
	"iter"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// redactedMark replaces every masked value.
const redactedMark = "[redacted]"

// tokenKeywords precede values that are masked when they look like a credential: a run of at least
// minTokenRun characters from tokenRunChars. "code" also covers OAuth authorization codes.
var tokenKeywords = []string{"authcode", "code", "token", "bearer", "pwd", "password", "passwd", "secret"}

// passwordKeywords precede values masked whatever their length or characters, once a '=' or ':'
// says a value follows, since a password can be short and contain anything.
var passwordKeywords = []string{"pwd", "password", "passwd", "secret"}

const (
	minTokenRun   = 20
	tokenRunChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~+/="
	// valueEnd ends an unquoted password value.
	valueEnd = " \t\r\n&,;\"'<>(){}[]"
)

// separators may come between a keyword and its value: blanks, quotes, '=' and ':', a backslash
// (escaped quotes in JSON inside a string) and their URL-encoded forms.
var separators = []string{" ", "\t", "=", ":", "\"", "'", "\\", "%3d", "%22", "%27", "%20", "%3a"}

// jwtPattern matches a JSON Web Token: base64url header (always "eyJ", for '{"'), payload, signature.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// Redact masks what looks like a credential in text: long token-like values after "authcode",
// "code", "token", "Bearer", "pwd", "password" or "secret" (any case), any value after "pwd=",
// "password:" and the like, and JSON Web Tokens. Each masked value becomes "[redacted]".
// It errs towards masking too much: a crash report is read by people, not parsed.
func Redact(text string) string {
	masked := make([]bool, len(text))
	lower := asciiLower(text)
	for _, kw := range tokenKeywords {
		for start := range keywordEnds(lower, kw) {
			markTokenValue(text, lower, start, masked)
		}
	}
	for _, kw := range passwordKeywords {
		for start := range keywordEnds(lower, kw) {
			markPasswordValue(text, lower, start, masked)
		}
	}
	for _, loc := range jwtPattern.FindAllStringIndex(text, -1) {
		mark(masked, loc[0], loc[1])
	}
	return applyMask(text, masked)
}

// keywordEnds yields the index just past each occurrence of kw in lower, overlapping ones included,
// so a keyword inside a value masked by an earlier keyword is still seen.
func keywordEnds(lower, kw string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < len(lower); {
			j := strings.Index(lower[i:], kw)
			if j < 0 || !yield(i+j+len(kw)) {
				return
			}
			i += j + 1
		}
	}
}

// skipSeparators returns where the value starts after the separators at start, and the last
// separator seen ("" when there is none).
func skipSeparators(lower string, start int) (int, string) {
	last := ""
	for i := start; i < len(lower); {
		k := slices.IndexFunc(separators, func(s string) bool { return strings.HasPrefix(lower[i:], s) })
		if k < 0 {
			return i, last
		}
		last = separators[k]
		i += len(last)
	}
	return len(lower), last
}

func markTokenValue(text, lower string, start int, masked []bool) {
	from, last := skipSeparators(lower, start)
	if last == "" {
		return // "tokenizer", "token.go": a word, not a value
	}
	end := from
	for end < len(text) && strings.IndexByte(tokenRunChars, text[end]) >= 0 {
		end++
	}
	if end-from >= minTokenRun {
		mark(masked, from, end)
	}
}

func markPasswordValue(text, lower string, start int, masked []bool) {
	sepEnd, _ := skipSeparators(lower, start)
	seps := lower[start:sepEnd]
	if !strings.ContainsAny(seps, "=:") && !strings.Contains(seps, "%3d") && !strings.Contains(seps, "%3a") {
		return
	}
	ends := valueEnd
	if q := seps[len(seps)-1]; q == '"' || q == '\'' {
		ends = string(q) + "\r\n" // a quoted value runs to its closing quote
	}
	end := sepEnd
	for end < len(text) && strings.IndexByte(ends, text[end]) < 0 {
		end++
	}
	mark(masked, sepEnd, end)
}

func mark(masked []bool, from, to int) {
	for i := from; i < to; i++ {
		masked[i] = true
	}
}

// applyMask replaces each run of masked bytes with one redactedMark.
func applyMask(text string, masked []bool) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if !masked[i] {
			b.WriteByte(text[i])
			continue
		}
		b.WriteString(redactedMark)
		for i+1 < len(text) && masked[i+1] {
			i++
		}
	}
	return b.String()
}

// asciiLower lowers ASCII letters only, so indexes into it are indexes into the original.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// minSecretLen is the shortest known secret Secrets masks: masking two letters everywhere would
// make a report unreadable and hide nothing worth hiding.
const minSecretLen = 4

// Secrets is a set of values the app knows to be secret (the Rescue auth code, the SSO password,
// tokens it holds), added as they become known. Its Redact masks them, as written and URL-encoded,
// before applying the package's Redact. It is safe for concurrent use; the zero value is empty.
type Secrets struct {
	mu     sync.RWMutex
	values []string
}

// Add remembers values; values shorter than four bytes are ignored.
func (s *Secrets) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) >= minSecretLen && !slices.Contains(s.values, v) {
			s.values = append(s.values, v)
		}
	}
	// Longest first, so a secret that contains another is masked whole.
	slices.SortFunc(s.values, func(a, b string) int { return len(b) - len(a) })
}

// Redact masks every known secret in text, then applies Redact.
func (s *Secrets) Redact(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.values {
		text = strings.ReplaceAll(text, v, redactedMark)
		if e := url.QueryEscape(v); e != v {
			text = strings.ReplaceAll(text, e, redactedMark)
		}
	}
	return Redact(text)
}
