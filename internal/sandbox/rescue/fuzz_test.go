package rescue

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func FuzzParseParams(f *testing.F) {
	for _, seed := range []string{
		"", "a=1&b=2", "cfield0=Zo%C3%AB+O%27Connor&tracking0=CAS-01001", "x=%zz%4&y=%u00e9%uD83D",
		"a=1&A=2&a=", "=v&k&&k2=a=b", "%ff%fe=%80", "k=%%%", "K%C3%89Y=1&k%c3%a9y=2",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p := parseParams(raw)
		for k, v := range p {
			if k == "" || !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("%q: key %q value %q", raw, k, v)
			}
			if strings.ToLower(k) != k {
				t.Fatalf("%q: key %q not lower case", raw, k)
			}
		}
		// What was parsed survives a round trip through a standard encoder.
		again := parseParams(mapValues(p).Encode())
		if len(again) != len(p) {
			t.Fatalf("%q: %v became %v", raw, p, again)
		}
		for k, v := range p {
			if again[k] != v {
				t.Fatalf("%q: %s = %q became %q", raw, k, v, again[k])
			}
		}
	})
}

func mapValues(p params) url.Values {
	v := url.Values{}
	for k, s := range p {
		v.Set(k, s)
	}
	return v
}

func FuzzParamRoundTrip(f *testing.F) {
	f.Add("cfield0", "O'Brien & Sons + co = 100%")
	f.Add("Tracking0", "CAS-01001-ABCDEF")
	f.Add("k", "\xff\xfe")
	f.Fuzz(func(t *testing.T, key, value string) {
		if key == "" {
			return
		}
		p := parseParams(url.QueryEscape(key) + "=" + url.QueryEscape(value))
		wantKey := strings.ToLower(strings.ToValidUTF8(key, "\uFFFD"))
		if got := p[wantKey]; got != strings.ToValidUTF8(value, "\uFFFD") || len(p) != 1 {
			t.Fatalf("%q=%q parsed as %v", key, value, p)
		}
	})
}

func FuzzParseInt32(f *testing.F) {
	for _, seed := range []string{"4310021", " -2 ", "+7", "2147483648", "-2147483648", "", "1e3", "٣"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseInt32(s)
		want, err := strconv.ParseInt(strings.Trim(s, " \t\r\n\v\f"), 10, 32)
		if ok != (err == nil) || ok && int64(got) != want {
			t.Fatalf("parseInt32(%q) = %d, %v; strconv says %d, %v", s, got, ok, want, err)
		}
	})
}

func FuzzParseReportDate(f *testing.F) {
	for _, seed := range []string{
		"12/1/2011 8:00:00", "3/14/2025", "2/29/2024 11:59:59 PM", "2/29/2025", "1/1/2025 12:00 AM",
		"13/1/2025", "1/1/2025 24:00:00", " 03/04/2025  07:05 ", "9/9/9999 23:59:59", "1/1/1753",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := parseReportDate(s)
		if !ok {
			return
		}
		// A valid date is a real calendar moment: time.Date must not normalise it.
		tm := c.in(time.UTC)
		if tm.Year() != c.year || int(tm.Month()) != c.month || tm.Day() != c.day ||
			tm.Hour() != c.hour || tm.Minute() != c.min || tm.Second() != c.sec {
			t.Fatalf("%q parsed as %v, which is really %v", s, c, tm)
		}
		again, ok := parseReportDate(c.String())
		if !ok || again.String() != c.String() || again.before(c) || c.before(again) {
			t.Fatalf("%q: %v does not re-parse (%v, %v)", s, c, again, ok)
		}
	})
}

func FuzzParseClock(f *testing.F) {
	for _, seed := range []string{"08:00:00", "8:00", "12:00 AM", "11:59:59 pm", "24:00", "1:2:3", "PM"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, ok := parseClock(s)
		if ok && (sec < 0 || sec >= 24*3600) {
			t.Fatalf("parseClock(%q) = %d", s, sec)
		}
	})
}

func FuzzTruncateUTF16(f *testing.F) {
	f.Add("Zoë O'Connor", 5)
	f.Add("a😀b", 2)
	f.Add("\xff\xfeabc", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<12 {
			return
		}
		got := truncateUTF16(s, n)
		if !strings.HasPrefix(s, got) {
			t.Fatalf("%q is not a prefix of %q", got, s)
		}
		units := len(utf16.Encode([]rune(got)))
		if units > n {
			t.Fatalf("%q has %d units, limit %d", got, units, n)
		}
		if rest := s[len(got):]; rest != "" {
			r, _ := utf8.DecodeRuneInString(rest)
			if units+len(utf16.Encode([]rune{r})) <= n {
				t.Fatalf("%q cut too early at %d units (limit %d)", s, units, n)
			}
		}
	})
}

