package rescue

import (
	"strconv"
	"strings"
	"unicode"
)

// maxCodeLen bounds a status token; a longer first word is not one.
const maxCodeLen = 64

// parseReply splits a 200 body into its status token and payload. OK gives the payload, the text
// after the token with leading white space removed; another well-formed token gives an *Error; a
// first word that is not a token (an HTML page from a proxy, an empty body) gives ErrMalformed.
func parseReply(method, body string) (string, error) {
	body = strings.TrimPrefix(body, "\uFEFF") // a byte-order mark some ASP.NET pages send
	body = strings.ToValidUTF8(body, "\uFFFD")
	body = strings.TrimLeft(body, " \t\r\n")
	end := strings.IndexFunc(body, unicode.IsSpace)
	if end < 0 {
		end = len(body)
	}
	token, rest := body[:end], body[end:]
	if !isStatusToken(token) {
		return "", malformed(method, "the reply does not start with a status token")
	}
	if Code(token) != CodeOK {
		return "", &Error{Method: method, Code: Code(token)}
	}
	return strings.TrimLeft(rest, " \t\r\n"), nil
}

// isStatusToken accepts the shape of every documented token: upper-case letters, digits and
// underscores, starting with a letter. It keeps a lower-case authcode, should a server ever echo
// one, out of an error's Code.
func isStatusToken(s string) bool {
	if s == "" || len(s) > maxCodeLen || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// cutLabel removes a leading "LABEL:" from s, ignoring case, and the spaces after it.
func cutLabel(s, label string) (string, bool) {
	if len(s) < len(label)+1 || !strings.EqualFold(s[:len(label)], label) || s[len(label)] != ':' {
		return s, false
	}
	return strings.TrimLeft(s[len(label)+1:], " \t"), true
}

// parsePIN reads "PINCODE:012345" and left-pads the PIN with zeros to six digits, as the service
// types it as an integer in places.
func parsePIN(payload string) (string, error) {
	const method = "requestPINCode"
	rest, ok := cutLabel(payload, "PINCODE")
	if !ok {
		return "", malformed(method, "no PINCODE in the reply")
	}
	pin := firstWord(rest)
	if pin == "" || len(pin) > 6 || !allDigits(pin) {
		return "", malformed(method, "the PIN is not a number of up to six digits")
	}
	return strings.Repeat("0", 6-len(pin)) + pin, nil
}

// parseAuthCode reads "AUTHCODE: <code>". The code must be printable ASCII: anything else would not
// survive the round trip through the keyring and the form body unchanged.
func parseAuthCode(method, payload string) (string, error) {
	rest, ok := cutLabel(payload, "AUTHCODE")
	if !ok {
		return "", malformed(method, "no AUTHCODE in the reply")
	}
	code := firstWord(rest)
	if code == "" {
		return "", malformed(method, "the authcode is empty")
	}
	for i := 0; i < len(code); i++ {
		if code[i] <= ' ' || code[i] > '~' {
			return "", malformed(method, "the authcode is not printable ASCII")
		}
	}
	return code, nil
}

// parseNote reads "NOTE:<text>". The text may run over several lines, CRLF or LF; lines end in "\n"
// in the result, and white space around the whole note is dropped. A bare OK is an empty note.
func parseNote(payload string) (string, error) {
	if payload == "" {
		return "", nil
	}
	rest, ok := cutLabel(payload, "NOTE")
	if !ok {
		return "", malformed("getNote", "no NOTE in the reply")
	}
	return strings.TrimSpace(normalizeLines(rest)), nil
}

// normalizeLines turns CRLF and lone CR into LF.
func normalizeLines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func firstWord(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i]
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseInt reads a decimal integer that fits 32 bits, as the service's IDs do, allowing a sign and
// surrounding spaces.
func parseInt(s string) (int, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	return int(v), err == nil
}

// labelled splits text such as "NODEID: 337366 NAME: John Doe NICK: EMAIL: …" into values by label.
// A label counts only at the start of a word, only if it is one of labels (compared ignoring case),
// and only the first time it appears, so that a value may contain spaces and even a colon. Values are
// trimmed.
func labelled(text string, labels []string) map[string]string {
	type mark struct {
		label      string
		start, end int // the label's span, colon included
	}
	var marks []mark
	seen := map[string]bool{}
	for i := 0; i < len(text); {
		if i > 0 && !isSpaceByte(text[i-1]) {
			i++
			continue
		}
		if l := labelAt(text[i:], labels); l != "" && !seen[l] {
			seen[l] = true
			marks = append(marks, mark{l, i, i + len(l) + 1})
			i += len(l) + 1
			continue
		}
		i++
	}
	out := make(map[string]string, len(marks))
	for k, m := range marks {
		end := len(text)
		if k+1 < len(marks) {
			end = marks[k+1].start
		}
		out[m.label] = strings.TrimSpace(text[m.end:end])
	}
	return out
}

// labelAt returns the label (as spelt in labels) that s starts with, followed by a colon, or "".
func labelAt(s string, labels []string) string {
	for _, l := range labels {
		if _, ok := cutLabel(s, l); ok {
			return l
		}
	}
	return ""
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// lines splits text into lines on LF, CRLF or CR.
func lines(s string) []string {
	return strings.Split(normalizeLines(s), "\n")
}
