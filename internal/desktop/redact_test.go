package desktop

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	long := "AbCdEfGhIjKlMnOpQrStUvWxYz0123"
	tests := []struct{ in, want string }{
		{"authcode=" + long, "authcode=[redacted]"},
		{"AUTHCODE: " + long + " next", "AUTHCODE: [redacted] next"},
		{"Authorization: Bearer " + long, "Authorization: Bearer [redacted]"},
		{`{"access_token":"` + long + `","expires_in":3599}`, `{"access_token":"[redacted]","expires_in":3599}`},
		{`{\"refresh_token\":\"` + long + `\"}`, `{\"refresh_token\":\"[redacted]\"}`},
		{"code=0.AAAA" + long + "&state=x", "code=[redacted]&state=x"},
		{"authcode%3D" + long, "authcode%3D[redacted]"},
		{"pwd=hunter2&x=1", "pwd=[redacted]&x=1"},
		{`"password": "p@ss w0rd!", "user": "jo"`, `"password": "[redacted]", "user": "jo"`},
		{"client_secret=abc", "client_secret=[redacted]"},
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x", "[redacted]"},
		{"bearer " + long + "token=" + long, "bearer [redacted]"},
		// Left alone: short values after token keywords, and the words themselves in a stack.
		{"code=short", "code=short"},
		{"exit code: 2", "exit code: 2"},
		{"auth.(*Client).Token(0xc000123456)\n\t/src/auth/token.go:42 +0x1d", "auth.(*Client).Token(0xc000123456)\n\t/src/auth/token.go:42 +0x1d"},
		{"tokenizer_with_a_very_long_name_indeed", "tokenizer_with_a_very_long_name_indeed"},
		{"internal/secrets.(*keyringStore).Get", "internal/secrets.(*keyringStore).Get"},
		{"", ""},
		{"İ token=" + long, "İ token=[redacted]"}, // a non-ASCII letter does not shift the indexes
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestSecretsRedactKnownValues(t *testing.T) {
	var s Secrets
	s.Add("ab", "sso-pass", "sso-password w/ space", "sso-pass")
	got := s.Redact("a=sso-password w/ space b=sso-pass c=sso-password+w%2F+space ab")
	if want := "a=[redacted] b=[redacted] c=[redacted] ab"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// FuzzRedact: a token-like value after a keyword never survives, and text with no keyword and no
// JWT comes back unchanged.
func FuzzRedact(f *testing.F) {
	f.Add("GET /x?", "AbCdEfGhIjKlMnOpQrStUvWxYz", "&y=1", uint8(0))
	f.Add("bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0000000000000000000000", "", uint8(2))
	f.Add(`"password":"`, "xXxXxXxXxXxXxXxXxXxXxXxX", `"`, uint8(4))
	f.Add("eyJ", "eyJeyJeyJeyJeyJeyJeyJ.", ".", uint8(7))
	f.Fuzz(func(t *testing.T, prefix, secret, suffix string, kw uint8) {
		if plain := prefix + secret + suffix; !hasKeywordOrJWT(plain) && Redact(plain) != plain {
			t.Fatalf("Redact changed %q into %q", plain, Redact(plain))
		}
		secret = tokenRun(secret)
		if len(secret) < minTokenRun || strings.Contains(prefix+" "+suffix, secret) {
			return
		}
		text := prefix + tokenKeywords[int(kw)%len(tokenKeywords)] + "=" + secret + " " + suffix
		if got := Redact(text); strings.Contains(got, secret) {
			t.Fatalf("Redact(%q) = %q keeps the secret", text, got)
		}
	})
}

// tokenRun turns s into a credential-like value: token characters only, starting with a letter or
// digit as real ones do.
func tokenRun(s string) string {
	b := []byte(s)
	for i, c := range b {
		if strings.IndexByte(tokenRunChars, c) < 0 || (i == 0 && strings.IndexByte("._-~+/=", c) >= 0) {
			b[i] = 'k'
		}
	}
	return string(b)
}

func hasKeywordOrJWT(s string) bool {
	lower := asciiLower(s)
	for _, kw := range tokenKeywords {
		if strings.Contains(lower, kw) {
			return true
		}
	}
	return strings.Contains(s, "eyJ")
}
