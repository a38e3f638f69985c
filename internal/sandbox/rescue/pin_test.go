package rescue

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var pinReply = regexp.MustCompile(`^OK PINCODE:(\d{6})$`)

func pinOf(t *testing.T, body string) string {
	t.Helper()
	m := pinReply.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("not a PIN: %q", body)
	}
	return m[1]
}

func mustAdvance(t *testing.T, s *Server, id, times int) {
	t.Helper()
	for i := 0; i < times; i++ {
		if err := s.Advance(id); err != nil {
			t.Fatalf("advance %d: %v", id, err)
		}
	}
}

func TestFirstPINOfAFreshServer(t *testing.T) {
	s, _ := newServer(t, Options{})
	body := get(t, s, "requestPINCode", kv("authcode", signIn(t, s, "jordan")))
	if body != "OK PINCODE:"+firstPIN {
		t.Fatalf("got %q, want %q", body, "OK PINCODE:"+firstPIN)
	}
	if firstPIN[0] != '0' {
		t.Fatal("the first PIN must start with 0")
	}
}

// firstPIN is the default seed's first PIN; the same seed must always deal it.
const firstPIN = "089837"

func TestSeedChangesThePINs(t *testing.T) {
	a, _ := newServer(t, Options{Seed: 1})
	b, _ := newServer(t, Options{Seed: 2})
	pa := pinOf(t, get(t, a, "requestPINCode", kv("authcode", signIn(t, a, "jordan"))))
	pb := pinOf(t, get(t, b, "requestPINCode", kv("authcode", signIn(t, b, "jordan"))))
	if pa == pb || pa[0] != '0' || pb[0] != '0' {
		t.Fatalf("seed 1 %s, seed 2 %s", pa, pb)
	}
}

func TestRequestPINCodeResultCodes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s *Server)
		as    string // technician whose authcode is used; "" for none
		code  string // overrides the authcode
		args  []string
		want  string // a regexp
	}{
		{"ok", nil, "jordan", "", nil, `^OK PINCODE:\d{6}$`},
		{"no authcode", nil, "", "", nil, `^NOTLOGGEDIN$`},
		{"wrong authcode", nil, "jordan", "x" + strings.Repeat("0", 39), nil, `^INVALID_SECRETAUTHCODE$`},
		{"console closed", nil, "priya", "", nil, `^NOTECHCONSOLERUNNING$`},
		{"console closed, explicit 0", nil, "priya", "", []string{"notechconsole", "0"}, `^NOTECHCONSOLERUNNING$`},
		{"console closed, allowed", nil, "priya", "", []string{"notechconsole", "1"}, `^OK PINCODE:\d{6}$`},
		{"console closed, allowed (true)", nil, "priya", "", []string{"notechconsole", "True"}, `^OK PINCODE:\d{6}$`},
		{"console closed, junk", nil, "priya", "", []string{"notechconsole", "yes"}, `^NOTECHCONSOLERUNNING$`},
		{"console closed by control", func(s *Server) { _ = s.SetConsole("jordan", false) }, "jordan", "", nil, `^NOTECHCONSOLERUNNING$`},
		{"disabled", func(s *Server) { _ = s.SetUserState("jordan", UserDisabled) }, "jordan", "", nil, `^USER_DELETED_OR_DISABLED$`},
		{"deleted", func(s *Server) { _ = s.SetUserState("jordan", UserDeleted) }, "jordan", "", nil, `^USER_IS_DELETED$`},
		{"no technician seat", func(s *Server) { _ = s.SetUserState("jordan", UserNotTechnician) }, "jordan", "", nil, `^NOTTECHNICIAN$`},
		{"out of PINs", func(s *Server) { s.SetPINsLeft(0) }, "jordan", "", nil, `^OUTOFPINCODES$`},
		{"fault", func(s *Server) { s.FailNext("requestPINCode", 1) }, "jordan", "", nil, `^ERROR$`},
		{"fault on any method", func(s *Server) { s.FailNext("", 1) }, "jordan", "", nil, `^ERROR$`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newServer(t, Options{})
			code := c.code
			if c.as != "" && code == "" {
				code = signIn(t, s, c.as)
			}
			if c.setup != nil {
				c.setup(s)
			}
			args := c.args
			if code != "" {
				args = append([]string{"authcode", code}, args...)
			}
			if body := post(t, s, "requestPINCode", kv(args...)); !regexp.MustCompile(c.want).MatchString(body) {
				t.Fatalf("got %q, want %s", body, c.want)
			}
		})
	}
}

