package rescue

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// reportSettings are one user's report parameters, kept between calls as the service keeps them
// for an authcode.
type reportSettings struct {
	area      int
	from, to  civil // the date window, in the report's time zone
	dateSet   bool
	fromSec   int // time-of-day window (setReportTime), seconds after midnight
	toSec     int
	tzMinutes int // offset from UTC
	xml       bool
	delimiter string
}

func defaultReportSettings() reportSettings {
	return reportSettings{toSec: 24*3600 - 1, delimiter: "|"}
}

func (s *Server) reportAuth(c *call) (*technician, string) {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return nil, tok
	}
	return c.tech, ""
}

func (s *Server) setReportArea(c *call) string   { return s.setArea(c, 10) }
func (s *Server) setReportAreaV8(c *call) string { return s.setArea(c, 16) }

func (s *Server) setArea(c *call, max int) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	area, ok := parseInt32(c.p.get("area"))
	if !ok || area < 0 || area > max {
		return tokInvalidFormat
	}
	t.report.area = area
	return tokOK
}

// setReportDate (v1) takes dates; a date without a time ends at the end of its day.
func (s *Server) setReportDate(c *call) string { return s.setDates(c, true) }

// setReportDate_v2 takes date-times; a date alone means midnight, as .NET's DateTime.Parse reads it.
func (s *Server) setReportDateV2(c *call) string { return s.setDates(c, false) }

func (s *Server) setDates(c *call, wholeDays bool) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	from, ok1 := parseReportDate(c.p.get("bdate"))
	to, ok2 := parseReportDate(c.p.get("edate"))
	if !ok1 || !ok2 {
		return tokInvalidFormat
	}
	if wholeDays && !to.hasTime {
		to.hour, to.min, to.sec = 23, 59, 59
	}
	if to.before(from) {
		return tokInvalidDateRange
	}
	t.report.from, t.report.to, t.report.dateSet = from, to, true
	return tokOK
}

func (s *Server) setReportTime(c *call) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	from, ok1 := parseClock(c.p.get("btime"))
	to, ok2 := parseClock(c.p.get("etime"))
	if !ok1 || !ok2 {
		return tokInvalidFormat
	}
	if to < from {
		return tokInvalidDateRange
	}
	t.report.fromSec, t.report.toSec = from, to
	return tokOK
}

// maxOffsetMinutes bounds setTimezone to the world's real offsets, UTC-12 to UTC+14.
const maxOffsetMinutes = 14 * 60

func (s *Server) setTimezone(c *call) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	tz, ok := parseInt32(c.p.get("timezone"))
	if !ok || tz < -12*60 || tz > maxOffsetMinutes {
		return tokInvalidFormat
	}
	t.report.tzMinutes = tz
	return tokOK
}

func (s *Server) setOutput(c *call) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	switch strings.ToUpper(strings.TrimSpace(c.p.get("output"))) {
	case "XML":
		t.report.xml = true
	case "TEXT":
		t.report.xml = false
	default:
		return tokInvalidFormat
	}
	return tokOK
}

func (s *Server) setDelimiter(c *call) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	d := c.p.get("delimiter")
	if d == "" {
		return tokInvalidFormat
	}
	t.report.delimiter = d
	return tokOK
}

// getReportV2 answers the report defined by the caller's settings. Only a served report starts the
// rate-limit interval; a refused or invalid request does not.
func (s *Server) getReportV2(c *call) string {
	t, tok := s.reportAuth(c)
	if t == nil {
		return tok
	}
	scope, ok := s.reportScope(c.p)
	if !ok {
		return tokInvalidParamNode
	}
	if !t.lastReport.IsZero() && c.now.Sub(t.lastReport) < s.reportInterval {
		return tokPollRateExceeded
	}
	t.lastReport = c.now
	header, rows := s.buildReport(t.report, scope, c.now, t.Language)
	return tokOK + lineEnd + lineEnd + renderReport(t.report, header, rows)
}

// reportScope reads node and nodetype: a technician's node (NODE, the default), or the whole
// account (EXTERNALROOT, which C3 calls with node -2). The sandbox's company has no channels and no
// external technicians. A nil technician means everyone.
func (s *Server) reportScope(p params) (*technician, bool) {
	node, ok := parseInt32(p.get("node"))
	if !ok {
		return nil, false
	}
	switch strings.ToUpper(strings.TrimSpace(p.get("nodetype"))) {
	case "", "NODE":
		t := s.techByNode(node)
		return t, t != nil && t.state != UserDeleted
	case "EXTERNALROOT":
		return nil, true
	}
	return nil, false
}

