package ui

import (
	"testing"
)

// The start-up trace hears which screen came first: the cached cases, or the sign-in.
func TestReadyNamesTheFirstScreen(t *testing.T) {
	a := newTestApp(t)
	for _, c := range []struct {
		auth  *fakeAuth
		cache *CaseList
		want  string
	}{
		{&fakeAuth{}, nil, "signin"},
		{signedIn(), &CaseList{Cases: sampleCases(), AsOf: asOfTime}, "cached"},
	} {
		var got []string
		s := newShell(a, sandboxEnv, Services{
			Auth: c.auth, Cases: &fakeCases{cached: c.cache}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Sessions: &fakeSessions{},
			Ready: func(what string) { got = append(got, what) },
		}, syncRun)
		s.start()
		s.Window().Close()
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("ready %v, want [%s]", got, c.want)
		}
	}
}
