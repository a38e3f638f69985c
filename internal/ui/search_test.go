package ui

import (
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/textmatch"
)

func TestSortTiesFallBackToNewest(t *testing.T) {
	now := time.Now()
	cs := []Case{
		{ID: "old-high", PriorityCode: 1, Modified: now.Add(-time.Hour)},
		{ID: "none", PriorityCode: 0, Modified: now},
		{ID: "new-high", PriorityCode: 1, Modified: now},
	}
	sortCases(cs, sortPriority)
	if cs[0].ID != "new-high" || cs[1].ID != "old-high" || cs[2].ID != "none" {
		t.Fatalf("order %v", ids(cs))
	}
}

func FuzzFilterCases(f *testing.F) {
	f.Add("héllo wörld", "CAS-01001", "Zoë")
	f.Fuzz(func(t *testing.T, query, number, customer string) {
		c := Case{Number: number, Customer: customer, Title: "t"}
		got := filterCases([]Case{c}, query)
		if len(got) > 1 {
			t.Fatal("more results than cases")
		}
		if len(textmatch.Parse(query)) == 0 && len(got) != 1 {
			t.Fatal("an empty query must keep every case")
		}
	})
}
