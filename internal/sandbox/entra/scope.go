package entra

import (
	"net/url"
	"strings"
)

// The permissions a resource scope may name.
const (
	permImpersonation = "user_impersonation"
	permDefault       = ".default"
)

// oidcScopes are the OpenID Connect scopes; they are not part of the granted resource scope.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// scopeRequest is a parsed scope parameter: one resource scope plus OpenID Connect scopes.
type scopeRequest struct {
	resource   string          // the resource as the client wrote it, e.g. https://org.example or https://org.example/
	audience   string          // the resource's origin, lower-case, without a trailing slash
	permission string          // permImpersonation or permDefault
	oidc       map[string]bool // openid, profile, offline_access, email
}

// parseScopes reads a space-separated scope parameter. It needs exactly one resource, named as
// "<https origin>/user_impersonation" or "<https origin>/.default", alongside any OpenID Connect scopes.
func parseScopes(raw string) (scopeRequest, *Error) {
	fields := strings.Fields(raw)
	if len(fields) == 0 {
		return scopeRequest{}, errMissingParameter("scope")
	}
	req := scopeRequest{oidc: map[string]bool{}}
	for _, f := range fields {
		if lower := strings.ToLower(f); oidcScopes[lower] {
			req.oidc[lower] = true
			continue
		}
		resource, audience, permission, ok := splitResourceScope(f)
		if !ok {
			return scopeRequest{}, errInvalidScope(strings.Join(fields, " "))
		}
		if err := req.addResource(resource, audience, permission, fields); err != nil {
			return scopeRequest{}, err
		}
	}
	if req.audience == "" {
		return scopeRequest{}, errInvalidScope(strings.Join(fields, " "))
	}
	return req, nil
}

// addResource records the request's resource scope; a second one must repeat the first.
func (req *scopeRequest) addResource(resource, audience, permission string, fields []string) *Error {
	switch {
	case req.audience == "":
		req.resource, req.audience, req.permission = resource, audience, permission
	case req.audience != audience:
		return errMultipleResources(strings.Join(fields, " "))
	case req.permission != permission:
		// Entra refuses .default next to a named permission of the same resource.
		return errInvalidScope(strings.Join(fields, " "))
	}
	return nil
}

// splitResourceScope splits "<resource>/<permission>" and checks the resource is an https origin.
func splitResourceScope(scope string) (resource, audience, permission string, ok bool) {
	i := strings.LastIndex(scope, "/")
	if i <= 0 {
		return "", "", "", false
	}
	resource, permission = scope[:i], strings.ToLower(scope[i+1:])
	if permission != permImpersonation && permission != permDefault {
		return "", "", "", false
	}
	audience, ok = resourceAudience(resource)
	return resource, audience, permission, ok
}

// resourceAudience gives the origin a resource names: https, a host, and no path beyond "/".
func resourceAudience(resource string) (string, bool) {
	u, err := url.Parse(resource)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Opaque != "" || u.User != nil {
		return "", false
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", false
	}
	if strings.ContainsAny(u.Host, " \t\r\n\"<>\\^`{|}") {
		return "", false
	}
	return "https://" + strings.ToLower(u.Host), true
}

// granted is the scope value of the token response: the resource scope(s), never the OIDC ones.
func (req scopeRequest) granted() string {
	impersonation := req.resource + "/" + permImpersonation
	if req.permission == permDefault {
		return impersonation + " " + req.resource + "/" + permDefault
	}
	return impersonation
}
