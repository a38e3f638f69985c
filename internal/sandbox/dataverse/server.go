package dataverse

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// maxBodyBytes bounds a request body; a larger one is answered 413.
const maxBodyBytes = 1 << 20

// TokenCheck says whom a bearer token belongs to and for which resource (audience, e.g.
// "https://127.0.0.1:4443"); ok=false for unknown/expired tokens.
type TokenCheck func(accessToken string) (systemUserID, audience string, ok bool)

// Options tune a Server.
type Options struct {
	// AuthorizationURI goes in WWW-Authenticate: Bearer authorization_uri=<this>, e.g.
	// https://HOST/<tenant>/oauth2/authorize.
	AuthorizationURI string
	// Now is the clock for createdon, modifiedon and system jobs; time.Now by default.
	Now func() time.Time
	// NewID makes the GUID of a new row; random (version 4) by default.
	NewID func() string
	// WithoutSolution starts the organisation without the Rescue solution: no session table, no
	// technician settings table, no session key nor its index job. doctor --provision creates them
	// through the metadata API.
	WithoutSolution bool
	// NonCustomizers are the systemuserids of users without the System Customizer privileges: the
	// metadata writes (POST EntityDefinitions, …/Attributes, …/Keys, RelationshipDefinitions) and
	// ReactivateEntityKey answer them 403 with the platform code 0x80040220 and change nothing.
	// SetCustomizer changes this while the server runs.
	NonCustomizers []string
}

// Server is the fake Dataverse organisation. It is safe for concurrent use.
type Server struct {
	mu sync.Mutex
	schema
	world   *world.World
	check   TokenCheck
	opts    Options
	version int64 // the last RowVersion handed out
	// nonCustomizers are the systemuserids (lower case) refused the customization privileges.
	nonCustomizers map[string]bool
	// relationships are the MetadataIds of the relationships created, by lower-case schema name.
	relationships map[string]string
}

// New copies the world's seed into the server's own tables.
func New(w *world.World, check TokenCheck, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = randomGUID
	}
	s := &Server{
		schema: schema{tables: map[string]*table{}, byEntity: map[string]*table{}},
		world:  w, check: check, opts: opts, version: 7_310_000,
		nonCustomizers: map[string]bool{}, relationships: map[string]string{},
	}
	for _, id := range opts.NonCustomizers {
		s.nonCustomizers[strings.ToLower(id)] = true
	}
	s.seed(w, opts.Now())
	return s
}

func randomGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// request is one call to the Web API, with what every handler needs.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	caller string // systemuserid of the token's owner
	base   string // https://host/api/data/v9.2/
	body   []byte
	q      *queryOptions
	prefs  preferences
}

// ServeHTTP serves the Web API under /api/data/v9.2/ (v9.0 and v9.1 are answered too).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	version, rest, ok := splitAPIPath(r.URL.EscapedPath())
	if !ok {
		writeError(w, resourceNotFound(strings.TrimPrefix(r.URL.Path, "/")))
		return
	}
	caller, err := s.authenticate(r)
	if err != nil {
		s.challenge(w, r, err)
		return
	}
	q := &request{
		w: w, r: r, caller: caller, base: orgURL(r) + "/api/data/" + version + "/",
		prefs: parsePrefer(r.Header.Values("Prefer")),
	}
	if q.q, err = parseQueryOptions(r.URL.RawQuery); err != nil {
		writeError(w, err)
		return
	}
	if q.body, err = readBody(r); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.route(q, rest); err != nil {
		writeError(w, err)
	}
}

// splitAPIPath finds the API version and the rest of the escaped path.
func splitAPIPath(p string) (version, rest string, ok bool) {
	for _, v := range []string{"v9.2", "v9.1", "v9.0"} {
		if rest, ok := strings.CutPrefix(p, "/api/data/"+v+"/"); ok {
			return v, rest, true
		}
	}
	return "", "", false
}

// orgURL is the organisation URL the request was sent to.
func orgURL(r *http.Request) string {
	if r.TLS == nil {
		return "http://" + r.Host
	}
	return "https://" + r.Host
}

func readBody(r *http.Request) ([]byte, *odataError) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodDelete {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, badRequest("The request body could not be read.")
	}
	if len(b) > maxBodyBytes {
		return nil, newError(http.StatusRequestEntityTooLarge, codeQuery, "The request body is larger than %d bytes.", maxBodyBytes)
	}
	return b, nil
}

