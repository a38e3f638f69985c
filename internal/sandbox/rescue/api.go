package rescue

import (
	"crypto/rand"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// Options tunes the fake. The zero value gives the real service's rate limits and a one-minute pace.
type Options struct {
	// Now is the clock; every stage change is computed from it, lazily. Default time.Now.
	Now func() time.Time
	// Pace is how long each stage lasts (Connecting, Waiting, Active). Zero means one minute;
	// a negative pace means sessions move only through Advance and CloseSession.
	Pace time.Duration
	// ReportInterval is getReport_v2's rate limit per user. Default 60 s.
	ReportInterval time.Duration
	// PINInterval is requestPINCode's rate limit per technician. Default 1 s.
	PINInterval time.Duration
	// ClosedRetention is how long a closed session stays in getSession_v3. Default 20 minutes.
	ClosedRetention time.Duration
	// PINValidity is how long a PIN can be entered after it is issued; the session of a PIN its
	// customer never enters (AbandonNext) times out then. Default 20 minutes.
	PINValidity time.Duration
	// Seed drives the PIN and session-ID generators. Zero picks a fixed default seed.
	Seed uint64
	// NoHistory leaves out the finished sessions of the past week that New seeds by default.
	NoHistory bool
}

const (
	defaultPace            = time.Minute
	defaultReportInterval  = 60 * time.Second
	defaultPINInterval     = time.Second
	defaultClosedRetention = 20 * time.Minute
	defaultPINValidity     = 20 * time.Minute
	defaultSeed            = 0x5e5510_2024

	// maxBody bounds a POST body, as ASP.NET's default maxRequestLength (4 MB) does.
	maxBody = 4 << 20
)

// Server is the fake Rescue API together with the simulated Technician Consoles and customers.
// It is safe for concurrent use.
type Server struct {
	mu sync.Mutex

	now            func() time.Time
	pace           time.Duration
	reportInterval time.Duration
	pinInterval    time.Duration
	retention      time.Duration
	pinValidity    time.Duration

	org       world.Org
	techs     []*technician
	authcodes map[string]*technician
	apiTokens map[string]*technician // Admin Center API tokens: they stand in for an authcode

	sessions    []*session
	byID        map[int]*session
	pins        *pinSource
	ids         *idSource
	pinsLeft    int // negative: unlimited
	abandonLeft int // how many more PINs' customers never enter them

	failures map[string]int // method (lower case, "" = any) -> calls left that answer ERROR
}

// New builds a server from the seed. The world is only read.
func New(w *world.World, opts Options) *Server {
	s := &Server{
		now:            opts.Now,
		pace:           opts.Pace,
		reportInterval: orDefault(opts.ReportInterval, defaultReportInterval),
		pinInterval:    orDefault(opts.PINInterval, defaultPINInterval),
		retention:      orDefault(opts.ClosedRetention, defaultClosedRetention),
		pinValidity:    orDefault(opts.PINValidity, defaultPINValidity),
		org:            w.Org,
		authcodes:      map[string]*technician{},
		apiTokens:      map[string]*technician{},
		byID:           map[int]*session{},
		pinsLeft:       -1,
		failures:       map[string]int{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pace == 0 {
		s.pace = defaultPace
	}
	seed := opts.Seed
	if seed == 0 {
		seed = defaultSeed
	}
	s.pins = newPINSource(seed)
	s.ids = newIDSource(seed)
	for _, t := range w.Technicians {
		s.techs = append(s.techs, newTechnician(t))
	}
	if !opts.NoHistory {
		s.seedHistory(w, s.now())
	}
	return s
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// handler answers one API method; c.now is the request's time and the server lock is held.
type handler func(s *Server, c *call) string

// methods are the API's pages, keyed by lower-case name because ASP.NET paths are case-insensitive.
var methods = map[string]handler{
	"requestauthcode":    (*Server).requestAuthCode,
	"requestauthcodesso": (*Server).requestAuthCodeSSO,
	"getaccount":         (*Server).getAccount,
	"getuser":            (*Server).getUser,
	"getuser_v3":         (*Server).getUserV3,
	"gethierarchy_v2":    (*Server).getHierarchyV2,
	"requestpincode":     (*Server).requestPINCode,
	"getsession_v3":      (*Server).getSessionV3,
	"getnote":            (*Server).getNote,
	"getchat":            (*Server).getChat,
	"setreportarea":      (*Server).setReportArea,
	"setreportarea_v8":   (*Server).setReportAreaV8,
	"setreportdate":      (*Server).setReportDate,
	"setreportdate_v2":   (*Server).setReportDateV2,
	"setreporttime":      (*Server).setReportTime,
	"settimezone":        (*Server).setTimezone,
	"setoutput":          (*Server).setOutput,
	"setdelimiter":       (*Server).setDelimiter,
	"getreport_v2":       (*Server).getReportV2,
}

// call is one request to an API method.
type call struct {
	method string // lower case
	p      params
	now    time.Time
	tech   *technician // the authcode's user, once authenticated
}

// ServeHTTP answers /API/<method>.aspx with GET or form POST. Business errors are status tokens in a
// 200 text/plain body, as the real service answers them.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := methodName(r.URL.Path)
	h := methods[name]
	if !ok || h == nil {
		writeNotFound(w)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	p, err := readParams(w, r)
	if err != nil {
		writeStatus(w, http.StatusRequestEntityTooLarge)
		return
	}
	writeText(w, s.dispatch(name, h, p))
}

func (s *Server) dispatch(name string, h handler, p params) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	if s.takeFailure(name) {
		return tokError
	}
	return h(s, &call{method: name, p: p, now: now})
}

// methodName extracts the lower-case method from /API/<method>.aspx, matching case-insensitively.
func methodName(path string) (string, bool) {
	const prefix, suffix = "/api/", ".aspx"
	lower := strings.ToLower(path)
	if !strings.HasPrefix(lower, prefix) || !strings.HasSuffix(lower, suffix) {
		return "", false
	}
	name := lower[len(prefix) : len(lower)-len(suffix)]
	if name == "" || strings.ContainsAny(name, "/\\") {
		return "", false
	}
	return name, true
}

// readParams merges the query string and, for a form POST, the body. As ASP.NET's Request[name]
// does, the query string wins over the form when both carry a name.
func readParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := parseParams(r.URL.RawQuery)
	if r.Method != http.MethodPost || !isForm(r.Header.Get("Content-Type")) {
		return p, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, err
	}
	for k, v := range parseParams(string(body)) {
		if _, dup := p[k]; !dup {
			p[k] = v
		}
	}
	return p, nil
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// authenticate resolves the authcode to its user. deleted is the token for a deleted user, which
// requestPINCode spells USER_IS_DELETED and the other methods fold into USER_DELETED_OR_DISABLED.
func (s *Server) authenticate(c *call, deleted string) (string, bool) {
	code := c.p.get("authcode")
	if code == "" {
		return tokNotLoggedIn, false
	}
	t := s.authcodes[code]
	if t == nil {
		t = s.apiTokens[code]
	}
	if t == nil {
		return tokInvalidSecretAuthCode, false
	}
	switch t.state {
	case UserDeleted:
		return deleted, false
	case UserDisabled:
		return tokUserDeletedOrDisabled, false
	}
	c.tech = t
	return "", true
}

func (s *Server) requestAuthCode(c *call) string {
	t := s.techByEmail(c.p.get("email"))
	if t == nil || !t.canSignIn() || c.p.get("pwd") != t.Password {
		return tokInvalid
	}
	return replyAuthCode(s.issueAuthCode(t))
}

func (s *Server) requestAuthCodeSSO(c *call) string {
	company, ok := parseInt32(c.p.get("company"))
	if !ok {
		return tokInvalidParamCompany
	}
	if company != s.org.RescueCompanyID || c.p.get("pwd") != s.org.SSOPassword {
		return tokInvalid
	}
	t := s.techBySSOID(c.p.get("ssoid"))
	if t == nil || !t.canSignIn() {
		return tokInvalid
	}
	return replyAuthCode(s.issueAuthCode(t))
}

// issueAuthCode gives the technician a new authcode; the previous one stops working at once.
func (s *Server) issueAuthCode(t *technician) string {
	delete(s.authcodes, t.authcode)
	t.authcode = newAuthCode()
	s.authcodes[t.authcode] = t
	return t.authcode
}

// IssueAPIToken is the Admin Center's "generate API token" for a technician (D5): a secret that
// serves as an authcode, shown once. It is not replaced by requestAuthCode, and a new token for the
// same technician replaces the previous one.
func (s *Server) IssueAPIToken(techKey string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.techByKey(techKey)
	if err != nil {
		return "", err
	}
	for code, owner := range s.apiTokens {
		if owner == t {
			delete(s.apiTokens, code)
		}
	}
	token := "tok" + newAuthCode()
	s.apiTokens[token] = t
	return token, nil
}

// newAuthCode is a random lower-case alphanumeric string, like the codes the real service hands out.
func newAuthCode() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	const n = 40
	out := make([]byte, 0, n)
	buf := make([]byte, 64)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails
		for _, b := range buf {
			// 252 = 7*36: rejecting the top values keeps every character equally likely.
			if b < 252 && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

func (s *Server) getAccount(c *call) string {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return tok
	}
	return replyAccount(s.org.RescueCompanyID, organizationName, c.tech)
}

func (s *Server) getUser(c *call) string   { return s.user(c, false) }
func (s *Server) getUserV3(c *call) string { return s.user(c, true) }

// user answers getUser (node only) and getUser_v3 (node or email; node wins when both are given).
func (s *Server) user(c *call, v3 bool) string {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return tok
	}
	var t *technician
	if node := c.p.get("node"); node != "" || !v3 {
		if id, ok := parseInt32(node); ok {
			t = s.techByNode(id)
		}
	} else {
		t = s.techByEmail(c.p.get("email"))
	}
	if t == nil || t.state == UserDeleted {
		return tokInvalidParamNode
	}
	return replyUser(t, s.presence(t), v3)
}

// Maximum lengths of requestPINCode's fields, from the API guide. They count .NET characters
// (UTF-16 code units).
var customFieldLimits = [6]int{64, 512, 512, 256, 64, 64}

const trackingLimit = 64

func (s *Server) requestPINCode(c *call) string {
	if tok, ok := s.authenticate(c, tokUserIsDeleted); !ok {
		return tok
	}
	t := c.tech
	if t.state == UserNotTechnician {
		return tokNotTechnician
	}
	if !t.lastPIN.IsZero() && c.now.Sub(t.lastPIN) < s.pinInterval {
		return tokPollRateExceeded
	}
	t.lastPIN = c.now
	if !consoleOptional(c.p.get("notechconsole")) && !t.console {
		return tokNoTechConsoleRunning
	}
	if s.pinsLeft == 0 {
		return tokOutOfPINCodes
	}
	if s.pinsLeft > 0 {
		s.pinsLeft--
	}
	var fields [6]string
	for i := range fields {
		fields[i] = truncateUTF16(c.p.get(customFieldName(i)), customFieldLimits[i])
	}
	ss := s.openSession(t, fields, truncateUTF16(c.p.get("tracking0"), trackingLimit), c.now)
	return replyPIN(ss.pin)
}

func customFieldName(i int) string { return "cfield" + string(rune('0'+i)) }

// consoleOptional reads notechconsole: 1 (or true) lifts the console requirement; anything else,
// including a missing value, keeps it, as the documented default 0 does.
func consoleOptional(v string) bool {
	v = strings.TrimSpace(v)
	return v == "1" || strings.EqualFold(v, "true")
}

// truncateUTF16 cuts s to at most n UTF-16 code units without splitting a surrogate pair.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if units+w > n {
			return s[:i]
		}
		units += w
	}
	return s
}

