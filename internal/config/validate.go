package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// FieldError is one problem with one setting. Its text is a single line that names the key and
// quotes the value, e.g.: dynamics.tenant_id: "abc" is not a GUID
type FieldError struct {
	Key    string // dotted key, e.g. "dynamics.url"
	Value  string // the value as found (after normalisation)
	Reason string // what is wrong, e.g. "is not a GUID"
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %q %s", e.Key, e.Value, e.Reason)
}

// FieldErrors returns every FieldError inside err (as Validate joins them), in order, so a
// settings screen can mark each bad field.
func FieldErrors(err error) []*FieldError {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*FieldError
		for _, e := range joined.Unwrap() {
			out = append(out, FieldErrors(e)...)
		}
		return out
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return []*FieldError{fe}
	}
	return nil
}

// Normalize returns c with surrounding spaces trimmed from every string, trailing slashes
// trimmed from URLs, and the preset endpoint filled in when the instance has one and the
// endpoint is empty. Parse returns normalised settings; Save writes them.
func (c Config) Normalize() Config {
	c.Dynamics.URL = normalizeURL(c.Dynamics.URL)
	c.Dynamics.TenantID = strings.TrimSpace(c.Dynamics.TenantID)
	c.Dynamics.ClientID = strings.TrimSpace(c.Dynamics.ClientID)
	c.Dynamics.Authority = normalizeURL(c.Dynamics.Authority)
	c.Rescue.Instance = strings.TrimSpace(c.Rescue.Instance)
	c.Rescue.Endpoint = normalizeURL(c.Rescue.Endpoint)
	if preset := presetEndpoint(c.Rescue.Instance); preset != "" && c.Rescue.Endpoint == "" {
		c.Rescue.Endpoint = preset
	}
	c.Rescue.CompanyID = strings.TrimSpace(c.Rescue.CompanyID)
	c.Rescue.TechnicianSSOID = strings.TrimSpace(c.Rescue.TechnicianSSOID)
	c.Sandbox.CAFile = strings.TrimSpace(c.Sandbox.CAFile)
	c.Dataverse.SessionTable = strings.TrimSpace(c.Dataverse.SessionTable)
	c.Dataverse.SessionKey = strings.TrimSpace(c.Dataverse.SessionKey)
	c.Rescue.CorrelationField = strings.ToLower(strings.TrimSpace(c.Rescue.CorrelationField))
	c.Dataverse.TechnicianTable = strings.TrimSpace(c.Dataverse.TechnicianTable)
	c.Dataverse.TechnicianIDColumn = strings.TrimSpace(c.Dataverse.TechnicianIDColumn)
	c.Dataverse.TechnicianSSOColumn = strings.TrimSpace(c.Dataverse.TechnicianSSOColumn)
	return c
}

// normalizeURL trims spaces, and trailing slashes when what is left is still an absolute URL.
func normalizeURL(s string) string {
	s = strings.TrimSpace(s)
	trimmed := strings.TrimRight(s, "/")
	if u, err := url.Parse(trimmed); err == nil && u.Scheme != "" && u.Host != "" {
		return trimmed
	}
	return s
}

// presetEndpoint is the fixed endpoint of an instance, or "" when the instance has none.
func presetEndpoint(instance string) string {
	switch instance {
	case InstanceProduction:
		return ProductionEndpoint
	}
	return ""
}

