package dataverse

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// bodyProp is one member of a JSON request body, in the order sent.
type bodyProp struct {
	name string
	raw  json.RawMessage
}

// parseBody reads a JSON object, refusing anything else and a member sent twice.
func parseBody(r *http.Request, body []byte) ([]bodyProp, *odataError) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, newError(http.StatusUnsupportedMediaType, codeQuery, "The content type '%s' is not supported; send application/json.", ct)
		}
	}
	return parseJSONObject(body)
}

func parseJSONObject(body []byte) ([]bodyProp, *odataError) {
	if !utf8.Valid(body) {
		return nil, badRequest("Invalid JSON. The request body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, badRequest("Invalid JSON. The request body must be a JSON object.")
	}
	var props []bodyProp
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalidJSON(err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, invalidJSON(err)
		}
		if seen[name] {
			return nil, badRequest("Invalid JSON. The property '%s' was found more than once in the request body.", name)
		}
		seen[name] = true
		props = append(props, bodyProp{name: name, raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, invalidJSON(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("Invalid JSON. More than one value was found at the root of the JSON content.")
	}
	return props, nil
}

func invalidJSON(err error) *odataError {
	return badRequest("Invalid JSON. %s", err.Error())
}

// decodeValue reads a body value for a column of the given kind. Dataverse stores an empty string as null.
func decodeValue(t *table, c *column, raw json.RawMessage) (any, *odataError) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, invalidJSON(err)
	}
	if v == nil {
		return nil, nil
	}
	switch c.kind {
	case kindString:
		return decodeString(t, c, v, raw)
	case kindInt:
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil || i < math.MinInt32 || i > math.MaxInt32 {
			return nil, cannotConvert(raw, "Edm.Int32")
		}
		return int(i), nil
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, cannotConvert(raw, "Edm.Boolean")
	case kindTime:
		s, _ := v.(string)
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, cannotConvert(raw, "Edm.DateTimeOffset")
		}
		return tm.UTC().Truncate(time.Second), nil
	case kindGUID:
		s, _ := v.(string)
		if !guidRE.MatchString(s) {
			return nil, cannotConvert(raw, "Edm.Guid")
		}
		return strings.ToLower(s), nil
	}
	return decodeDynamic(c, v)
}

func decodeString(t *table, c *column, v any, raw json.RawMessage) (any, *odataError) {
	s, ok := v.(string)
	if !ok {
		return nil, cannotConvert(raw, "Edm.String")
	}
	if c.maxLen > 0 && utf8.RuneCountInString(s) > c.maxLen {
		return nil, newError(http.StatusBadRequest, "0x80044331",
			"A validation error occurred. The length of the '%s' attribute of the '%s' entity exceeded the maximum allowed length of '%d'.", c.name, t.entity, c.maxLen)
	}
	return emptyToNil(s), nil
}

// decodeDynamic accepts what a free-form column may hold: a string, a number, a boolean.
func decodeDynamic(c *column, v any) (any, *odataError) {
	switch x := v.(type) {
	case string:
		return emptyToNil(x), nil
	case json.Number, bool:
		return x, nil
	}
	return nil, badRequest("The column '%s' takes a string, a number, a boolean or null.", c.name)
}

func cannotConvert(raw json.RawMessage, edm string) *odataError {
	return badRequest("Cannot convert the literal '%s' to the expected type '%s'.", strings.Trim(string(raw), `"`), edm)
}