// tickingClock moves two seconds each time it is read, so rate limits and stages come into play.
type tickingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(2 * time.Second)
	return c.now
}

var knownTokens = map[string]bool{
	tokOK: true, tokError: true, tokInvalid: true, tokNotLoggedIn: true, tokNotTechnician: true,
	tokNoTechConsoleRunning: true, tokOutOfPINCodes: true, tokPollRateExceeded: true,
	tokInvalidSecretAuthCode: true, tokUserIsDeleted: true, tokUserDeletedOrDisabled: true,
	tokInvalidParamCompany: true, tokInvalidParamNode: true, tokInvalidParamSession: true,
	tokInvalidFormat: true, tokInvalidDateRange: true,
}

// FuzzServeHTTP sends arbitrary requests; the literal AUTH in a query or body stands for a live
// authcode, so the fuzzer reaches the authenticated paths.
func FuzzServeHTTP(f *testing.F) {
	f.Add("GET", "/API/requestPINCode.aspx", "authcode=AUTH&cfield0=x&notechconsole=1", "", "")
	f.Add("POST", "/api/getSession_v3.aspx", "", "authcode=AUTH&node=4310022", "application/x-www-form-urlencoded")
	f.Add("POST", "/API/setReportDate_v2.aspx", "", "authcode=AUTH&bdate=3/1/2025&edate=3/31/2025 23:59:59", "application/x-www-form-urlencoded")
	f.Add("GET", "/API/getReport_v2.aspx", "authcode=AUTH&node=-2&nodetype=EXTERNALROOT", "", "")
	f.Add("GET", "/API/getChat.aspx", "authcode=AUTH&session=1093000001", "", "")
	f.Add("GET", "/API/getHierarchy_v2.aspx", "authcode=AUTH&isnode=true&node=4310010&filteroffline=true", "", "")
	f.Add("PUT", "/API/getNote.aspx", "", "", "")
	f.Add("GET", "/API/nothing.aspx", "", "", "")
	f.Add("POST", "/API/requestAuthCode.aspx", "", "email=jordan@contoso-helpdesk.example&pwd=sandbox-jordan", "multipart/form-data")

	clk := &tickingClock{now: t0}
	s := New(world.New(t0), Options{Now: clk.Now, Pace: 5 * time.Second})
	m := authCodeReply.FindStringSubmatch(fuzzCall(s, "POST", "/API/requestAuthCode.aspx", "",
		"email=camille@contoso-helpdesk.example&pwd=sandbox-camille", "application/x-www-form-urlencoded").body)
	if m == nil {
		f.Fatal("no authcode")
	}
	code := m[1]
	f.Fuzz(func(t *testing.T, method, path, query, body, ctype string) {
		query = strings.ReplaceAll(query, "AUTH", code)
		body = strings.ReplaceAll(body, "AUTH", code)
		r := fuzzCall(s, method, path, query, body, ctype)
		switch r.code {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
			return
		case http.StatusOK:
		default:
			t.Fatalf("%s %s: HTTP %d", method, path, r.code)
		}
		if r.contentType != "text/plain; charset=utf-8" || !utf8.ValidString(r.body) {
			t.Fatalf("%s %s: %q %q", method, path, r.contentType, r.body)
		}
		first := strings.FieldsFunc(r.body, func(c rune) bool { return c == ' ' || c == '\n' })
		if len(first) == 0 || !knownTokens[first[0]] {
			t.Fatalf("%s %s?%s: body %q", method, path, query, r.body)
		}
	})
}

type fuzzResult struct {
	code        int
	contentType string
	body        string
}

