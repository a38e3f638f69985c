package rescue

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The parsers read what a server sends; they must never panic, and what they accept must hold
// together. Each target goes through parseReply first, as a real reply does.

func FuzzStatusLine(f *testing.F) {
	for _, s := range []string{
		"OK PINCODE:012345", "OK\n\nID|Status|\n", "NOTECHCONSOLERUNNING", "\uFEFFOK", "", "<html>",
		"INVALID_SECRETAUTHCODE\r\n", "ok", "OK\xff\xfe", strings.Repeat("A", 70),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("m", body)
		var e *Error
		switch {
		case err == nil:
			if !utf8.ValidString(payload) {
				t.Fatalf("payload %q is not UTF-8", payload)
			}
			if strings.HasPrefix(payload, " ") || strings.HasPrefix(payload, "\n") {
				t.Fatalf("payload %q starts with white space", payload)
			}
		case errors.As(err, &e):
			if !isStatusToken(string(e.Code)) || e.Code == CodeOK {
				t.Fatalf("code %q", e.Code)
			}
		case !errors.Is(err, ErrMalformed) || !MayHaveReached(err):
			t.Fatalf("unexpected error %v", err)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Fatalf("error text of %d bytes", len(err.Error()))
		}
	})
}

func FuzzPINAndAuthCode(f *testing.F) {
	for _, s := range []string{"OK PINCODE:012345", "OK PINCODE:7", "OK AUTHCODE: 4ahx99", "OK PINCODE:", "OK AUTHCODE:\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("m", body)
		if err != nil {
			return
		}
		if pin, err := parsePIN(payload); err == nil && (len(pin) != 6 || !allDigits(pin)) {
			t.Fatalf("PIN %q", pin)
		}
		if code, err := parseAuthCode("m", payload); err == nil {
			if code == "" || strings.ContainsAny(code, " \t\r\n") {
				t.Fatalf("authcode %q", code)
			}
		}
	})
}

func FuzzAccount(f *testing.F) {
	f.Add(accountBody)
	f.Add("OK AccountID:1 Organization: AdminID: TechID: Email:")
	f.Add("OK AccountID:1 AccountID:2 TechID:-5")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getAccount", body)
		if err != nil {
			return
		}
		if a, err := parseAccount(payload); err == nil && !utf8.ValidString(a.Organization+a.Email) {
			t.Fatalf("%+v", a)
		}
	})
}

func FuzzUser(f *testing.F) {
	f.Add("OK NODEID: 337366 NAME: John Doe NICK: EMAIL: jd@example.com SSOID: DESCRIPTION: TYPE: Technician HASMOBILEADDON: False HASRPATADDON: True ISACCOUNTHOLDER: True STATUS: Online")
	f.Add("OK NODEID:1 STATUS:")
	f.Add("OK NODEID: 1 NAME: NAME: STATUS: Busy")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getUser_v3", body)
		if err != nil {
			return
		}
		u, err := parseUser(payload)
		if err != nil {
			return
		}
		if u.Status != parsePresence(u.StatusText) || strings.TrimSpace(u.Name) != u.Name {
			t.Fatalf("%+v", u)
		}
	})
}

func FuzzSessionTable(f *testing.F) {
	f.Add(c8Sample)
	f.Add(strings.ReplaceAll(c8Sample, "\n", "\r\n"))
	f.Add("OK\n\nID|Status|Custom Field 0|\n1|Active|a|b|c|\n2|Waiting|x\ny|\n")
	f.Add("OK\n\nID|Status|\n")
	f.Add("OK")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getSession_v3", body)
		if err != nil {
			return
		}
		sessions, err := parseSessions(payload)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(sessions) > strings.Count(payload, "\n")+strings.Count(payload, "\r")+1 {
			t.Fatalf("%d sessions from %d lines", len(sessions), strings.Count(payload, "\n")+1)
		}
		for _, s := range sessions {
			if s.Status != ParseSessionStatus(s.StatusText) {
				t.Fatalf("%+v", s)
			}
			if !s.Start.IsZero() && s.Start.Location().String() != "UTC" {
				t.Fatalf("start %v not UTC", s.Start)
			}
		}
	})
}

func FuzzChat(f *testing.F) {
	f.Add("OK CHATLOG:\n[2:05:07 PM] Camille Lefèvre: Bonjour\n[2:05:30 PM] Hélène: ok\r\nsecond line")
	f.Add("OK CHATLOG:[9:00 AM] A: hi")
	f.Add("OK [::] x: y\n[")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getChat", body)
		if err != nil {
			return
		}
		for _, l := range parseChat(payload) {
			if strings.Contains(l.Text, "\r") || strings.Contains(l.At, "]") || l.Name+l.Text+l.At == "" {
				t.Fatalf("%+v", l)
			}
		}
	})
}

func FuzzNote(f *testing.F) {
	f.Add("OK NOTE:Customer had issue with the VPN")
	f.Add("OK NOTE:line one\r\nline two\r\n")
	f.Add("OK NOTE:")
	f.Add("OK")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getNote", body)
		if err != nil {
			return
		}
		note, err := parseNote(payload)
		if err == nil && (strings.Contains(note, "\r") || note != strings.TrimSpace(note)) {
			t.Fatalf("%q", note)
		}
	})
}

func FuzzReport(f *testing.F) {
	f.Add("OK\n\n" + reportXML)
	f.Add("OK\n\n<report><header></header><data></data></report>")
	f.Add("OK\r\n\r\n<report><header><field id=\"1\">Session ID</field><field id=\"2\">Status</field></header>" +
		"<data><row><field id=\"1\">5</field><field id=\"9\">x</field></row></data></report>")
	f.Add("OK\n\n")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getReport_v2", body)
		if err != nil {
			return
		}
		rows, err := parseReport(payload)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.WaitingTime < 0 || r.ActiveTime < 0 || r.TotalTime < 0 || r.Status != ParseSessionStatus(r.StatusText) {
				t.Fatalf("%+v", r)
			}
		}
	})
}

func FuzzTruncate(f *testing.F) {
	f.Add("Hélène O'Brien", 5)
	f.Add("ab👨\u200d👩\u200d👧", 7)
	f.Add("a🇫🇷🇩🇪", 4)
	f.Add("e\u0301\u0301\xff", 2)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 600
		got := Truncate(s, limit)
		valid := strings.ToValidUTF8(s, "\uFFFD")
		if !utf8.ValidString(got) || !strings.HasPrefix(valid, got) || FieldLen(got) > max(limit, 0) {
			t.Fatalf("Truncate(%q, %d) = %q", s, limit, got)
		}
		if FieldLen(valid) <= limit && got != valid {
			t.Fatalf("Truncate(%q, %d) cut a value that fits: %q", s, limit, got)
		}
	})
}
