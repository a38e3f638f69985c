package config

import (
	"testing"
)

// FuzzParseValidate feeds arbitrary text to Parse and Validate, which must never panic, and
// checks that whatever parses survives encode and Parse unchanged.
func FuzzParseValidate(f *testing.F) {
	f.Add([]byte(contractFile))
	f.Add([]byte(savedContract))
	f.Add([]byte(""))
	f.Add([]byte("[dynamics]\nurl = \"http://[::1]:80/\"\ntenant_id = \"abc\"\n"))
	f.Add([]byte("dynamics.url = 'https://x'\n[rescue]\ninstance = \"sandbox\"\nendpoint = \"\"\n"))
	f.Add([]byte("[dynamcis]\nurl = 1\n[[x]]\ny = \"\"\"\nz = 2\n\"\"\"\n"))
	f.Add([]byte("[rescue]\ncompany_id = \"12a\"\ntechnician_sso_id = \"\\u0000\"\n"))
	f.Add([]byte("[options]\nrequire_active_console = \"yes\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		verr := c.Validate()
		if err != nil {
			return
		}
		for _, fe := range FieldErrors(verr) {
			if fe.Key == "" || fe.Reason == "" {
				t.Fatalf("FieldError without key or reason: %+v", fe)
			}
		}
		text, err := encode(c)
		if err != nil {
			t.Fatalf("encode of parsed settings: %v", err)
		}
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse of encoded settings: %v\n%s", err, text)
		}
		if again != c {
			t.Fatalf("round trip changed settings:\n%+v\n%+v", c, again)
		}
	})
}
