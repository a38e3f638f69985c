package dataverse

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// cursor is where the previous page ended: the sort values and primary key of its last row. Paging
// by these values (not by an offset) keeps pages free of duplicates when rows change in between.
type cursor struct {
	page   int
	values []any
	lastID string
}

// encodeSkiptoken writes the $skiptoken of the page after this one, in Dataverse's form: a <cookie>
// whose pagingcookie attribute holds a second, percent-encoded <cookie> with the last and first values.
func encodeSkiptoken(page int, t *table, keys []orderKey, first, last *record) string {
	var inner strings.Builder
	fmt.Fprintf(&inner, `<cookie page="%d">`, page)
	for _, k := range keys {
		inner.WriteString("<" + k.col.name + cookieValue("last", last.values[k.col.name], k.col.kind))
		inner.WriteString(cookieValue("first", first.values[k.col.name], kindString) + " />")
	}
	fmt.Fprintf(&inner, `<%s last="{%s}" first="{%s}" /></cookie>`, t.primaryKey, strings.ToUpper(last.id(t)), strings.ToUpper(first.id(t)))
	outer := fmt.Sprintf(`<cookie pagenumber="%d" pagingcookie="%s" istracking="False" />`, page+1, percentEncode(inner.String(), true))
	return percentEncode(outer, false)
}

// cookieValue writes a sort value as attributes; a free-form column also records the value's type.
func cookieValue(attr string, v any, k kind) string {
	typ := ""
	if k == kindDynamic {
		typ = fmt.Sprintf(` %stype="%s"`, attr, valueType(v))
	}
	if v == nil {
		return typ
	}
	return fmt.Sprintf(` %s="%s"%s`, attr, xmlEscape(sortText(v)), typ)
}

func valueType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case time.Time:
		return "time"
	case string:
		return "string"
	}
	return "number"
}

func sortText(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case json.Number:
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// percentEncode escapes what a URL cannot carry. The inner cookie is escaped wholly, in lowercase hex;
// the outer keeps = and / as Dataverse's links do.
func percentEncode(s string, inner bool) string {
	const hexLower, hexUpper = "0123456789abcdef", "0123456789ABCDEF"
	hex := hexUpper
	if inner {
		hex = hexLower
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		plain := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if plain || !inner && (c == '=' || c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

var outerCookieRE = regexp.MustCompile(`^<cookie pagenumber="(\d{1,9})" pagingcookie="([^"]*)" istracking="(?:True|False)" />$`)

func errSkiptoken() *odataError {
	return badRequest("The $skiptoken is not a paging cookie of this query.")
}

// decodeSkiptoken reads a $skiptoken (already unescaped once from the query string) for this query.
func decodeSkiptoken(v string, t *table, keys []orderKey) (*cursor, *odataError) {
	m := outerCookieRE.FindStringSubmatch(v)
	if m == nil {
		return nil, errSkiptoken()
	}
	page, _ := strconv.Atoi(m[1])
	inner, err := url.PathUnescape(m[2])
	if err != nil {
		return nil, errSkiptoken()
	}
	elems, ok := cookieElements(inner)
	if !ok || len(elems) != len(keys)+1 {
		return nil, errSkiptoken()
	}
	c := &cursor{page: page}
	for i, k := range keys {
		if elems[i].name != k.col.name {
			return nil, errSkiptoken()
		}
		v, ok := parseSortValue(elems[i], k.col.kind)
		if !ok {
			return nil, errSkiptoken()
		}
		c.values = append(c.values, v)
	}
	pk := elems[len(keys)]
	id := strings.ToLower(strings.Trim(pk.attrs["last"], "{}"))
	if pk.name != t.primaryKey || !guidRE.MatchString(id) {
		return nil, errSkiptoken()
	}
	c.lastID = id
	return c, nil
}

type cookieElement struct {
	name  string
	attrs map[string]string
}

// cookieElements reads the children of the inner <cookie>.
func cookieElements(s string) ([]cookieElement, bool) {
	d := xml.NewDecoder(strings.NewReader(s))
	var out []cookieElement
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return out, errors.Is(err, io.EOF) && depth == 0 && len(out) > 0
		}
		switch x := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 && x.Name.Local != "cookie" || depth > 2 {
				return nil, false
			}
			if depth == 2 {
				e := cookieElement{name: x.Name.Local, attrs: map[string]string{}}
				for _, a := range x.Attr {
					e.attrs[a.Name.Local] = a.Value
				}
				out = append(out, e)
			}
		case xml.EndElement:
			depth--
		}
	}
}

func parseSortValue(e cookieElement, k kind) (any, bool) {
	s, present := e.attrs["last"]
	typ := e.attrs["lasttype"]
	if k == kindDynamic && typ == "null" || k != kindDynamic && !present {
		return nil, true
	}
	if !present {
		return nil, false
	}
	switch {
	case k == kindInt:
		n, err := strconv.Atoi(s)
		return n, err == nil
	case k == kindTime || typ == "time":
		t, err := time.Parse(time.RFC3339Nano, s)
		return t, err == nil
	case k == kindBool || typ == "bool":
		b, err := strconv.ParseBool(s)
		return b, err == nil
	case typ == "number":
		_, err := strconv.ParseFloat(s, 64)
		return json.Number(s), err == nil
	case k == kindGUID:
		return strings.ToLower(s), guidRE.MatchString(s)
	}
	return s, k == kindString || typ == "string"
}