// authenticate checks the bearer token: issued by the sandbox authority, unexpired, for this organisation.
func (s *Server) authenticate(r *http.Request) (string, *odataError) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", newError(http.StatusUnauthorized, codeAuth, "The request is not authenticated: it carries no bearer token.")
	}
	user, audience, ok := s.check(token)
	if !ok {
		return "", newError(http.StatusUnauthorized, codeAuth, "The bearer token is not valid or has expired.")
	}
	if !sameOrganisation(audience, r) {
		return "", newError(http.StatusUnauthorized, codeAuth, "The bearer token was issued for '%s', not for this organization.", audience)
	}
	user = strings.ToLower(user)
	s.mu.Lock()
	_, member := s.tables["systemusers"].rows[user]
	s.mu.Unlock()
	if !member {
		return "", newError(http.StatusForbidden, codeNotMember, "The user with SystemUserId = %s is not a member of the organization.", user)
	}
	return user, nil
}

// sameOrganisation compares a token's audience with the organisation URL, ignoring case and a final
// slash. The URL is https://host; on a plain-HTTP listener http://host is accepted as well.
func sameOrganisation(audience string, r *http.Request) bool {
	a := strings.TrimSuffix(strings.ToLower(audience), "/")
	host := strings.ToLower(r.Host)
	return a == "https://"+host || r.TLS == nil && a == "http://"+host
}

// challenge answers 401 with the Bearer challenge that tells a client where to sign in.
func (s *Server) challenge(w http.ResponseWriter, r *http.Request, e *odataError) {
	if e.status == http.StatusUnauthorized {
		v := "Bearer"
		if s.opts.AuthorizationURI != "" {
			v += " authorization_uri=" + s.opts.AuthorizationURI + ","
		}
		w.Header().Set("WWW-Authenticate", v+" resource_id="+orgURL(r)+"/")
	}
	writeError(w, e)
}

// route dispatches on the path: functions and actions, metadata, entity sets, rows.
func (s *Server) route(q *request, rest string) *odataError {
	segs, err := splitSegments(rest)
	if err != nil {
		return err
	}
	name, key, hasKey, err := splitKey(segs[0])
	if err != nil {
		return err
	}
	switch name {
	case "":
		return s.serviceDocument(q, len(segs))
	case "$metadata", "$batch":
		return notImplemented(name)
	case "WhoAmI":
		if (hasKey && key != "") || len(segs) > 1 {
			return resourceNotFound(rest)
		}
		return s.whoAmI(q)
	case "RelationshipDefinitions":
		return s.relationshipDefinitions(q, hasKey, len(segs))
	case "ReactivateEntityKey", "CloseIncident":
		if hasKey || len(segs) > 1 {
			return resourceNotFound(rest)
		}
		return s.action(q, name)
	case "EntityDefinitions":
		return s.entityDefinitions(q, key, hasKey, segs[1:])
	}
	t := s.tables[name]
	if t == nil {
		return resourceNotFound(name)
	}
	return s.routeSet(q, t, key, hasKey, segs[1:])
}

func (s *Server) routeSet(q *request, t *table, key string, hasKey bool, more []string) *odataError {
	switch {
	case len(more) == 0 && !hasKey:
		if err := allow(q, t.set, t.methods(false)...); err != nil {
			return err
		}
		if q.r.Method == http.MethodPost {
			return s.create(q, t)
		}
		return s.list(q, t)
	case len(more) == 0:
		spec, err := parseKeySegment(key)
		if err != nil {
			return err
		}
		if err := allow(q, t.set, t.methods(true)...); err != nil {
			return err
		}
		switch q.r.Method {
		case http.MethodGet:
			return s.get(q, t, spec)
		case http.MethodPatch:
			return s.patch(q, t, spec)
		}
		return s.delete(q, t, spec)
	case len(more) == 1 && !hasKey && more[0] == "$count":
		if err := allow(q, t.set+"/$count", http.MethodGet); err != nil {
			return err
		}
		return s.count(q, t)
	}
	return notImplemented("requests to '" + t.set + "/" + strings.Join(more, "/") + "'")
}

// splitSegments splits the escaped path on '/' and unescapes each segment.
func splitSegments(rest string) ([]string, *odataError) {
	raw := strings.Split(rest, "/")
	segs := make([]string, len(raw))
	for i, r := range raw {
		s, err := url.PathUnescape(r)
		if err != nil {
			return nil, badRequest("Bad Request - Error in query syntax.")
		}
		segs[i] = s
	}
	return segs, nil
}

// splitKey splits name(key) into its parts.
func splitKey(seg string) (name, key string, hasKey bool, err *odataError) {
	name, key, hasKey = strings.Cut(seg, "(")
	if !hasKey {
		return name, "", false, nil
	}
	key, ok := strings.CutSuffix(key, ")")
	if !ok {
		return "", "", false, badRequest("Bad Request - Error in query syntax.")
	}
	return name, key, true, nil
}

// allow refuses a method the resource does not take, with 405 and an Allow header.
func allow(q *request, segment string, methods ...string) *odataError {
	for _, m := range methods {
		if q.r.Method == m {
			return nil
		}
	}
	q.w.Header().Set("Allow", strings.Join(methods, ", "))
	return methodNotAllowed(q.r.Method, segment)
}