func (s *Server) getSessionV3(c *call) string {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return tok
	}
	node, ok := parseInt32(c.p.get("node"))
	if !ok {
		return tokInvalidParamNode
	}
	// No channels exist in the sandbox's company, so only a technician node can answer.
	ref := strings.ToUpper(strings.TrimSpace(c.p.get("noderef")))
	if ref != "" && ref != "NODE" {
		return tokInvalidParamNode
	}
	t := s.techByNode(node)
	if t == nil || t.state == UserDeleted {
		return tokInvalidParamNode
	}
	var rows [][]string
	for _, ss := range s.sessions {
		rows = append(rows, s.nodeRows(ss, t, c.now, c.tech.Language)...)
	}
	return replyTable(sessionColumns, rows)
}

// nodeRows are the rows a technician's node shows for one session: one for each time they handed it
// over, still within the retention period, then its own row if it is theirs now.
func (s *Server) nodeRows(ss *session, t *technician, now time.Time, lang string) [][]string {
	var rows [][]string
	for _, tr := range ss.transfers {
		if tr.from == t && now.Sub(tr.at) < s.retention {
			rows = append(rows, transferredRow(ss, tr, now, lang))
		}
	}
	if ss.tech == t && s.listed(ss, now) {
		rows = append(rows, sessionRow(ss, now, lang))
	}
	return rows
}

