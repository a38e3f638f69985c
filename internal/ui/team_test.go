package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fakeTeam is a scripted Team that records the periods asked for.
type fakeTeam struct {
	mu      sync.Mutex
	rows    []SessionDetails
	err     error
	periods []time.Duration
}

func (f *fakeTeam) Sessions(_ context.Context, period time.Duration) ([]SessionDetails, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.periods = append(f.periods, period)
	return f.rows, f.err
}

// teamSessions are five sessions of three technicians over three days, pinClock being today:
// one never reached a case, one's case was resolved while it was not.
func teamSessions() []SessionDetails {
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.Local) }
	session := func(id int, number, customer, tech string, start time.Time, active time.Duration, resolved, caseResolved bool) SessionDetails {
		return SessionDetails{
			SessionID: id, CaseNumber: number, Customer: customer, Technician: tech, Start: start,
			End: start.Add(active + time.Minute), Waiting: 45 * time.Second, Active: active, Total: active + time.Minute,
			Status: "Closed by technician", Resolved: resolved, CaseResolved: caseResolved,
		}
	}
	return []SessionDetails{
		session(7001005, "CAS-01005-EEEEEE", `=HYPERLINK("http://x.example","Zoë, \"VIP\"")`, "Jordan Blake", at(27, 13), 6*time.Minute, true, false),
		session(7001004, "", "Hôtel Château-Neuf", "Camille Lefèvre", at(27, 11), 4*time.Minute, false, false),
		session(7001003, "CAS-01001-AAAAAA", "Zoë O'Connor", "Camille Lefèvre", at(27, 9), 10*time.Minute, true, true),
		session(7001002, "CAS-01003-CCCCCC", "Grégoire N'Diaye", "Jordan Blake", at(26, 10), 30*time.Minute, false, true),
		session(7001001, "CAS-01002-BBBBBB", "Hôtel Château-Neuf", "Priya Raman", at(25, 16), 20*time.Minute, true, false),
	}
}

// openTeam opens Team sessions on the sample sessions, over the last 7 days.
func openTeam(t *testing.T, a fyne.App) (*Shell, *fakeTeam, *teamView) {
	t.Helper()
	ft := &fakeTeam{rows: teamSessions()}
	details := map[int]SessionDetails{}
	for _, d := range ft.rows {
		details[d.SessionID] = d
	}
	s := newToolShell(t, a, Services{Team: ft, Sessions: &fakeSessions{details: details}})
	s.showTeam()
	v := s.tools.team
	if v == nil {
		t.Fatal("Team sessions did not open")
	}
	v.period.SetSelected("Last 7 days")
	return s, ft, v
}

func TestTeamInBothLanguagesAndThemes(t *testing.T) {
	for _, c := range []struct {
		golden, lang string
		variant      fyne.ThemeVariant
	}{
		{"team/team_en_light.xml", "en", theme.VariantLight},
		{"team/team_fr_dark.xml", "fr", theme.VariantDark},
	} {
		t.Run(c.lang, func(t *testing.T) {
			a := newTestApp(t)
			useLanguage(t, c.lang)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), c.variant})
			ft := &fakeTeam{rows: teamSessions()}
			s := newToolShell(t, a, Services{Team: ft})
			s.showTeam()
			v := s.tools.team
			v.period.SetSelectedIndex(1)
			test.AssertRendersToMarkup(t, c.golden, laidOut(v.window.Canvas()))
		})
	}
}

func TestTeamPeriodsAskTheService(t *testing.T) {
	a := newTestApp(t)
	_, ft, v := openTeam(t, a)
	v.period.SetSelected("Last 30 days")
	test.Tap(v.refresh)
	if got := fmt.Sprint(ft.periods); got != "[24h0m0s 168h0m0s 720h0m0s 720h0m0s]" {
		t.Fatalf("periods %s", got)
	}
	if len(v.chart.values) != 31 {
		t.Fatalf("30 days draw %d bars", len(v.chart.values))
	}
}

