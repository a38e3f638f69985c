package ui

import (
	"testing"
	"time"
)

func TestFoldIgnoresCaseAndAccents(t *testing.T) {
	for in, want := range map[string]string{
		"Hélène Côté":      "helene cote",
		"L'Étoile d'Or":    "l'etoile d'or",
		"Åsa Lindström":    "asa lindstrom",
		"Nguyễn Thị Hương": "nguyen thi huong",
		"CAS-01001-ABCDEF": "cas-01001-abcdef",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

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
		if fold(query) == "" && len(got) != 1 {
			t.Fatal("an empty query must keep every case")
		}
	})
}
