package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// convert turns a value as a source holds it into the Go value of kind k: a string, a bool or
// an int. notSet reports text that is empty or only spaces, which counts as no value at all (an
// MSI property or a Group Policy text box left blank writes exactly that). reason is "" on
// success, else what is wrong, ready to follow the value in a message.
//
// Every source goes through here, so the same value is accepted from the registry, a plist and
// policy.toml alike: a value in its own type, or the same value as text. A number is accepted
// for text (CompanyId is a number to most people) and for a boolean when it is 0 or 1.
func convert(k Kind, raw any) (value any, notSet bool, reason string) {
	if s, ok := raw.(string); ok && strings.TrimSpace(s) == "" {
		return nil, true, ""
	}
	switch k {
	case KindString:
		value, reason = toString(raw)
	case KindBool:
		value, reason = toBool(raw)
	case KindInt:
		value, reason = toInt(raw)
	default:
		reason = "has an unknown kind"
	}
	return value, false, reason
}

func toString(raw any) (any, string) {
	switch v := raw.(type) {
	case string:
		return strings.TrimSpace(v), ""
	case int, int64, uint64:
		return fmt.Sprint(v), ""
	}
	return nil, "is " + describe(raw) + ", want text"
}

func toBool(raw any) (any, string) {
	switch v := raw.(type) {
	case bool:
		return v, ""
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true":
			return true, ""
		case "0", "false":
			return false, ""
		}
		return nil, "is not 0, 1, true or false"
	case int, int64, uint64:
		switch fmt.Sprint(v) {
		case "1":
			return true, ""
		case "0":
			return false, ""
		}
		return nil, "is not 0 or 1"
	}
	return nil, "is " + describe(raw) + ", want true or false"
}

func toInt(raw any) (any, string) {
	switch v := raw.(type) {
	case int:
		return v, ""
	case int64:
		if v < math.MinInt || v > math.MaxInt {
			return nil, "is out of range"
		}
		return int(v), ""
	case uint64:
		if v > math.MaxInt {
			return nil, "is out of range"
		}
		return int(v), ""
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, "is not a whole number"
		}
		return n, ""
	}
	return nil, "is " + describe(raw) + ", want a whole number"
}

// describe names the type of a value the way an administrator would.
func describe(raw any) string {
	switch raw.(type) {
	case string:
		return "text"
	case bool:
		return "a boolean"
	case int, int64, uint64:
		return "a whole number"
	case float32, float64:
		return "a decimal number"
	case []byte:
		return "binary data"
	case time.Time:
		return "a date"
	case []any, []string, []map[string]any:
		return "a list"
	case map[string]any:
		return "a dictionary"
	case nil:
		return "empty"
	}
	return fmt.Sprintf("of type %T", raw)
}

// display is a value as a message quotes it: text and numbers as they are, capped in length so
// that one bad value keeps its message on one readable line; other types show as "".
func display(raw any) string {
	var s string
	switch v := raw.(type) {
	case string:
		s = v
	case bool, int, int64, uint64:
		s = fmt.Sprint(v)
	default:
		return ""
	}
	const limit = 100
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return s
}