// listed says whether getSession_v3 still shows a session: open ones always, closed ones for the
// retention period.
func (s *Server) listed(ss *session, now time.Time) bool {
	return ss.stage != StageClosed || now.Sub(ss.closedAt) < s.retention
}

func (s *Server) getNote(c *call) string {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return tok
	}
	ss := s.sessionParam(c.p)
	if ss == nil {
		return tokInvalidParamSession
	}
	return replyNote(ss.visibleNote(c.now))
}

// getChat answers ERROR for an unknown session, as C3 observed on the real service.
func (s *Server) getChat(c *call) string {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return tok
	}
	ss := s.sessionParam(c.p)
	if ss == nil {
		return tokError
	}
	return replyChat(ss.visibleChat(c.now))
}

func (s *Server) sessionParam(p params) *session {
	id, ok := parseInt32(p.get("session"))
	if !ok {
		return nil
	}
	return s.byID[id]
}

// params are request parameters keyed by lower-case name: ASP.NET's collections ignore case.
type params map[string]string

func (p params) get(name string) string { return p[strings.ToLower(name)] }

// parseParams decodes a query string or form body as leniently as ASP.NET does: '+' is a space,
// a malformed %-escape stays as typed, %uXXXX is accepted, invalid UTF-8 becomes U+FFFD, a pair
// without a name is dropped, and repeated names join their values with commas.
func parseParams(raw string) params {
	p := params{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, found := strings.Cut(pair, "=")
		if !found || k == "" {
			continue
		}
		key := strings.ToLower(urlDecode(k))
		val := urlDecode(v)
		if prev, dup := p[key]; dup {
			val = prev + "," + val
		}
		p[key] = val
	}
	return p
}

func urlDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && isHex(s[i+2:i+6]):
			r := rune(hexValue(s[i+2 : i+6]))
			if utf16.IsSurrogate(r) {
				r = utf8.RuneError
			}
			b.WriteRune(r)
			i += 5
		case c == '%' && i+2 < len(s) && isHex(s[i+1:i+3]):
			b.WriteByte(byte(hexValue(s[i+1 : i+3])))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if hexDigit(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexValue(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v<<4 | hexDigit(s[i])
	}
	return v
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// parseInt32 reads an integer as .NET's int.Parse does: surrounding white space, an optional sign,
// decimal digits, within the 32-bit range.
func parseInt32(s string) (int, bool) {
	s = strings.Trim(s, " \t\r\n\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
		if v > 1<<31 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if v > 1<<31-1 || v < -1<<31 {
		return 0, false
	}
	return v, true
}
