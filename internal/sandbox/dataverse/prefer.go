package dataverse

import (
	"strconv"
	"strings"
)

// Annotation terms the sandbox can produce.
const (
	annFormatted = "OData.Community.Display.V1.FormattedValue"
	annNavProp   = "Microsoft.Dynamics.CRM.associatednavigationproperty"
	annLogical   = "Microsoft.Dynamics.CRM.lookuplogicalname"
)

// preferences are the Prefer header's preferences that the sandbox understands. Others are ignored,
// as RFC 7240 asks of a server.
type preferences struct {
	representation bool
	maxPageSize    int    // 0: none asked for
	annotationsRaw string // the include-annotations value as sent, for Preference-Applied
	annotations    annotationFilter
}

// annotationFilter is an odata.include-annotations value: terms or namespace.* patterns, "*" for all,
// and "-" in front of a pattern to exclude it.
type annotationFilter struct {
	include, exclude []string
}

func (f annotationFilter) any() bool { return len(f.include) > 0 }

// wants reports whether the annotation term was asked for.
func (f annotationFilter) wants(term string) bool {
	for _, p := range f.exclude {
		if annotationMatch(p, term) {
			return false
		}
	}
	for _, p := range f.include {
		if annotationMatch(p, term) {
			return true
		}
	}
	return false
}

func annotationMatch(pattern, term string) bool {
	if pattern == "*" {
		return true
	}
	if ns, ok := strings.CutSuffix(pattern, ".*"); ok {
		return len(term) > len(ns) && strings.EqualFold(term[:len(ns)+1], ns+".")
	}
	return strings.EqualFold(pattern, term)
}

func parseAnnotationFilter(v string) annotationFilter {
	var f annotationFilter
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case strings.HasPrefix(p, "-"):
			f.exclude = append(f.exclude, p[1:])
		default:
			f.include = append(f.include, p)
		}
	}
	return f
}

// parsePrefer reads every Prefer header. Preferences are separated by commas outside quoted strings.
func parsePrefer(headers []string) preferences {
	var p preferences
	for _, h := range headers {
		for _, item := range splitPreferences(h) {
			p.apply(item)
		}
	}
	return p
}

func (p *preferences) apply(item string) {
	pref, _, _ := strings.Cut(item, ";") // parameters such as odata.callback;url=… are not used here
	name, value, _ := strings.Cut(strings.TrimSpace(pref), "=")
	name = strings.ToLower(strings.TrimSpace(name))
	value = unquote(strings.TrimSpace(value))
	switch name {
	case "return":
		p.representation = value == "representation"
	case "odata.maxpagesize":
		if n, err := strconv.Atoi(value); err == nil && n > 0 {
			p.maxPageSize = min(n, maxPageSize)
		}
	case "odata.include-annotations":
		p.annotationsRaw = value
		p.annotations = parseAnnotationFilter(value)
	}
}

func splitPreferences(h string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, h[start:i])
				start = i + 1
			}
		}
	}
	return append(out, h[start:])
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// applied lists what goes in Preference-Applied for a read: the annotations and the page size.
func (p preferences) appliedForRead(pageSizeApplied bool) []string {
	var out []string
	if p.annotationsRaw != "" {
		out = append(out, `odata.include-annotations="`+p.annotationsRaw+`"`)
	}
	if pageSizeApplied && p.maxPageSize > 0 {
		out = append(out, "odata.maxpagesize="+strconv.Itoa(p.maxPageSize))
	}
	return out
}
