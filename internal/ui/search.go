package ui

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Sort orders of the case list.
const (
	sortModified = iota // most recently modified first
	sortPriority        // high first, then most recently modified
	sortNumber          // case number ascending
	sortCustomer        // customer name A→Z, then most recently modified
)

// fold makes text comparable the way a person searches: case- and accent-insensitive, so "helene"
// finds "Hélène" and "etoile" finds "L'Étoile".
func fold(s string) string {
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

// filterCases keeps the cases whose number, title or customer contain every word of the query.
func filterCases(cases []Case, query string) []Case {
	words := strings.Fields(fold(query))
	if len(words) == 0 {
		return append([]Case(nil), cases...)
	}
	var out []Case
	for _, c := range cases {
		hay := fold(c.Number + " " + c.Title + " " + c.Customer)
		if containsAll(hay, words) {
			out = append(out, c)
		}
	}
	return out
}

func containsAll(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// sortCases orders cases in place; ties fall back to the most recently modified first.
func sortCases(cases []Case, order int) {
	newer := func(a, b Case) bool { return a.Modified.After(b.Modified) }
	less := map[int]func(a, b Case) bool{
		sortModified: newer,
		sortPriority: func(a, b Case) bool {
			if pa, pb := priorityRank(a), priorityRank(b); pa != pb {
				return pa < pb
			}
			return newer(a, b)
		},
		sortNumber: func(a, b Case) bool { return a.Number < b.Number },
		sortCustomer: func(a, b Case) bool {
			if ca, cb := fold(a.Customer), fold(b.Customer); ca != cb {
				return ca < cb
			}
			return newer(a, b)
		},
	}[order]
	if less == nil {
		less = newer
	}
	sort.SliceStable(cases, func(i, j int) bool { return less(cases[i], cases[j]) })
}

// priorityRank puts cases without a priority last.
func priorityRank(c Case) int {
	if c.PriorityCode <= 0 {
		return 99
	}
	return c.PriorityCode
}
