package policy

import (
	"errors"
	"strings"

	"github.com/rescuecompanion/rescue-companion/internal/config"
)

// Locked is the set of contract keys a policy manages; the settings screen shows them as
// managed and read-only.
type Locked map[string]bool

// Has reports whether the setting with contract key key is managed. A nil Locked manages none.
func (l Locked) Has(key string) bool { return l[key] }

// Apply lays p over the user's settings c: a policy value replaces the user's and locks it,
// and every other setting keeps the user's value (policy > user file > defaults). It returns
// the settings to run with and the keys that are locked.
//
// A policy that sets the Rescue endpoint but not the instance also locks the instance, to
// "production" when the endpoint is the production host and to "custom" otherwise; one that
// sets the production instance but not the endpoint also locks the endpoint to
// the instance's. Either alone would contradict the user's other half, and the MSI offers
// RESCUE_ENDPOINT with no instance property. A locked instance other than "sandbox" drops the
// user's sandbox.ca_file, which only the sandbox uses.
//
// The overlaid settings are checked with config.Validate. The error names each bad policy
// value, one line each, with its source and name (see ValueError); problems with the user's
// own values are not reported here but by the caller's own Validate. Apply returns the settings
// and the locks even with an error, so a settings screen can show what is managed and what is
// wrong; the app should not run with them.
//
// The result is for running. Never save it as the user's file: the policy's values would then
// outlive the policy.
func Apply(c config.Config, p Policy) (config.Config, Locked, error) {
	locked := Locked{}
	origins := map[string]origin{}
	var errs []error
	for _, key := range sortedKeys(p.Values) {
		if _, ok := byKey(key); !ok {
			errs = append(errs, unknownSetting(p.Source, key))
		}
	}
	for _, s := range table {
		raw, ok := p.Values[s.Key]
		if !ok {
			continue
		}
		o := p.originOf(s.Key)
		set, reason := assign(&c, s, raw)
		if reason != "" {
			errs = append(errs, &ValueError{Source: o.source, Name: o.name, Key: s.Key, Value: display(raw), Reason: reason})
		}
		if set {
			locked[s.Key] = true
			origins[s.Key] = o
		}
	}
	lockRescuePair(&c, locked, origins)
	if locked.Has("rescue.instance") && c.Rescue.Instance != config.InstanceSandbox {
		c.Sandbox.CAFile = ""
	}
	c = c.Normalize()
	for _, fe := range config.FieldErrors(c.Validate()) {
		if locked.Has(fe.Key) {
			o := origins[fe.Key]
			errs = append(errs, &ValueError{Source: o.source, Name: o.name, Key: fe.Key, Value: fe.Value, Reason: fe.Reason})
		}
	}
	return c, locked, errors.Join(errs...)
}

// assign writes raw, converted to s's kind, into c. set is false when the value counts as not
// set or is of the wrong type; reason then says what is wrong, if anything.
func assign(c *config.Config, s setting, raw any) (set bool, reason string) {
	value, notSet, reason := convert(s.Kind, raw)
	if notSet || reason != "" {
		return false, reason
	}
	switch field := s.field(c).(type) {
	case *string:
		*field = value.(string)
	case *bool:
		*field = value.(bool)
	case *int:
		*field = value.(int)
	}
	return true, ""
}

// lockRescuePair completes a policy that sets only one of rescue.instance and rescue.endpoint;
// see Apply.
func lockRescuePair(c *config.Config, locked Locked, origins map[string]origin) {
	const instance, endpoint = "rescue.instance", "rescue.endpoint"
	switch {
	case locked.Has(endpoint) && !locked.Has(instance):
		c.Rescue.Instance = config.InstanceCustom
		if sameEndpoint(c.Rescue.Endpoint, config.ProductionEndpoint) {
			c.Rescue.Instance = config.InstanceProduction
		}
		locked[instance], origins[instance] = true, origins[endpoint]
	case locked.Has(instance) && !locked.Has(endpoint):
		if preset := presetEndpoint(c.Rescue.Instance); preset != "" {
			c.Rescue.Endpoint = preset
			locked[endpoint], origins[endpoint] = true, origins[instance]
		}
	}
}

func presetEndpoint(instance string) string {
	switch instance {
	case config.InstanceProduction:
		return config.ProductionEndpoint
	}
	return ""
}

func sameEndpoint(a, b string) bool {
	trim := func(s string) string { return strings.TrimRight(strings.TrimSpace(s), "/") }
	return strings.EqualFold(trim(a), trim(b))
}
