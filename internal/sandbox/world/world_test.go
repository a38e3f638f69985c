package world

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func TestSeedIsDeterministic(t *testing.T) {
	a, b := New(now), New(now)
	if len(a.Cases) != len(b.Cases) {
		t.Fatal("different sizes")
	}
	for i := range a.Cases {
		if a.Cases[i] != b.Cases[i] {
			t.Fatalf("case %d differs between runs", i)
		}
	}
}

func TestSeedLooksLikeARealHelpdesk(t *testing.T) {
	w := New(now)
	if len(w.Technicians) != 3 {
		t.Fatalf("%d technicians", len(w.Technicians))
	}
	french := 0
	for _, tech := range w.Technicians {
		if tech.Language == "fr" {
			french++
		}
		if tech.EntraOID == tech.SystemUserID {
			t.Errorf("%s: Entra oid and systemuserid must differ, as in real Dataverse", tech.Key)
		}
	}
	if french != 1 {
		t.Errorf("%d French technicians, want 1", french)
	}
	owned := map[string]int{}
	statuses := map[int]bool{}
	numbers := map[string]bool{}
	longTitle, open := false, 0
	number := regexp.MustCompile(`^CAS-\d{5}-[A-Z2-9]{6}$`)
	for _, c := range w.Cases {
		owned[c.OwnerID]++
		statuses[c.StatusCode] = true
		if StateOfStatus[c.StatusCode] != c.StateCode {
			t.Errorf("%s: status %d in state %d", c.Number, c.StatusCode, c.StateCode)
		}
		if numbers[c.Number] || !number.MatchString(c.Number) {
			t.Errorf("case number %q repeated or malformed", c.Number)
		}
		numbers[c.Number] = true
		if n := utf8.RuneCountInString(c.Title); n > 200 {
			t.Errorf("%s: title of %d characters", c.Number, n)
		} else if n == 200 {
			longTitle = true
		}
		if c.StateCode == 0 {
			open++
		}
		if c.ModifiedOn.Before(c.CreatedOn) || c.ModifiedOn.After(now) {
			t.Errorf("%s: modified %v, created %v", c.Number, c.ModifiedOn, c.CreatedOn)
		}
	}
	techCases := 0
	for _, tech := range w.Technicians {
		techCases += owned[tech.SystemUserID]
	}
	if techCases < 35 || techCases > 45 {
		t.Errorf("the technicians own %d cases, want about 40", techCases)
	}
	if open <= 100 {
		t.Errorf("%d open cases: the organisation's list must run past one page of 100", open)
	}
	for s := range StatusLabels {
		if !statuses[s] {
			t.Errorf("no case in status %d (%s)", s, StatusLabels[s])
		}
	}
	if !longTitle {
		t.Error("no 200-character title")
	}
	noEmail, accents, apostrophes := false, false, false
	for _, c := range w.Contacts {
		noEmail = noEmail || c.Email == ""
		accents = accents || strings.ContainsAny(c.FullName, "éèëçôöåÅÉ")
		apostrophes = apostrophes || strings.Contains(c.FullName, "'")
	}
	if !noEmail || !accents || !apostrophes {
		t.Errorf("contacts: without e-mail %v, accents %v, apostrophes %v", noEmail, accents, apostrophes)
	}
}

func TestGUIDIsWellFormedAndStable(t *testing.T) {
	g := GUID("x")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(g) || g != GUID("x") || g == GUID("y") {
		t.Fatalf("GUID %q", g)
	}
}

func TestTechnicianLookup(t *testing.T) {
	w := New(now)
	c := w.Technicians[0]
	for _, id := range []string{c.Key, strings.ToUpper(c.Email), c.SSOID, c.EntraOID, c.SystemUserID, "4310021"} {
		if got, ok := w.Technician(id); !ok || got.Key != c.Key {
			t.Errorf("Technician(%q) = %q, %v", id, got.Key, ok)
		}
	}
	if _, ok := w.Technician("nobody"); ok {
		t.Error("found nobody")
	}
}

// Each technician sees every priority and both kinds of customer, or screens and tests would only
// ever show one of them.
func TestEachTechnicianHasVariety(t *testing.T) {
	w := New(now)
	for _, tech := range w.Technicians {
		prios, kinds := map[int]bool{}, map[string]bool{}
		for _, c := range w.Cases {
			if c.OwnerID == tech.SystemUserID && c.StateCode == 0 {
				prios[c.PriorityCode] = true
				kinds[c.CustomerType] = true
			}
		}
		if len(prios) != 3 || len(kinds) != 2 {
			t.Errorf("%s: priorities %v, customer kinds %v", tech.Key, prios, kinds)
		}
	}
}
