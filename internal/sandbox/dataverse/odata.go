package dataverse

import (
	"net/url"
	"strconv"
	"strings"
)

// Limits Dataverse puts on queries.
const (
	maxPageSize    = 5000 // the largest page, and the page size when none is asked for
	maxExpands     = 15   // $expand options in one query
	maxExpandDepth = 10
)

// schema finds tables by entity set or entity logical name.
type schema struct {
	tables   map[string]*table // by entity set name
	byEntity map[string]*table // by entity logical name
}

// queryParam is one name=value pair of the query string: raw as sent, name and value decoded.
type queryParam struct {
	raw, name, value string
}

// queryOptions are the decoded query string: system query options by name, parameter aliases, and the
// pairs as sent (for @odata.nextLink).
type queryOptions struct {
	params  []queryParam
	system  map[string]string
	aliases map[string]string
}

var supportedOptions = map[string]bool{
	"$select": true, "$filter": true, "$expand": true, "$orderby": true, "$top": true, "$count": true, "$skiptoken": true,
}

var unsupportedOptions = map[string]string{
	"$skip":    "The query parameter $skip is not supported.",
	"$apply":   "The sandbox does not implement $apply.",
	"$search":  "The query parameter $search is not supported.",
	"$format":  "The query parameter $format is not supported.",
	"$compute": "The query parameter $compute is not supported.",
	"$levels":  "The query parameter $levels is not supported.",
}

// parseQueryOptions splits the raw query string on '&' only: ';' separates the options nested in an
// $expand, so the standard library's parser (which rejects ';') cannot be used.
func parseQueryOptions(raw string) (*queryOptions, *odataError) {
	q := &queryOptions{system: map[string]string{}, aliases: map[string]string{}}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return nil, badRequest("The query string contains an invalid escape sequence: '%s'.", part)
		}
		q.params = append(q.params, queryParam{raw: part, name: name, value: value})
		if e := q.classify(name, value); e != nil {
			return nil, e
		}
	}
	return q, nil
}

func (q *queryOptions) classify(name, value string) *odataError {
	switch {
	case strings.HasPrefix(name, "$"):
		if msg, ok := unsupportedOptions[name]; ok {
			return badRequest("%s", msg)
		}
		if !supportedOptions[name] {
			return badRequest("The query parameter '%s' is not supported.", name)
		}
		if _, dup := q.system[name]; dup {
			return badRequest("Query option '%s' was specified more than once, but it must be specified at most once.", name)
		}
		q.system[name] = value
	case strings.HasPrefix(name, "@"):
		if _, dup := q.aliases[name]; dup {
			return badRequest("The parameter alias '%s' was specified more than once.", name)
		}
		q.aliases[name] = value
	case name == "fetchXml" || name == "savedQuery" || name == "userQuery":
		return notImplemented("the " + name + " query parameter")
	}
	return nil // other custom query options are ignored, as OData says
}

// only refuses the system query options a request of this kind cannot take.
func (q *queryOptions) only(allowed ...string) *odataError {
	for name := range q.system {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return badRequest("The query option '%s' is not valid for this request.", name)
		}
	}
	return nil
}

// withoutSkiptoken is the query string as sent, less any $skiptoken: the base of the next page's link.
func (q *queryOptions) withoutSkiptoken() string {
	parts := make([]string, 0, len(q.params))
	for _, p := range q.params {
		if p.name != "$skiptoken" {
			parts = append(parts, p.raw)
		}
	}
	return strings.Join(parts, "&")
}

