package rescue

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFieldLen(t *testing.T) {
	for s, want := range map[string]int{
		"": 0, "abc": 3, "é": 1, "e\u0301": 2, "👍": 2, "👨\u200d👩\u200d👧": 8, "🇫🇷": 4, "\xff": 1,
	} {
		if got := FieldLen(s); got != want {
			t.Errorf("FieldLen(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	a63 := strings.Repeat("a", 63)
	for _, tc := range []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"short enough", "Hélène", 64, "Hélène"},
		{"exactly the limit", strings.Repeat("é", 64), 64, strings.Repeat("é", 64)},
		{"accented letters count one each", strings.Repeat("é", 65), 64, strings.Repeat("é", 64)},
		{"an emoji that would straddle the limit", a63 + "👍", 64, a63},
		{"an emoji that fits", strings.Repeat("a", 62) + "👍b", 64, strings.Repeat("a", 62) + "👍"},
		{"a combining accent stays with its letter", a63 + "e\u0301", 64, a63},
		{"a letter with its accent that fits", strings.Repeat("a", 62) + "e\u0301x", 64, strings.Repeat("a", 62) + "e\u0301"},
		{"two combining marks", strings.Repeat("a", 61) + "o\u0308\u0301", 63, strings.Repeat("a", 61)},
		{"a skin tone stays with its hand", strings.Repeat("a", 61) + "👍🏽", 64, strings.Repeat("a", 61)},
		{"a joined family is not split", "ab👨\u200d👩\u200d👧", 7, "ab"},
		{"a flag is not halved", "a🇫🇷🇩🇪", 7, "a🇫🇷"},
		{"an emoji with a variation selector", strings.Repeat("a", 63) + "❤\ufe0f", 64, strings.Repeat("a", 63)},
		{"all one cluster falls back to characters", "e" + strings.Repeat("\u0301", 10), 4, "e\u0301\u0301\u0301"},
		{"invalid UTF-8 becomes U+FFFD", "ab\xffcd", 3, "ab\uFFFD"},
		{"zero limit", "abc", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Truncate(tc.in, tc.limit)
			if got != tc.want {
				t.Errorf("got %q (%d units), want %q", got, FieldLen(got), tc.want)
			}
			if FieldLen(got) > tc.limit || !utf8.ValidString(got) {
				t.Errorf("%q is over the limit or not UTF-8", got)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	if CustomFieldLimits != [6]int{64, 512, 512, 256, 64, 64} || TrackingLimit != 64 {
		t.Fatalf("limits %v %d differ from the API guide", CustomFieldLimits, TrackingLimit)
	}
}
