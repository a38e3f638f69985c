package dataverse

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// tokKind is the kind of a $filter token.
type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tInt
	tFloat
	tGUID
	tTime
	tAlias
	tLParen
	tRParen
	tComma
	tSlash
	tEquals
)

// token is one lexeme of an OData expression; val holds the literal's Go value.
type token struct {
	kind tokKind
	text string
	pos  int
	val  any
}

var (
	guidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)
	numberRE   = regexp.MustCompile(`^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`)
)

// lex splits an OData expression (a $filter, a key segment, an alias value) into tokens.
func lex(expr string) ([]token, *odataError) {
	var toks []token
	for i := 0; i < len(expr); {
		c := expr[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			continue
		}
		tok, n, err := lexOne(expr, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, tok)
		i += n
	}
	return append(toks, token{kind: tEOF, pos: len(expr)}), nil
}

func lexOne(expr string, i int) (token, int, *odataError) {
	rest := expr[i:]
	if k, ok := punctuation[rest[0]]; ok {
		return token{kind: k, text: rest[:1], pos: i}, 1, nil
	}
	switch {
	case rest[0] == '\'':
		return lexString(expr, i)
	case rest[0] == '@':
		n := 1 + identLen(rest[1:])
		if n == 1 {
			return token{}, 0, syntaxChar(expr, i)
		}
		return token{kind: tAlias, text: rest[:n], pos: i}, n, nil
	case len(rest) >= 36 && guidRE.MatchString(rest[:36]) && !continuesIdent(rest, 36):
		return token{kind: tGUID, text: rest[:36], pos: i, val: strings.ToLower(rest[:36])}, 36, nil
	case isDigit(rest[0]) || rest[0] == '-' && len(rest) > 1 && isDigit(rest[1]):
		return lexNumberOrDate(expr, i)
	case identLen(rest) > 0:
		n := identLen(rest)
		return token{kind: tIdent, text: rest[:n], pos: i}, n, nil
	}
	return token{}, 0, syntaxChar(expr, i)
}

var punctuation = map[byte]tokKind{'(': tLParen, ')': tRParen, ',': tComma, '/': tSlash, '=': tEquals}

// lexString reads a quoted literal, in which a doubled quote stands for one quote.
func lexString(expr string, i int) (token, int, *odataError) {
	var b strings.Builder
	for j := i + 1; j < len(expr); j++ {
		if expr[j] != '\'' {
			b.WriteByte(expr[j])
			continue
		}
		if j+1 < len(expr) && expr[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return token{kind: tString, text: expr[i : j+1], pos: i, val: b.String()}, j + 1 - i, nil
	}
	return token{}, 0, badRequest("There is an unterminated literal at position %d in '%s'.", len(expr), expr)
}

func lexNumberOrDate(expr string, i int) (token, int, *odataError) {
	rest := expr[i:]
	if m := dateTimeRE.FindString(rest); m != "" && !continuesIdent(rest, len(m)) {
		t, err := time.Parse(time.RFC3339Nano, withSeconds(m))
		if err != nil {
			return token{}, 0, badRequest("Unrecognized 'Edm.DateTimeOffset' literal '%s' at '%d' in '%s'.", m, i, expr)
		}
		return token{kind: tTime, text: m, pos: i, val: t.UTC()}, len(m), nil
	}
	if m := dateRE.FindString(rest); m != "" && !continuesIdent(rest, len(m)) {
		t, err := time.Parse("2006-01-02", m)
		if err != nil {
			return token{}, 0, badRequest("Unrecognized 'Edm.Date' literal '%s' at '%d' in '%s'.", m, i, expr)
		}
		return token{kind: tTime, text: m, pos: i, val: t}, len(m), nil
	}
	m := numberRE.FindString(rest)
	if continuesIdent(rest, len(m)) {
		return token{}, 0, syntaxChar(expr, i+len(m))
	}
	if n, err := strconv.Atoi(m); err == nil && n >= -1<<31 && n < 1<<31 {
		return token{kind: tInt, text: m, pos: i, val: n}, len(m), nil
	}
	f, err := strconv.ParseFloat(m, 64)
	if err != nil {
		return token{}, 0, badRequest("The number '%s' at position %d in '%s' is out of range.", m, i, expr)
	}
	return token{kind: tFloat, text: m, pos: i, val: f}, len(m), nil
}

// withSeconds completes hh:mm into hh:mm:ss, which OData allows and RFC 3339 does not.
func withSeconds(m string) string {
	if len(m) > 16 && m[16] == ':' {
		return m
	}
	return m[:16] + ":00" + m[16:]
}

func identLen(s string) int {
	n := 0
	for n < len(s) {
		c := s[n]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || n > 0 && (isDigit(c) || c == '.') {
			n++
			continue
		}
		break
	}
	return n
}

func continuesIdent(s string, n int) bool {
	if n >= len(s) {
		return false
	}
	c := s[n]
	return c == '_' || c == '.' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func syntaxChar(expr string, i int) *odataError {
	return badRequest("Syntax error: character '%c' is not valid at position %d in '%s'.", expr[i], i, expr)
}