// reportColumns are area 0's columns in the service's order (D15, then C2's schema); the last two are
// read by third-party clients, at an unknown place. Columns 8 to 13 carry the account's labels of
// the custom fields (see customFieldLabels).
var reportColumns = []string{
	"Start Time", "End Time", "Last Action Time", "Technician Name", "Technician ID", "Session ID",
	"Session Type", "Status", "Name", "Custom field 1", "Custom field 2", "Custom field 3",
	"Custom field 4", "Custom field 5", "Tracking ID", "Customer IP", "Device ID", "Incident Tools Used",
	"Resolved Unresolved", "Channel ID", "Channel Name", "Calling Card", "Connecting Time",
	"Waiting Time", "Total Time", "Active Time", "Work Time", "Hold Time", "Time in Transfer",
	"Rebooting Time", "Reconnecting Time", "Platform", "Technician Email", "Browser Type", "Host Name",
	"Technician Group",
}

const firstCustomFieldColumn = 8

// customFieldLabels are the sandbox company's labels for cfield0..cfield5 (Admin Center, Global
// Settings), which replace the generic headers in reports.
var customFieldLabels = [6]string{
	"Customer name:", "E-mail:", "Problem description:", "Phone:", "Company:", "Reference:",
}

// technicianGroup is the group every sandbox technician belongs to.
const technicianGroup = "Helpdesk"

func reportHeader() []string {
	h := append([]string(nil), reportColumns...)
	copy(h[firstCustomFieldColumn:], customFieldLabels[:])
	return h
}

// buildReport lists the finished sessions whose start falls in the window, oldest first. Areas other
// than 0 (Session) are not simulated and come back empty.
func (s *Server) buildReport(rs reportSettings, scope *technician, now time.Time, lang string) ([]string, [][]string) {
	if rs.area != 0 {
		return nil, nil
	}
	loc := time.FixedZone("", rs.tzMinutes*60)
	from, to := rs.window(now, loc)
	var rows [][]string
	for _, ss := range s.sessions {
		if ss.stage != StageClosed || (scope != nil && ss.tech != scope) {
			continue
		}
		start := ss.started.In(loc)
		if start.Before(from) || start.After(to) || !rs.inTimeOfDay(start) {
			continue
		}
		rows = append(rows, reportRow(ss, loc, lang))
	}
	return reportHeader(), rows
}

// window is the date window in the report's zone; without setReportDate it is the current day.
func (rs reportSettings) window(now time.Time, loc *time.Location) (time.Time, time.Time) {
	if rs.dateSet {
		return rs.from.in(loc), rs.to.in(loc)
	}
	y, m, d := now.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	return day, day.Add(24*time.Hour - time.Second)
}

func (rs reportSettings) inTimeOfDay(t time.Time) bool {
	sec := t.Hour()*3600 + t.Minute()*60 + t.Second()
	return sec >= rs.fromSec && sec <= rs.toSec
}

// reportRow is a closed session's row. It names the technician who had the session at its close;
// Total Time is the sum of Connecting, Waiting, Active, Hold Time and Time in Transfer.
func reportRow(ss *session, loc *time.Location, lang string) []string {
	stamp := func(t time.Time) string { return t.In(loc).Format(reportTimeLayout) }
	d := ss.durations(ss.closedAt)
	active := d[phaseActive]
	tools := ""
	if active > 0 {
		tools = "Chat, Remote Control"
	}
	row := []string{
		stamp(ss.started), stamp(ss.closedAt), stamp(ss.closedAt), ss.tech.Name,
		strconv.Itoa(ss.tech.RescueNodeID), strconv.Itoa(ss.id), "PIN Code", statusText(lang, ss.status()),
	}
	row = append(row, ss.fields[:]...)
	return append(row,
		ss.tracking, ss.device.customerIP, "", tools, resolvedText(lang, ss.resolved()), "", "", "",
		formatDuration(d[phaseConnecting]), formatDuration(d[phaseWaiting]),
		formatDuration(ss.closedAt.Sub(ss.started)), formatDuration(active), formatDuration(active),
		formatDuration(d[phaseHold]), formatDuration(d[phaseTransfer]), formatDuration(0), formatDuration(0),
		ss.device.platform, ss.tech.Email, "", ss.device.hostName,
		technicianGroup,
	)
}

