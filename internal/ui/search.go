package ui

import (
	"sort"

	"github.com/rescuecompanion/rescue-companion/internal/textmatch"
)

// Sort orders of the case list.
const (
	sortModified = iota // most recently modified first
	sortPriority        // high first, then most recently modified
	sortNumber          // case number ascending
	sortCustomer        // customer name A→Z, then most recently modified
)

// filterCases keeps the cases whose number, title or customer contain every word of the query.
func filterCases(cases []Case, query string) []Case {
	q := textmatch.Parse(query)
	out := make([]Case, 0, len(cases))
	for _, c := range cases {
		if q.Match(c.Number, c.Title, c.Customer) {
			out = append(out, c)
		}
	}
	return out
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
			if ca, cb := textmatch.Fold(a.Customer), textmatch.Fold(b.Customer); ca != cb {
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