func TestPINsLeftCountsDown(t *testing.T) {
	s, clk := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	s.SetPINsLeft(2)
	for i, want := range []string{"OK", "OK", "OUTOFPINCODES"} {
		body := get(t, s, "requestPINCode", kv("authcode", code))
		if !strings.HasPrefix(body, want) {
			t.Fatalf("request %d: %q", i, body)
		}
		clk.Add(time.Second)
	}
	s.SetPINsLeft(-5)
	if body := get(t, s, "requestPINCode", kv("authcode", code)); !pinReply.MatchString(body) {
		t.Fatalf("unlimited again: %q", body)
	}
}

func TestPINRateLimitIsPerTechnician(t *testing.T) {
	s, clk := newServer(t, Options{})
	jordan, camille := signIn(t, s, "jordan"), signIn(t, s, "camille")
	pinOf(t, get(t, s, "requestPINCode", kv("authcode", jordan)))
	clk.Add(999 * time.Millisecond)
	if body := get(t, s, "requestPINCode", kv("authcode", jordan)); body != "POLLRATEEXCEEDED" {
		t.Fatalf("second PIN within a second: %q", body)
	}
	pinOf(t, get(t, s, "requestPINCode", kv("authcode", camille)))
	clk.Add(time.Millisecond) // a refused request does not restart the interval
	pinOf(t, get(t, s, "requestPINCode", kv("authcode", jordan)))
	// A NOTECHCONSOLERUNNING answer counts as a request.
	priya := signIn(t, s, "priya")
	if body := get(t, s, "requestPINCode", kv("authcode", priya)); body != "NOTECHCONSOLERUNNING" {
		t.Fatal(body)
	}
	if body := get(t, s, "requestPINCode", kv("authcode", priya, "notechconsole", "1")); body != "POLLRATEEXCEEDED" {
		t.Fatalf("retry at once: %q", body)
	}
}

func TestPINIntervalOption(t *testing.T) {
	s, clk := newServer(t, Options{PINInterval: 5 * time.Second})
	code := signIn(t, s, "jordan")
	pinOf(t, get(t, s, "requestPINCode", kv("authcode", code)))
	clk.Add(4 * time.Second)
	if body := get(t, s, "requestPINCode", kv("authcode", code)); body != "POLLRATEEXCEEDED" {
		t.Fatal(body)
	}
	clk.Add(time.Second)
	pinOf(t, get(t, s, "requestPINCode", kv("authcode", code)))
}

func TestCustomFieldsAreTruncatedToTheirLimits(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	long := strings.Repeat("é", 600)
	emoji := strings.Repeat("a", 63) + "😀" // the emoji is two UTF-16 units and would end at 65
	args := []string{"authcode", code, "cfield0", emoji, "tracking0", strings.Repeat("T", 70)}
	for i := 1; i < 6; i++ {
		args = append(args, customFieldName(i), long)
	}
	pin := pinOf(t, post(t, s, "requestPINCode", kv(args...)))
	ss, ok := s.SessionByPIN(pin)
	if !ok {
		t.Fatal("no session for the PIN")
	}
	if ss.CustomFields[0] != strings.Repeat("a", 63) {
		t.Errorf("cfield0 %q", ss.CustomFields[0])
	}
	for i, limit := range []int{0, 512, 512, 256, 64, 64} {
		if i > 0 && ss.CustomFields[i] != strings.Repeat("é", limit) {
			t.Errorf("cfield%d has %d characters, want %d", i, len([]rune(ss.CustomFields[i])), limit)
		}
	}
	if ss.Tracking0 != strings.Repeat("T", 64) {
		t.Errorf("tracking0 %q", ss.Tracking0)
	}
}

func TestTruncateUTF16(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 2, "ab"}, {"abc", 3, "abc"}, {"", 0, ""}, {"é", 1, "é"}, {"😀x", 1, ""}, {"😀x", 2, "😀"}, {"a😀", 2, "a"},
	}
	for _, c := range cases {
		if got := truncateUTF16(c.in, c.n); got != c.want {
			t.Errorf("truncateUTF16(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestPINsAreNotReusedWhileOpen(t *testing.T) {
	s, clk := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "jordan")
	seen := map[string]bool{}
	leadingZero := 0
	for i := 0; i < 300; i++ {
		pin := pinOf(t, get(t, s, "requestPINCode", kv("authcode", code, "notechconsole", "1")))
		if seen[pin] {
			t.Fatalf("PIN %s dealt twice while open", pin)
		}
		seen[pin] = true
		if pin[0] == '0' {
			leadingZero++
		}
		clk.Add(time.Second)
	}
	if leadingZero < 2 {
		t.Errorf("only %d PINs of 300 start with 0", leadingZero)
	}
}