func TestTeamFiltersAndTotals(t *testing.T) {
	a := newTestApp(t)
	_, _, v := openTeam(t, a)
	if got := v.technician.Options; fmt.Sprint(got) != "[All technicians Camille Lefèvre Jordan Blake Priya Raman]" {
		t.Fatalf("technicians %q", got)
	}
	for _, c := range []struct {
		technician, outcome           string
		count, resolved, median       string
		medians                       string
		noCase, resolvedWhileUnsolved int
	}{
		{"All technicians", "All outcomes", "5", "60%", "0:10:00", "[Camille Lefèvre 2 0:07:00 Jordan Blake 2 0:18:00 Priya Raman 1 0:20:00]", 1, 1},
		{"Jordan Blake", "All outcomes", "2", "50%", "0:18:00", "[Jordan Blake 2 0:18:00]", 0, 1},
		{"All technicians", "Unresolved only", "2", "0%", "0:17:00", "[Camille Lefèvre 1 0:04:00 Jordan Blake 1 0:30:00]", 1, 1},
		{"Priya Raman", "Unresolved only", "0", "—", "—", "[]", 0, 0},
		{"Camille Lefèvre", "Resolved only", "1", "100%", "0:10:00", "[Camille Lefèvre 1 0:10:00]", 0, 0},
	} {
		v.technician.SetSelected(c.technician)
		v.outcome.SetSelected(c.outcome)
		got := []string{v.count.Text, v.resolved.Text, v.median.Text, fmt.Sprint(medianRows(v))}
		want := []string{c.count, c.resolved, c.median, c.medians}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s / %s: %q, want %q", c.technician, c.outcome, got, want)
		}
		if len(v.noCase.rows) != c.noCase || len(v.unresolved.rows) != c.resolvedWhileUnsolved {
			t.Errorf("%s / %s: %d without a case, %d resolved while unresolved", c.technician, c.outcome, len(v.noCase.rows), len(v.unresolved.rows))
		}
		if v.export.Disabled() != (c.count == "0") {
			t.Errorf("%s / %s: export disabled %v", c.technician, c.outcome, v.export.Disabled())
		}
	}
}

// medianRows are the per-technician table's cells, without its header.
func medianRows(v *teamView) []string {
	var out []string
	for _, row := range v.medians.Objects[1:] {
		for _, cell := range row.(*fyne.Container).Objects {
			out = append(out, cell.(*widget.Label).Text)
		}
	}
	return out
}

func TestTheTwoSpecialLists(t *testing.T) {
	a := newTestApp(t)
	s, _, v := openTeam(t, a)
	if len(v.noCase.rows) != 1 || v.noCase.rows[0].SessionID != 7001004 {
		t.Fatalf("without a case: %+v", v.noCase.rows)
	}
	if len(v.unresolved.rows) != 1 || v.unresolved.rows[0].SessionID != 7001002 {
		t.Fatalf("resolved while unresolved: %+v", v.unresolved.rows)
	}
	if title, _ := recentSessionRow(v.noCase.rows[0]); title != "No case · Hôtel Château-Neuf" {
		t.Fatalf("row %q", title)
	}
	v.unresolved.list.Select(0)
	if s.detailView == nil || s.detailView.shown.SessionID != 7001002 {
		t.Fatal("the row did not open its session")
	}
	v.outcome.SetSelected("Resolved only")
	if !v.noCase.empty.Visible() || v.noCase.empty.Text != "Every session reached a case." ||
		!v.unresolved.empty.Visible() || v.unresolved.empty.Text != "None in this period." {
		t.Fatal("the empty lists do not say so")
	}
}