// parseSelect checks a $select list against the table. nil means every column.
func parseSelect(t *table, v string) ([]string, *odataError) {
	if strings.TrimSpace(v) == "" {
		return nil, badRequest("Syntax error at position 0 in '%s'.", v)
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(v, ",") {
		name := strings.TrimSpace(item)
		if name == "*" {
			return nil, nil
		}
		if !isIdentifier(name) {
			return nil, badRequest("Syntax error: character '%s' is not valid in $select.", name)
		}
		if _, isNav := t.navs[name]; isNav {
			return nil, badRequest("The navigation property '%s' cannot be used in $select; use $expand.", name)
		}
		if t.column(name, false) == nil {
			return nil, unknownProperty(t, name)
		}
		if seen[name] {
			return nil, badRequest("Found multiple select terms with same select path '%s' at one $select, please combine them together.", name)
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}

// expandItem is one navigation property to expand, with its nested options.
type expandItem struct {
	nav    *navigation
	target *table
	sel    []string // nil: every column
	expand []*expandItem
}

// parseExpand checks an $expand list against the table. Only single-valued navigation properties exist
// in this sandbox, so the nested options are $select and $expand.
func (sc *schema) parseExpand(t *table, v string) ([]*expandItem, *odataError) {
	count := 0
	return sc.parseExpandLevel(t, v, 0, &count)
}

func (sc *schema) parseExpandLevel(t *table, v string, depth int, count *int) ([]*expandItem, *odataError) {
	if depth > maxExpandDepth {
		return nil, badRequest("The recursion limit has been exceeded.")
	}
	items, err := splitTopLevel(v, ',')
	if err != nil {
		return nil, err
	}
	var out []*expandItem
	seen := map[string]bool{}
	for _, item := range items {
		*count++
		if *count > maxExpands {
			return nil, badRequest("Number of link entities in query exceeded maximum limit.")
		}
		e, err := sc.parseExpandItem(t, strings.TrimSpace(item), depth, count)
		if err != nil {
			return nil, err
		}
		if seen[e.nav.name] {
			return nil, badRequest("Found multiple expand terms with same path '%s', please combine them together.", e.nav.name)
		}
		seen[e.nav.name] = true
		out = append(out, e)
	}
	return out, nil
}

func (sc *schema) parseExpandItem(t *table, item string, depth int, count *int) (*expandItem, *odataError) {
	name, opts, hasOpts := strings.Cut(item, "(")
	name = strings.TrimSpace(name)
	if hasOpts {
		if !strings.HasSuffix(opts, ")") {
			return nil, badRequest("Syntax error at position %d in '%s'.", len(item), item)
		}
		opts = opts[:len(opts)-1]
	}
	if strings.HasSuffix(name, "/$ref") {
		return nil, notImplemented("$expand with /$ref")
	}
	nav, ok := t.navs[name]
	if !ok {
		if !isIdentifier(name) {
			return nil, badRequest("Syntax error: '%s' is not a valid navigation property name.", name)
		}
		if t.column(name, false) != nil {
			return nil, badRequest("Property '%s' on type '%s' is not a navigation property or complex property. Only navigation properties can be expanded.", name, t.typeName())
		}
		return nil, unknownProperty(t, name)
	}
	e := &expandItem{nav: nav, target: sc.byEntity[nav.target]}
	if !hasOpts {
		return e, nil
	}
	return e, sc.parseExpandOptions(e, opts, depth, count)
}

func (sc *schema) parseExpandOptions(e *expandItem, opts string, depth int, count *int) *odataError {
	parts, err := splitTopLevel(opts, ';')
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, part := range parts {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		if seen[name] {
			return badRequest("Query option '%s' was specified more than once, but it must be specified at most once.", name)
		}
		seen[name] = true
		switch name {
		case "$select":
			e.sel, err = parseSelect(e.target, value)
		case "$expand":
			e.expand, err = sc.parseExpandLevel(e.target, value, depth+1, count)
		case "$filter", "$orderby", "$top":
			err = badRequest("The query option '%s' is only supported in $expand of a collection-valued navigation property; '%s' is single-valued.", name, e.nav.name)
		default:
			err = badRequest("The query parameter '%s' is not supported.", name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// splitTopLevel splits s on sep where sep is outside parentheses and quoted strings.
func splitTopLevel(s string, sep byte) ([]string, *odataError) {
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted // '' inside a literal toggles twice, which keeps the state right
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return nil, badRequest("Syntax error: unbalanced ')' at position %d in '%s'.", i, s)
			}
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if depth != 0 || quoted {
		return nil, badRequest("Syntax error at position %d in '%s'.", len(s), s)
	}
	return append(out, s[start:]), nil
}

// orderKey is one $orderby term.
type orderKey struct {
	col  *column
	desc bool
}

// parseOrderby checks an $orderby list against the table.
func parseOrderby(t *table, v string) ([]orderKey, *odataError) {
	var out []orderKey
	for _, item := range strings.Split(v, ",") {
		words := strings.Fields(item)
		if len(words) == 0 || len(words) > 2 {
			return nil, badRequest("Syntax error at position %d in '%s'.", len(v), v)
		}
		desc := false
		if len(words) == 2 {
			switch words[1] {
			case "asc":
			case "desc":
				desc = true
			default:
				return nil, badRequest("Syntax error: '%s' is not asc or desc in '%s'.", words[1], v)
			}
		}
		if _, isNav := t.navs[words[0]]; isNav || !isIdentifier(words[0]) {
			return nil, badRequest("The $orderby term '%s' is not a column of '%s'.", words[0], t.typeName())
		}
		c := t.column(words[0], false)
		if c == nil {
			return nil, unknownProperty(t, words[0])
		}
		out = append(out, orderKey{col: c, desc: desc})
	}
	return out, nil
}

// parseTop reads $top, -1 when it is absent.
func parseTop(v string, present bool) (int, *odataError) {
	if !present {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("Invalid value '%s' for $top query option found. The $top query option requires a non-negative integer value.", v)
	}
	return n, nil
}

func parseCount(v string, present bool) (bool, *odataError) {
	switch {
	case !present || v == "false":
		return false, nil
	case v == "true":
		return true, nil
	}
	return false, badRequest("'%s' is not a valid count option.", v)
}

// isIdentifier reports whether s is an OData simple identifier.
func isIdentifier(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i, r := range s {
		letter := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}
