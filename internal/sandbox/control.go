package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
)

// The control surface, served under /_sandbox/ on every origin. It is for people trying the app and for
// tests written in other languages; Go tests use the same operations through the Sandbox's fields.
//
//	GET    /_sandbox/state                         technicians with their console, sessions, active faults,
//	                                               URLs, and the requests each fake has served
//	POST   /_sandbox/console    tech=KEY running=true|false
//	POST   /_sandbox/advance    session=ID         move a Rescue session to its next stage
//	POST   /_sandbox/faults     JSON fault.Rule    (or form: service, path, kind, count, retry_after, delay=1s)
//	DELETE /_sandbox/faults                        clear every fault
//	POST   /_sandbox/approve    user_code=CODE tech=KEY   approve a device-code sign-in
//	POST   /_sandbox/expire                        expire every access token (clients must refresh)
//	POST   /_sandbox/token      tech=KEY           issue a Rescue API token (text/plain) for a technician
func (s *Sandbox) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sandbox/state", s.handleState)
	mux.HandleFunc("POST /_sandbox/console", s.handleConsole)
	mux.HandleFunc("POST /_sandbox/advance", s.handleAdvance)
	mux.HandleFunc("POST /_sandbox/faults", s.handleAddFault)
	mux.HandleFunc("DELETE /_sandbox/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.Faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sandbox/approve", func(w http.ResponseWriter, r *http.Request) {
		reply(w, s.Entra.ApproveDevice(r.FormValue("user_code"), r.FormValue("tech")))
	})
	mux.HandleFunc("POST /_sandbox/expire", func(w http.ResponseWriter, _ *http.Request) {
		s.Entra.ExpireAccessTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sandbox/token", func(w http.ResponseWriter, r *http.Request) {
		token, err := s.Rescue.IssueAPIToken(r.FormValue("tech"))
		if err != nil {
			reply(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(token))
	})
	return mux
}

// withControl routes /_sandbox/ to the control surface and everything else to the fake.
func withControl(control, fake http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			control.ServeHTTP(w, r)
			return
		}
		fake.ServeHTTP(w, r)
	})
}

type techState struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Console bool   `json:"console_running"`
}

func (s *Sandbox) handleState(w http.ResponseWriter, _ *http.Request) {
	techs := make([]techState, 0, len(s.World.Technicians))
	for _, t := range s.World.Technicians {
		techs = append(techs, techState{t.Key, t.Name, t.Email, s.Rescue.ConsoleRunning(t.Key)})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"authority":   s.AuthorityURL,
		"tenant_id":   s.Tenant(),
		"dynamics":    s.DynamicsURL,
		"rescue":      s.RescueURL,
		"technicians": techs,
		"sessions":    s.Rescue.Sessions(),
		"requests":    s.Requests(),
		"faults":      s.Faults.Rules(),
	})
}

func (s *Sandbox) handleConsole(w http.ResponseWriter, r *http.Request) {
	running, err := strconv.ParseBool(r.FormValue("running"))
	if err != nil {
		http.Error(w, "running must be true or false", http.StatusBadRequest)
		return
	}
	reply(w, s.Rescue.SetConsole(r.FormValue("tech"), running))
}

func (s *Sandbox) handleAdvance(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.FormValue("session"))
	if err != nil {
		http.Error(w, "session must be a session ID", http.StatusBadRequest)
		return
	}
	reply(w, s.Rescue.Advance(id))
}

func (s *Sandbox) handleAddFault(w http.ResponseWriter, r *http.Request) {
	rule, err := parseRule(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	reply(w, s.Faults.Add(rule))
}

// parseRule reads a fault rule from a JSON body or from form fields.
func parseRule(r *http.Request) (fault.Rule, error) {
	var rule fault.Rule
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(&rule)
		return rule, err
	}
	rule = fault.Rule{
		Service:      r.FormValue("service"),
		PathContains: r.FormValue("path"),
		Kind:         fault.Kind(r.FormValue("kind")),
	}
	var err error
	if v := r.FormValue("count"); v != "" {
		if rule.Count, err = strconv.Atoi(v); err != nil {
			return rule, err
		}
	}
	if v := r.FormValue("retry_after"); v != "" {
		if rule.RetryAfter, err = strconv.Atoi(v); err != nil {
			return rule, err
		}
	}
	if v := r.FormValue("delay"); v != "" {
		if rule.Delay, err = time.ParseDuration(v); err != nil {
			return rule, err
		}
	}
	return rule, nil
}

func reply(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