// The bars are in proportion to the sessions of their day, the busiest filling the chart.
func TestChartBarsAreProportional(t *testing.T) {
	a := newTestApp(t)
	_, _, v := openTeam(t, a)
	laidOut(v.window.Canvas())
	if got := fmt.Sprint(v.chart.values); got != "[0 0 0 0 0 1 1 3]" {
		t.Fatalf("sessions per day %s (Nov 20 to 27)", got)
	}
	labels := v.chart.content.Objects
	if first, last := labels[2].(*canvas.Text).Text, labels[len(labels)-1].(*canvas.Text).Text; first != "11-20" || last != "11-27" {
		t.Fatalf("labels %q to %q", first, last)
	}
	tallest := v.chart.bars[7].Size().Height
	if tallest < 50 {
		t.Fatalf("the busiest day is %v high", tallest)
	}
	for i, bar := range v.chart.bars {
		want := tallest * float32(v.chart.values[i]) / 3
		if math.Abs(float64(bar.Size().Height-want)) > 0.5 {
			t.Errorf("bar %d is %v high, want %v", i, bar.Size().Height, want)
		}
		if bar.Position().Y+bar.Size().Height != v.chart.bars[7].Position().Y+tallest {
			t.Errorf("bar %d does not stand on the baseline", i)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5}, 5},
		{[]time.Duration{9, 1, 5}, 5},
		{[]time.Duration{30, 4, 10, 20}, 15},
		{[]time.Duration{2, 2, 2, 8}, 2},
	} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestTeamCSVReadsBackFieldByField(t *testing.T) {
	rows := teamSessions()
	rows = append(rows, SessionDetails{SessionID: 7000999, Customer: "-1+2", Technician: "@ops", Status: "Line one\nline two"})
	data := TeamCSV(rows)
	if !bytes.HasPrefix(data, []byte("session_id,case_number,customer,technician,status,resolved,start,end,waiting_seconds,active_seconds,total_seconds\r\n")) {
		t.Fatalf("header line %q", strings.SplitN(string(data), "\n", 2)[0])
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("the last line does not end with CRLF")
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	utc := func(day, hour, minute int) string {
		return time.Date(2026, 11, day, hour, minute, 0, 0, time.Local).UTC().Format(time.RFC3339)
	}
	want := [][]string{
		teamCSVHeader,
		{"7001005", "CAS-01005-EEEEEE", `'=HYPERLINK("http://x.example","Zoë, \"VIP\"")`, "Jordan Blake", "Closed by technician", "true", utc(27, 13, 0), utc(27, 13, 7), "45", "360", "420"},
		{"7001004", "", "Hôtel Château-Neuf", "Camille Lefèvre", "Closed by technician", "false", utc(27, 11, 0), utc(27, 11, 5), "45", "240", "300"},
		{"7001003", "CAS-01001-AAAAAA", "Zoë O'Connor", "Camille Lefèvre", "Closed by technician", "true", utc(27, 9, 0), utc(27, 9, 11), "45", "600", "660"},
		{"7001002", "CAS-01003-CCCCCC", "Grégoire N'Diaye", "Jordan Blake", "Closed by technician", "false", utc(26, 10, 0), utc(26, 10, 31), "45", "1800", "1860"},
		{"7001001", "CAS-01002-BBBBBB", "Hôtel Château-Neuf", "Priya Raman", "Closed by technician", "true", utc(25, 16, 0), utc(25, 16, 21), "45", "1200", "1260"},
		{"7000999", "", "'-1+2", "'@ops", "Line one\nline two", "false", "", "", "0", "0", "0"},
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d", len(records), len(want))
	}
	for i := range want {
		if len(records[i]) != len(want[i]) {
			t.Fatalf("record %d has %d fields, want %d", i, len(records[i]), len(want[i]))
		}
		for j := range want[i] {
			if records[i][j] != want[i][j] {
				t.Errorf("record %d, %s: %q, want %q", i, teamCSVHeader[j], records[i][j], want[i][j])
			}
		}
	}
	if !strings.HasSuffix(want[1][6], "Z") {
		t.Fatalf("times are not UTC: %s", want[1][6])
	}
}

// memFile is a file being written, in memory.
type memFile struct {
	bytes.Buffer
	uri    fyne.URI
	closed bool
}

func (f *memFile) Close() error  { f.closed = true; return nil }
func (f *memFile) URI() fyne.URI { return f.uri }

func TestExportWritesTheFilteredSessions(t *testing.T) {
	a := newTestApp(t)
	s, _, v := openTeam(t, a)
	var asked []string
	file := &memFile{uri: storage.NewFileURI("/home/lead/team-sessions-2026-11-27.csv")}
	answer := func() (fyne.URIWriteCloser, error) { return file, nil }
	s.tools.saveFile = func(parent fyne.Window, name string, done func(fyne.URIWriteCloser, error)) {
		if parent != v.window {
			t.Error("the dialog is not over Team sessions")
		}
		asked = append(asked, name)
		done(answer())
	}
	v.technician.SetSelected("Jordan Blake")
	test.Tap(v.export)
	if fmt.Sprint(asked) != "[team-sessions-2026-11-27.csv]" || !file.closed {
		t.Fatalf("asked %q, closed %v", asked, file.closed)
	}
	if !bytes.Equal(file.Bytes(), TeamCSV(v.shown)) || len(v.shown) != 2 {
		t.Fatalf("wrote %q", file.String())
	}
	if !v.note.Visible() || v.note.Text != "Exported to team-sessions-2026-11-27.csv" {
		t.Fatalf("note %q", v.note.Text)
	}

	answer = func() (fyne.URIWriteCloser, error) { return nil, nil } // the lead changed their mind
	test.Tap(v.export)
	if v.problem.Visible() {
		t.Fatal("cancelling the dialog is not a problem")
	}
	answer = func() (fyne.URIWriteCloser, error) { return nil, errors.New("permission denied") }
	test.Tap(v.export)
	if !v.problem.Visible() || v.problem.Text != "Could not export: permission denied" {
		t.Fatalf("problem %q", v.problem.Text)
	}
}

func TestExportOpensASaveDialog(t *testing.T) {
	a := newTestApp(t)
	s, _, v := openTeam(t, a)
	if s.tools.saveFile == nil {
		t.Fatal("no way to save")
	}
	test.Tap(v.export)
	if v.window.Canvas().Overlays().Top() == nil {
		t.Fatal("no save dialog")
	}
}

func TestTeamLoadFailureThenRefresh(t *testing.T) {
	a := newTestApp(t)
	ft := &fakeTeam{err: errors.New("Dynamics refused the request (403)")}
	s := newToolShell(t, a, Services{Team: ft})
	s.showTeam()
	v := s.tools.team
	if !v.problem.Visible() || v.problem.Text != "Could not load the sessions: Dynamics refused the request (403)" || !v.export.Disabled() {
		t.Fatalf("problem %q", v.problem.Text)
	}
	ft.err = nil
	ft.rows = teamSessions()
	test.Tap(v.refresh)
	if v.problem.Visible() || v.count.Text != "5" {
		t.Fatalf("after refresh: problem %v, count %q", v.problem.Visible(), v.count.Text)
	}
	v.window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.tools.team != nil {
		t.Fatal("Escape did not close Team sessions")
	}
}

func TestTeamNeedsASignIn(t *testing.T) {
	a := newTestApp(t)
	ft := &fakeTeam{}
	s := newShell(a, sandboxEnv, Services{Auth: &fakeAuth{}, Cases: &fakeCases{}, Rescue: &fakeRescue{}, Links: &fakeLinks{}, Team: ft}, syncRun)
	s.start()
	t.Cleanup(s.Window().Close)
	s.showTeam()
	if s.tools.team != nil || len(ft.periods) != 0 {
		t.Fatal("Team sessions opened without a sign-in")
	}
}