// renderReport writes the payload after the status line: XML, or TEXT lines that end with the
// delimiter.
func renderReport(rs reportSettings, header []string, rows [][]string) string {
	var b strings.Builder
	if !rs.xml {
		if header == nil {
			return ""
		}
		writeDelimited(&b, header, rs.delimiter)
		for _, r := range rows {
			writeDelimited(&b, r, rs.delimiter)
		}
		return b.String()
	}
	b.WriteString("<report><header>")
	writeXMLFields(&b, header)
	b.WriteString("</header><data>")
	for _, r := range rows {
		b.WriteString("<row>")
		writeXMLFields(&b, r)
		b.WriteString("</row>")
	}
	b.WriteString("</data></report>")
	return b.String()
}

func writeXMLFields(b *strings.Builder, cells []string) {
	for i, c := range cells {
		fmt.Fprintf(b, `<field id="%d">`, i)
		_ = xml.EscapeText(b, []byte(c))
		b.WriteString("</field>")
	}
}

// civil is a wall-clock date and time with no zone; the report's zone is applied when it runs.
type civil struct {
	year, month, day, hour, min, sec int
	hasTime                          bool
}

func (c civil) in(loc *time.Location) time.Time {
	return time.Date(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, 0, loc)
}

func (c civil) before(d civil) bool {
	a := [6]int{c.year, c.month, c.day, c.hour, c.min, c.sec}
	b := [6]int{d.year, d.month, d.day, d.hour, d.min, d.sec}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// String writes the date the way setReportDate_v2 expects it.
func (c civil) String() string {
	return fmt.Sprintf("%d/%d/%04d %d:%02d:%02d", c.month, c.day, c.year, c.hour, c.min, c.sec)
}

// parseReportDate reads a US date, M/D/YYYY, optionally followed by H:MM or H:MM:SS in 24-hour
// form or with AM/PM. Years run from 1753 (SQL Server's datetime floor) to 9999.
func parseReportDate(s string) (civil, bool) {
	s = strings.TrimSpace(s)
	datePart, timePart, _ := strings.Cut(s, " ")
	f := strings.Split(datePart, "/")
	if len(f) != 3 || !digits(f[0], 1, 2) || !digits(f[1], 1, 2) || !digits(f[2], 4, 4) {
		return civil{}, false
	}
	c := civil{month: atoi(f[0]), day: atoi(f[1]), year: atoi(f[2])}
	if c.year < 1753 || c.month < 1 || c.month > 12 || c.day < 1 || c.day > daysIn(c.month, c.year) {
		return civil{}, false
	}
	timePart = strings.TrimSpace(timePart)
	if timePart == "" {
		return c, true
	}
	sec, ok := parseClock(timePart)
	if !ok {
		return civil{}, false
	}
	c.hour, c.min, c.sec, c.hasTime = sec/3600, sec/60%60, sec%60, true
	return c, true
}

// parseClock reads H:MM[:SS] with an optional AM/PM suffix into seconds after midnight.
func parseClock(s string) (int, bool) {
	s = strings.TrimSpace(s)
	meridiem := ""
	if n := len(s); n >= 2 {
		switch strings.ToUpper(s[n-2:]) {
		case "AM", "PM":
			meridiem, s = strings.ToUpper(s[n-2:]), strings.TrimRight(s[:n-2], " ")
		}
	}
	f := strings.Split(s, ":")
	if len(f) < 2 || len(f) > 3 || !digits(f[0], 1, 2) || !digits(f[1], 2, 2) {
		return 0, false
	}
	h, m, sec := atoi(f[0]), atoi(f[1]), 0
	if len(f) == 3 {
		if !digits(f[2], 2, 2) {
			return 0, false
		}
		sec = atoi(f[2])
	}
	switch {
	case meridiem != "" && (h < 1 || h > 12):
		return 0, false
	case meridiem == "AM" && h == 12:
		h = 0
	case meridiem == "PM" && h != 12:
		h += 12
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	return h*3600 + m*60 + sec, true
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
