package entra

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// deviceState is where a device-code sign-in stands.
type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDeclined
	deviceRedeemed
)

// deviceFlow is one device-code sign-in.
type deviceFlow struct {
	userCode  string
	clientID  string
	scopes    scopeRequest
	expiresAt time.Time
	state     deviceState
	tech      world.Technician // who approved it
	polls     int
	lastPoll  time.Time
	autoTech  *world.Technician // set when AutoApproveDevice will approve it on the second poll
}

// deviceCodeResponse is the devicecode endpoint's answer, fields in the order Entra sends them.
type deviceCodeResponse struct {
	UserCode        string `json:"user_code"`
	DeviceCode      string `json:"device_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int    `json:"expires_in"`
	Interval        int    `json:"interval"`
	Message         string `json:"message"`
}

// handleDeviceCode is POST /{tenant}/oauth2/v2.0/devicecode.
func (s *Server) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	form, e := s.postForm(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	resp, e := s.startDeviceFlow(form, r.PathValue("tenant"), baseURL(r))
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.writeJSON(w, r, newRequestIDs(r), http.StatusOK, resp)
}

// startDeviceFlow checks a device authorization request and records the new flow.
func (s *Server) startDeviceFlow(form url.Values, tenant, base string) (deviceCodeResponse, *Error) {
	clientID, e := checkClientID(form.Get("client_id"), tenant)
	if e != nil {
		return deviceCodeResponse{}, e
	}
	scopes, e := parseScopes(form.Get("scope"))
	if e != nil {
		return deviceCodeResponse{}, e
	}
	flow := &deviceFlow{clientID: clientID, scopes: scopes}
	if t, ok := s.technician(s.opts.DeviceUser); ok && s.opts.AutoApproveDevice {
		flow.autoTech = &t
	}
	deviceCode := "DAQABIQEAAAB" + randomToken(120)
	s.mu.Lock()
	now := s.opts.Now()
	s.sweepLocked(now)
	flow.expiresAt = now.Add(deviceCodeLifetime)
	flow.userCode = s.newUserCodeLocked()
	s.devices[deviceCode] = flow
	s.userCodes[flow.userCode] = deviceCode
	s.mu.Unlock()

	verification := base + "/devicelogin"
	return deviceCodeResponse{
		UserCode:        flow.userCode,
		DeviceCode:      deviceCode,
		VerificationURI: verification,
		ExpiresIn:       int(deviceCodeLifetime / time.Second),
		Interval:        devicePollInterval,
		Message: fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
			verification, flow.userCode),
	}, nil
}

// userCodeAlphabet has no 0/O or 1/I, which people misread.
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newUserCodeLocked makes an 8-character user code no live flow uses.
func (s *Server) newUserCodeLocked() string {
	for {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
		}
		if _, taken := s.userCodes[string(b)]; !taken {
			return string(b)
		}
	}
}

// pollDevice answers a device_code grant: pending, declined, expired, or the grant itself.
func (s *Server) pollDevice(form url.Values, clientID string) (grant, *Error) {
	deviceCode := form.Get("device_code")
	if deviceCode == "" {
		return grant{}, errMissingParameter("device_code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	flow, ok := s.devices[deviceCode]
	if !ok || flow.clientID != clientID || flow.state == deviceRedeemed {
		return grant{}, errBadVerificationCode()
	}
	now := s.opts.Now()
	if !now.Before(flow.expiresAt) {
		return grant{}, errDeviceCodeExpired()
	}
	if s.opts.EnforcePollInterval && !flow.lastPoll.IsZero() && now.Sub(flow.lastPoll) < devicePollInterval*time.Second {
		flow.lastPoll = now
		return grant{}, errSlowDown()
	}
	flow.lastPoll = now
	flow.polls++
	if flow.state == devicePending && flow.autoTech != nil && flow.polls >= 2 {
		flow.state, flow.tech = deviceApproved, *flow.autoTech
	}
	switch flow.state {
	case deviceApproved:
		flow.state = deviceRedeemed
		return grant{tech: flow.tech, clientID: flow.clientID, scopes: flow.scopes}, nil
	case deviceDeclined:
		return grant{}, errDeviceDeclined()
	}
	return grant{}, errAuthorizationPending()
}

// ApproveDevice signs the technician in on the device that shows userCode (case and dashes do not matter).
func (s *Server) ApproveDevice(userCode, techKey string) error {
	t, ok := s.technician(techKey)
	if !ok {
		return ErrUnknownTechnician
	}
	return s.settleDevice(userCode, func(f *deviceFlow) {
		f.state, f.tech = deviceApproved, t
	})
}

// DenyDevice declines the sign-in on the device that shows userCode: its next poll answers
// authorization_declined.
func (s *Server) DenyDevice(userCode string) error {
	return s.settleDevice(userCode, func(f *deviceFlow) { f.state = deviceDeclined })
}

func (s *Server) settleDevice(userCode string, settle func(*deviceFlow)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	deviceCode, ok := s.userCodes[normalizeUserCode(userCode)]
	if !ok {
		return ErrUnknownUserCode
	}
	flow := s.devices[deviceCode]
	switch {
	case !s.opts.Now().Before(flow.expiresAt):
		return ErrDeviceCodeExpired
	case flow.state != devicePending:
		return ErrDeviceFlowDone
	}
	settle(flow)
	return nil
}

// normalizeUserCode drops what people add when they type a code: spaces, dashes, lower case.
func normalizeUserCode(code string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(code)))
}
