// Package textmatch matches what a person types against what the app shows, the same way in the
// window's search box and in `rescue-companion cases --search`: case- and accent-insensitive, every
// word of the query somewhere in the text, in any order.
package textmatch

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lowers the case and drops the accents, so "helene" finds "Hélène" and "etoile" finds "L'Étoile".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Query is a search, folded once and split into words.
type Query []string

// Parse folds a search and splits it into words; an empty Query matches everything.
func Parse(q string) Query { return strings.Fields(Fold(q)) }

// Match reports whether every word of the query occurs in one of the fields.
func (q Query) Match(fields ...string) bool {
	if len(q) == 0 {
		return true
	}
	hay := Fold(strings.Join(fields, " \x00 "))
	for _, w := range q {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}