func fuzzCall(s *Server, method, path, query, body, ctype string) fuzzResult {
	req := &http.Request{
		Method: method,
		URL:    &url.URL{Path: path, RawQuery: query},
		Header: http.Header{},
		Body:   io.NopCloser(strings.NewReader(body)),
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return fuzzResult{rec.Code, rec.Header().Get("Content-Type"), rec.Body.String()}
}

// FuzzReportXML checks that any cell text comes back intact from the XML report, characters XML
// cannot carry aside (they become U+FFFD).
func FuzzReportXML(f *testing.F) {
	f.Add("Customer name:", "O'Brien & <Sons>")
	f.Add("a\r\nb", "\x00\x1f\ufffe")
	f.Add("]]>", "\xff")
	f.Fuzz(func(t *testing.T, a, b string) {
		payload := renderReport(reportSettings{xml: true}, []string{a, b}, [][]string{{b, a}})
		var r xmlReport
		if err := xml.Unmarshal([]byte(payload), &r); err != nil {
			t.Fatalf("%q: %v", payload, err)
		}
		if len(r.Header) != 2 || len(r.Rows) != 1 || len(r.Rows[0].Fields) != 2 {
			t.Fatalf("%q: shape %+v", payload, r)
		}
		got := []xmlField{r.Header[0], r.Header[1], r.Rows[0].Fields[0], r.Rows[0].Fields[1]}
		want := []xmlField{{0, xmlSafe(a)}, {1, xmlSafe(b)}, {0, xmlSafe(b)}, {1, xmlSafe(a)}}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: field %d is %+v, want %+v", payload, i, got[i], want[i])
			}
		}
	})
}

// xmlSafe is what an XML reader gives back for s: invalid bytes and characters outside XML's range
// become U+FFFD, and a lone CR is kept because the writer escapes it.
func xmlSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			b.WriteRune(r)
		} else {
			b.WriteRune(0xFFFD)
		}
	}
	return b.String()
}

// FuzzHierarchy sends arbitrary isnode, node and filteroffline values. Every OK reply must read the
// way C2 reads it, start at the node asked for, and hold no offline technician when filtered.
func FuzzHierarchy(f *testing.F) {
	f.Add("true", "4310010", "true")
	f.Add("True", " 4310021 ", "false")
	f.Add("false", "x", "TRUE")
	f.Add("true", "", "")
	f.Add("true", "-2147483648", "1")
	f.Add("\x00true", "4310001", "true\x00")

	clk := &clock{now: t0}
	s := New(world.New(t0), Options{Now: clk.Now, NoHistory: true})
	m := authCodeReply.FindStringSubmatch(fuzzCall(s, "POST", "/API/requestAuthCode.aspx", "",
		"email=jordan@contoso-helpdesk.example&pwd=sandbox-jordan", "application/x-www-form-urlencoded").body)
	if m == nil {
		f.Fatal("no authcode")
	}
	code := m[1]
	f.Fuzz(func(t *testing.T, isnode, node, filteroffline string) {
		q := url.Values{"authcode": {code}, "isnode": {isnode}, "node": {node}, "filteroffline": {filteroffline}}
		r := fuzzCall(s, "GET", "/API/getHierarchy_v2.aspx", q.Encode(), "", "")
		if r.code != http.StatusOK {
			t.Fatalf("HTTP %d", r.code)
		}
		if r.body == tokInvalidParamNode {
			if !isTrue(isnode) {
				t.Fatalf("INVALIDPARAM_NODE without isnode=true (%q)", isnode)
			}
			return
		}
		chunks := strings.Split(r.body, "\n\n")
		if chunks[0] != tokOK || chunks[len(chunks)-1] != "" {
			t.Fatalf("framing: %q", r.body)
		}
		for i, chunk := range chunks[1 : len(chunks)-1] {
			fields := map[string]string{}
			for _, line := range strings.Split(chunk, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok || strings.Contains(v, ":") {
					t.Fatalf("line %q", line)
				}
				fields[k] = v
			}
			if len(fields) != 7 {
				t.Fatalf("node %q", chunk)
			}
			if id, _ := parseInt32(node); i == 0 && isTrue(isnode) && fields["NodeID"] != strconv.Itoa(id) {
				t.Fatalf("asked for %q, first node %q", node, fields["NodeID"])
			}
			if isTrue(filteroffline) && fields["Type"] == "Technician" && fields["Status"] == "Offline" {
				t.Fatalf("offline technician kept: %q", chunk)
			}
		}
	})
}

// FuzzIsTrue checks isTrue against its definition: "true" in any case, within .NET white space.
func FuzzIsTrue(f *testing.F) {
	for _, seed := range []string{"true", " TRUE\t", "false", "", "1", "tru\u00e9", "true\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := strings.ToLower(strings.Trim(v, " \t\r\n\v\f\x00")) == "true"
		if got := isTrue(v); got != want {
			t.Fatalf("isTrue(%q) = %v", v, got)
		}
	})
}
