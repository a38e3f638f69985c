package policy

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestConvert(t *testing.T) {
	tests := []struct {
		kind   Kind
		raw    any
		want   any
		notSet bool
		reason string
	}{
		{KindString, "  https://x.example  ", "https://x.example", false, ""},
		{KindString, "", nil, true, ""},
		{KindString, " \t ", nil, true, ""},
		{KindString, uint64(1234567), "1234567", false, ""},
		{KindString, int64(-3), "-3", false, ""},
		{KindString, true, nil, false, "is a boolean, want text"},
		{KindString, []string{"a", "b"}, nil, false, "is a list, want text"},
		{KindString, []byte{1}, nil, false, "is binary data, want text"},
		{KindString, map[string]any{}, nil, false, "is a dictionary, want text"},
		{KindString, 1.5, nil, false, "is a decimal number, want text"},
		{KindString, time.Time{}, nil, false, "is a date, want text"},
		{KindString, nil, nil, false, "is empty, want text"},

		{KindBool, true, true, false, ""},
		{KindBool, false, false, false, ""},
		{KindBool, uint64(1), true, false, ""},
		{KindBool, uint64(0), false, false, ""},
		{KindBool, int64(1), true, false, ""},
		{KindBool, uint64(2), nil, false, "is not 0 or 1"},
		{KindBool, int64(-1), nil, false, "is not 0 or 1"},
		{KindBool, "1", true, false, ""},
		{KindBool, " TRUE ", true, false, ""},
		{KindBool, "false", false, false, ""},
		{KindBool, "0", false, false, ""},
		{KindBool, "yes", nil, false, "is not 0, 1, true or false"},
		{KindBool, "", nil, true, ""},
		{KindBool, []any{true}, nil, false, "is a list, want true or false"},

		{KindInt, uint64(20), 20, false, ""},
		{KindInt, int64(-5), -5, false, ""},
		{KindInt, 7, 7, false, ""},
		{KindInt, " 30 ", 30, false, ""},
		{KindInt, "3.5", nil, false, "is not a whole number"},
		{KindInt, uint64(math.MaxUint64), nil, false, "is out of range"},
		{KindInt, 20.0, nil, false, "is a decimal number, want a whole number"},
		{KindInt, true, nil, false, "is a boolean, want a whole number"},
		{KindInt, "", nil, true, ""},
	}
	for _, tt := range tests {
		got, notSet, reason := convert(tt.kind, tt.raw)
		if got != tt.want || notSet != tt.notSet || reason != tt.reason {
			t.Errorf("convert(%v, %#v) = %#v, %v, %q; want %#v, %v, %q",
				tt.kind, tt.raw, got, notSet, reason, tt.want, tt.notSet, tt.reason)
		}
	}
}

func TestDisplayKeepsValuesShort(t *testing.T) {
	long := strings.Repeat("é", 150)
	got := display(long)
	if got != strings.Repeat("é", 100)+"…" {
		t.Errorf("display(150 runes) = %q", got)
	}
	if got := display([]string{"x"}); got != "" {
		t.Errorf("display(list) = %q, want empty", got)
	}
	if got := display(uint64(7)); got != "7" {
		t.Errorf("display(7) = %q", got)
	}
}
