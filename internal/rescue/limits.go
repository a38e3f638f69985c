package rescue

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// CustomFieldLimits are the longest values requestPINCode keeps in cfield0 … cfield5, counted as
// .NET counts string length (UTF-16 code units). RequestPINCode cuts longer values before sending, so
// that the service never cuts them again somewhere else.
var CustomFieldLimits = [6]int{64, 512, 512, 256, 64, 64}

// TrackingLimit is the longest tracking0 value requestPINCode keeps, counted the same way.
const TrackingLimit = 64

// FieldLen is the length of s as the service counts it: UTF-16 code units, so a character outside
// the Basic Multilingual Plane (most emoji) counts 2. An invalid byte counts as the U+FFFD it becomes.
func FieldLen(s string) int {
	n := 0
	for _, r := range s {
		n += units(r)
	}
	return n
}

func units(r rune) int {
	if w := utf16.RuneLen(r); w > 0 {
		return w
	}
	return 1
}

// Truncate cuts s to at most limit UTF-16 code units. It never splits a character, and where it can it
// also keeps a character with the marks and joiners that follow it: it does not leave "e" of "é"
// written as e + U+0301, half a flag, or part of an emoji sequence joined by U+200D. Invalid UTF-8 is
// replaced by U+FFFD first, as the service would read it.
func Truncate(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if limit <= 0 {
		return ""
	}
	cut, n := len(s), 0
	for i, r := range s {
		if n+units(r) > limit {
			cut = i
			break
		}
		n += units(r)
	}
	if cut == len(s) {
		return s
	}
	if c := clusterStart(s, cut); c > 0 {
		cut = c
	}
	return s[:cut]
}

// clusterStart moves a cut at byte i back until it no longer falls inside a cluster of characters
// that belong together. It returns 0 when the whole prefix is one cluster.
func clusterStart(s string, i int) int {
	for i > 0 {
		next, _ := utf8.DecodeRuneInString(s[i:])
		prev, size := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case extendsCluster(next), prev == zeroWidthJoiner:
		case isRegionalIndicator(next) && oddIndicatorsBefore(s, i):
		default:
			return i
		}
		i -= size
	}
	return 0
}

const zeroWidthJoiner = '\u200d'

// extendsCluster reports a character that attaches to the one before it: combining marks, joiners,
// variation selectors, emoji skin-tone modifiers and tag characters.
func extendsCluster(r rune) bool {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
		return true
	case r == zeroWidthJoiner, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F:
		return true
	}
	return false
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// oddIndicatorsBefore reports whether an odd number of regional indicators ends at byte i: the one
// at i would then be the second half of a flag.
func oddIndicatorsBefore(s string, i int) bool {
	n := 0
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !isRegionalIndicator(r) {
			break
		}
		n++
		i -= size
	}
	return n%2 == 1
}