// Validate checks every setting of the normalised c. It returns nil, or the problems joined
// with errors.Join in file order: one line each, naming the key and quoting the value. Use
// FieldErrors to take them apart.
func (c Config) Validate() error {
	c = c.Normalize()
	checks := []*FieldError{
		checkURL("dynamics.url", c.Dynamics.URL, true),
		checkGUID("dynamics.tenant_id", c.Dynamics.TenantID),
		checkGUID("dynamics.client_id", c.Dynamics.ClientID),
		checkURL("dynamics.authority", c.Dynamics.Authority, true),
		checkInstance(c.Rescue.Instance),
		checkEndpoint(c.Rescue.Instance, c.Rescue.Endpoint),
		checkNumber("rescue.company_id", c.Rescue.CompanyID),
		checkText("rescue.technician_sso_id", c.Rescue.TechnicianSSOID),
		checkCorrelationField(c.Rescue),
		checkPINValidity(c.Rescue.PINValidityMinutes),
		checkCAFile(c.Rescue.Instance, c.Sandbox.CAFile),
		checkName("dataverse.session_table", c.Dataverse.SessionTable),
		checkName("dataverse.session_key", c.Dataverse.SessionKey),
		checkName("dataverse.technician_table", c.Dataverse.TechnicianTable),
		checkName("dataverse.technician_id_column", c.Dataverse.TechnicianIDColumn),
		checkName("dataverse.technician_sso_column", c.Dataverse.TechnicianSSOColumn),
	}
	var errs []error
	for _, fe := range checks {
		if fe != nil {
			errs = append(errs, fe)
		}
	}
	return errors.Join(errs...)
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func checkGUID(key, value string) *FieldError {
	switch {
	case value == "":
		return &FieldError{key, value, "is required"}
	case !guidPattern.MatchString(value):
		return &FieldError{key, value, "is not a GUID"}
	}
	return nil
}

// checkURL enforces https, except on loopback where http is allowed too (the sandbox).
// originOnly refuses a path: the app appends its own paths to these URLs.
func checkURL(key, value string, originOnly bool) *FieldError {
	if value == "" {
		return &FieldError{key, value, "is required"}
	}
	u, err := url.Parse(value)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return &FieldError{key, value, "is not an absolute URL"}
	case u.User != nil:
		return &FieldError{key, value, "must not contain a user name or password"}
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(value, "#"):
		return &FieldError{key, value, "must not contain a query or fragment"}
	case originOnly && u.Path != "":
		return &FieldError{key, value, "must be scheme and host only, with no path"}
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return &FieldError{key, value, "must use https (http is allowed only for loopback)"}
	}
	return &FieldError{key, value, "must use https"}
}

// isLoopback accepts 127.0.0.0/8, ::1 and localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var instances = []string{InstanceProduction, InstanceBeta, InstanceSandbox, InstanceCustom}

func checkInstance(value string) *FieldError {
	for _, in := range instances {
		if value == in {
			return nil
		}
	}
	return &FieldError{"rescue.instance", value, "is not one of " + strings.Join(instances, ", ")}
}

func checkEndpoint(instance, value string) *FieldError {
	const key = "rescue.endpoint"
	if preset := presetEndpoint(instance); preset != "" {
		if strings.EqualFold(value, preset) {
			return nil
		}
		return &FieldError{key, value, fmt.Sprintf(
			"does not match rescue.instance %q (its endpoint is %s; use instance \"custom\" for another host)",
			instance, preset)}
	}
	if value == "" {
		if instance != InstanceSandbox && instance != InstanceCustom && instance != InstanceBeta {
			return nil // the instance itself is wrong, and that is already reported
		}
		return &FieldError{key, value, fmt.Sprintf("is required with rescue.instance %q", instance)}
	}
	return checkURL(key, value, false)
}

func checkNumber(key, value string) *FieldError {
	for _, r := range value {
		if r < '0' || r > '9' {
			return &FieldError{key, value, "is not a number"}
		}
	}
	return nil
}

func checkText(key, value string) *FieldError {
	for _, r := range value {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return &FieldError{key, value, "contains a control or invalid character"}
		}
	}
	return nil
}

func checkCAFile(instance, value string) *FieldError {
	if value == "" || instance == InstanceSandbox {
		return checkText("sandbox.ca_file", value)
	}
	return &FieldError{"sandbox.ca_file", value, fmt.Sprintf(
		"is set but rescue.instance is %q (it is used only with instance \"sandbox\")", instance)}
}

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func checkName(key, value string) *FieldError {
	switch {
	case value == "":
		return &FieldError{key, value, "is required"}
	case !namePattern.MatchString(value):
		return &FieldError{key, value, "is not a schema name (letters, digits and _, starting with a letter)"}
	}
	return nil
}

func checkCorrelationField(r Rescue) *FieldError {
	if r.CorrelationIndex() < 0 {
		return &FieldError{
			"rescue.correlation_field", r.CorrelationField,
			"must be cfield2, cfield3, cfield4 or cfield5 (cfield0 and cfield1 carry the customer's name and e-mail)",
		}
	}
	return nil
}

func checkPINValidity(minutes int) *FieldError {
	if minutes < 1 || minutes > 1440 {
		return &FieldError{"rescue.pin_validity_minutes", strconv.Itoa(minutes), "must be between 1 and 1440"}
	}
	return nil
}
