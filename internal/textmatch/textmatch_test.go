package textmatch

import "testing"

func TestFoldIgnoresCaseAndAccents(t *testing.T) {
	for in, want := range map[string]string{
		"Hélène Côté":      "helene cote",
		"L'Étoile d'Or":    "l'etoile d'or",
		"Åsa Lindström":    "asa lindstrom",
		"Nguyễn Thị Hương": "nguyen thi huong",
		"CAS-01001-ABCDEF": "cas-01001-abcdef",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchNeedsEveryWordInAnyField(t *testing.T) {
	fields := []string{"CAS-01002-BBBBBB", "Imprimante de l'accueil hors ligne", "Hôtel Château-Neuf"}
	for q, want := range map[string]bool{
		"":                    true,
		"chateau":             true,
		"IMPRIMANTE hotel":    true,
		"01002":               true,
		"imprimante vpn":      false,
		"neuf imprimante cas": true,
	} {
		if got := Parse(q).Match(fields...); got != want {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
	// A word must not match across the boundary of two fields.
	if Parse("lignehôtel").Match("hors ligne", "hôtel") {
		t.Error("matched across fields")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("héllo wörld", "Hello World")
	f.Fuzz(func(t *testing.T, query, text string) {
		q := Parse(query)
		if len(q) == 0 && !q.Match(text) {
			t.Fatal("an empty query must match")
		}
		if q.Match(text) && !Parse(Fold(query)).Match(text) {
			t.Fatal("folding the query twice changed the result")
		}
	})
}
