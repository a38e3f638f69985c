package ui

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// filterTeam keeps the sessions of one technician ("" for all) with one outcome.
func filterTeam(rows []SessionDetails, technician string, outcome int) []SessionDetails {
	return filterSessions(rows, func(d SessionDetails) bool {
		switch {
		case technician != "" && d.Technician != technician:
			return false
		case outcome == outcomeResolved:
			return d.Resolved
		case outcome == outcomeUnresolved:
			return !d.Resolved
		}
		return true
	})
}

func filterSessions(rows []SessionDetails, keep func(SessionDetails) bool) []SessionDetails {
	var out []SessionDetails
	for _, d := range rows {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// totals are the team view's three numbers.
type totals struct {
	sessions        int
	resolvedPercent int
	medianActive    time.Duration
}

func teamTotals(rows []SessionDetails) totals {
	t := totals{sessions: len(rows)}
	if len(rows) == 0 {
		return t
	}
	resolved := 0
	active := make([]time.Duration, len(rows))
	for i, d := range rows {
		if d.Resolved {
			resolved++
		}
		active[i] = d.Active
	}
	t.resolvedPercent = int(math.Round(100 * float64(resolved) / float64(len(rows))))
	t.medianActive = median(active)
	return t
}

// median is the middle value, or the mean of the two middle values of an even count.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

// technicianMedian is one row of the per-technician table.
type technicianMedian struct {
	technician string
	sessions   int
	median     time.Duration
}

// technicianMedians are each technician's count and median active time, by name.
func technicianMedians(rows []SessionDetails) []technicianMedian {
	active := map[string][]time.Duration{}
	for _, d := range rows {
		active[d.Technician] = append(active[d.Technician], d.Active)
	}
	out := make([]technicianMedian, 0, len(active))
	for name, ds := range active {
		out = append(out, technicianMedian{name, len(ds), median(ds)})
	}
	slices.SortFunc(out, func(a, b technicianMedian) int {
		switch {
		case a.technician < b.technician:
			return -1
		case a.technician > b.technician:
			return 1
		}
		return 0
	})
	return out
}

// dayBars are the chart's bars: one per local calendar day from the start of the period to
// today, each the number of sessions that started that day. Labels are MM-DD, at most about ten
// of them so that they never overlap.
func dayBars(rows []SessionDetails, now time.Time, period time.Duration) ([]string, []int) {
	first, last := startOfDay(now.Add(-period)), startOfDay(now)
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	counts := make([]int, len(days))
	for _, r := range rows {
		if i := slices.IndexFunc(days, startOfDay(r.Start).Equal); i >= 0 {
			counts[i]++
		}
	}
	every := (len(days) + 9) / 10
	labels := make([]string, len(days))
	for i, d := range days {
		if (len(days)-1-i)%every == 0 { // today always has its label
			labels[i] = d.Format("01-02")
		}
	}
	return labels, counts
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// teamCSVHeader names the columns of TeamCSV.
var teamCSVHeader = []string{
	"session_id", "case_number", "customer", "technician", "status", "resolved",
	"start", "end", "waiting_seconds", "active_seconds", "total_seconds",
}

// TeamCSV writes sessions as CSV by RFC 4180 (CRLF line ends, quotes only where needed), under
// a header row: session_id, case_number, customer, technician, status, resolved (true or false),
// start and end (RFC 3339 in UTC, empty when unknown), then the waiting, active and total times
// in whole seconds. A text that a spreadsheet would take for a formula (it begins with =, +, -,
// @, a tab or a carriage return) gets a leading apostrophe: the customer's name is typed by the
// customer, and the file is opened by a lead.
func TeamCSV(rows []SessionDetails) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	_ = w.Write(teamCSVHeader) // a bytes.Buffer does not fail
	for _, d := range rows {
		_ = w.Write([]string{
			strconv.Itoa(d.SessionID), csvText(d.CaseNumber), csvText(d.Customer), csvText(d.Technician),
			csvText(d.Status), strconv.FormatBool(d.Resolved), csvTime(d.Start), csvTime(d.End),
			csvSeconds(d.Waiting), csvSeconds(d.Active), csvSeconds(d.Total),
		})
	}
	w.Flush()
	return b.Bytes()
}

func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func csvSeconds(d time.Duration) string {
	return strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10)
}
