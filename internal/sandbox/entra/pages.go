package entra

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// The HTML pages. html/template escapes every value, so requests cannot inject markup.
var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}}</title>
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:60px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;font-weight:600;margin:0 0 16px}
.banner{font-size:.8rem;color:#605e5c;margin-bottom:24px}
button.tile{display:block;width:100%;text-align:left;background:#fff;border:0;border-bottom:1px solid #eee;padding:12px 4px;cursor:pointer;font:inherit}
button.tile:hover,button.tile.hint{background:#e6f2fb}
.name{display:block;font-weight:600}.email{display:block;color:#605e5c;font-size:.9rem}
button.primary{background:#0067b8;color:#fff;border:0;padding:8px 24px;font:inherit;cursor:pointer}
button.secondary{background:#ccc;border:0;padding:8px 24px;font:inherit;cursor:pointer;margin-top:16px}
input[type=text]{width:100%;font:inherit;padding:6px 0;border:0;border-bottom:1px solid #666;margin-bottom:16px;text-transform:uppercase}
.error{color:#e81123}.details{font-size:.8rem;color:#605e5c;word-break:break-all}
label{display:block;padding:4px 0}
</style>
</head>
<body><main>
<div class="banner">Rescue Companion sandbox · {{"Microsoft Entra ID (simulated)"}}</div>
{{end}}

{{define "foot"}}</main></body></html>
{{end}}

{{define "picker"}}{{template "head" "Sign in to your account"}}
<h1>Pick an account</h1>
<p>to continue to application {{.ClientID}}</p>
<form method="post" action="{{.Action}}">
{{range .Technicians}}<button class="tile{{if .Hint}} hint{{end}}" type="submit" name="technician" value="{{.Key}}"><span class="name">{{.Name}}</span><span class="email">{{.Email}}</span></button>
{{end}}<button class="secondary" type="submit" name="cancel" value="1">Cancel</button>
</form>
{{template "foot"}}{{end}}

{{define "form_post"}}<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{{.Action}}">{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}" />{{end}}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script>document.forms[0].submit();</script></body></html>
{{end}}

{{define "error"}}{{template "head" "Sign in to your account"}}
<h1>Sign in</h1>
<p>Sorry, but we're having trouble signing you in.</p>
<p class="error">AADSTS{{.Err.AADSTS}}: {{.Err.Message}}</p>
<p class="details">Request Id: {{.TraceID}}<br>Correlation Id: {{.CorrelationID}}<br>Timestamp: {{.Timestamp}}</p>
{{template "foot"}}{{end}}

{{define "devicelogin"}}{{template "head" "Enter code"}}
<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{{if .Problem}}<p class="error">{{.Problem}}</p>{{end}}
<form method="post" action="/devicelogin">
<input type="text" name="user_code" value="{{.UserCode}}" placeholder="Code" autocomplete="off" autofocus>
<p>Sign in as:</p>
{{range $i, $t := .Technicians}}<label><input type="radio" name="technician" value="{{$t.Key}}"{{if eq $i 0}} checked{{end}}> {{$t.Name}} &lt;{{$t.Email}}&gt;</label>
{{end}}<button class="primary" type="submit" name="action" value="approve">Next</button>
<button class="secondary" type="submit" name="action" value="decline">Cancel sign-in</button>
</form>
{{template "foot"}}{{end}}

{{define "message"}}{{template "head" .Title}}
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
{{template "foot"}}{{end}}
`))

// pickerTech is one technician on the picker page.
type pickerTech struct {
	Key, Name, Email string
	Hint             bool // named by login_hint
}

type pickerPage struct {
	ClientID    string
	Action      string
	Technicians []pickerTech
}

type field struct{ Name, Value string }

type formPostPage struct {
	Action string
	Fields []field
}

type errorPage struct {
	Err                               *Error
	TraceID, CorrelationID, Timestamp string
}

type deviceLoginPage struct {
	UserCode    string
	Problem     string
	Technicians []pickerTech
}

type messagePage struct{ Title, Text string }

// render writes a page; the buffer keeps a template error from leaving half a page behind.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	noStore(w)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
}

// showError shows an error page, as Entra does when it cannot or must not answer the client.
func (s *Server) showError(w http.ResponseWriter, _ *http.Request, ids requestIDs, status int, e *Error) {
	s.render(w, status, "error", errorPage{
		Err: e, TraceID: ids.trace, CorrelationID: ids.correlation, Timestamp: entraTimestamp(s.opts.Now()),
	})
}

// showPicker shows the technicians; the form posts the same request back with the one picked.
func (s *Server) showPicker(w http.ResponseWriter, _ *http.Request, tenant string, query url.Values, req authorizeRequest) {
	hinted, _ := s.technician(req.loginHint)
	page := pickerPage{
		ClientID: req.clientID,
		Action:   "/" + url.PathEscape(tenant) + "/oauth2/v2.0/authorize?" + query.Encode(),
	}
	for _, t := range s.world.Technicians {
		page.Technicians = append(page.Technicians, pickerTech{Key: t.Key, Name: t.Name, Email: t.Email, Hint: t.Key == hinted.Key})
	}
	s.render(w, http.StatusOK, "picker", page)
}

// fieldOrder is the order Entra writes form_post fields in; others follow by name.
var fieldOrder = []string{"code", "error", "error_description", "error_uri", "state", "session_state"}

func orderedFields(v url.Values) []field {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := slices.Index(fieldOrder, a), slices.Index(fieldOrder, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	fields := make([]field, 0, len(names))
	for _, name := range names {
		fields = append(fields, field{Name: name, Value: v.Get(name)})
	}
	return fields
}

// handleDeviceLogin is GET and POST /devicelogin: enter the user code, pick a technician, approve or decline.
func (s *Server) handleDeviceLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.showDeviceLogin(w, http.StatusOK, r.URL.Query().Get("otc"), "")
	case http.MethodPost:
		s.submitDeviceLogin(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) showDeviceLogin(w http.ResponseWriter, status int, userCode, problem string) {
	page := deviceLoginPage{UserCode: userCode, Problem: problem}
	for _, t := range s.world.Technicians {
		page.Technicians = append(page.Technicians, pickerTech{Key: t.Key, Name: t.Name, Email: t.Email})
	}
	s.render(w, status, "devicelogin", page)
}

func (s *Server) submitDeviceLogin(w http.ResponseWriter, r *http.Request) {
	form, e := parseFormBody(r)
	if e != nil {
		s.showDeviceLogin(w, http.StatusBadRequest, "", "The request is not properly formatted.")
		return
	}
	userCode := form.Get("user_code")
	var err error
	declined := form.Get("action") == "decline"
	if declined {
		err = s.DenyDevice(userCode)
	} else {
		err = s.ApproveDevice(userCode, form.Get("technician"))
	}
	if err != nil {
		s.showDeviceLogin(w, http.StatusBadRequest, userCode, deviceLoginProblem(err))
		return
	}
	if declined {
		s.render(w, http.StatusOK, "message", messagePage{
			"Sign-in cancelled",
			"You have declined to sign in to the application on your device. You may now close this window.",
		})
		return
	}
	s.render(w, http.StatusOK, "message", messagePage{
		"You're signed in",
		"You have signed in to the application on your device. You may now close this window.",
	})
}

func deviceLoginProblem(err error) string {
	switch {
	case errors.Is(err, ErrUnknownUserCode):
		return "That code didn't work. Check the code and try again."
	case errors.Is(err, ErrDeviceCodeExpired):
		return "The code you entered has expired. Get a new code from the device you're trying to sign in to and try again."
	case errors.Is(err, ErrDeviceFlowDone):
		return "This request was already authorized or declined."
	case errors.Is(err, ErrUnknownTechnician):
		return "Pick an account to sign in with."
	}
	return "Something went wrong. Try again."
}

// handleLogout is the end_session_endpoint. The sandbox keeps no browser session, so there is nothing
// to end: it goes back to a loopback post_logout_redirect_uri, or says the user is signed out.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	ids := newRequestIDs(r)
	if _, ok := s.resolveTenant(r.PathValue("tenant")); !ok {
		s.showError(w, r, ids, http.StatusBadRequest, errTenantNotFound(r.PathValue("tenant")))
		return
	}
	if back := r.URL.Query().Get("post_logout_redirect_uri"); back != "" && checkRedirectURI(back) == nil {
		noStore(w)
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	s.render(w, http.StatusOK, "message", messagePage{
		"You signed out of your account",
		"It's a good idea to close all browser windows.",
	})
}

// handleErrorLookup is the page error_uri points to.
func (s *Server) handleErrorLookup(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(r.URL.Query().Get("code"))
	if err != nil || code <= 0 {
		s.render(w, http.StatusOK, "message", messagePage{
			"Error code lookup",
			"Add ?code=NNNN to look up an AADSTS error code.",
		})
		return
	}
	s.render(w, http.StatusOK, "message", messagePage{
		"Error code AADSTS" + strconv.Itoa(code),
		"The sandbox authority returned this code. See Microsoft's AADSTS error code reference for its meaning.",
	})
}
