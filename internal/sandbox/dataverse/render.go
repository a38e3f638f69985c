package dataverse

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// renderer turns rows into response objects with the annotations the client asked for, and no others.
type renderer struct {
	sc  *schema
	ann annotationFilter
}

// etagOf is the weak ETag of a row's version.
func etagOf(r *record) string { return `W/"` + strconv.FormatInt(r.version, 10) + `"` }

// entity renders a row: the ETag (top level only), the selected columns in $select order with the
// primary key after them, then the expanded navigation properties. An expanded lookup that is not set,
// or points to another table (customerid_account on a contact's case), comes back as null.
func (rd renderer) entity(t *table, r *record, sel []string, expand []*expandItem, withEtag bool) object {
	var o object
	if withEtag {
		o = append(o, field{"@odata.etag", etagOf(r)})
	}
	cols := t.allColumns()
	if sel != nil {
		cols = sel
		if !slices.Contains(sel, t.primaryKey) {
			cols = append(slices.Clip(sel), t.primaryKey)
		}
	}
	for _, name := range cols {
		o = rd.property(o, t, r, name)
	}
	for _, e := range expand {
		rel := rd.sc.related(r, e.nav)
		if rel == nil {
			o = append(o, field{e.nav.name, nil})
			continue
		}
		o = append(o, field{e.nav.name, rd.entity(e.target, rel, e.sel, e.expand, false)})
	}
	return o
}

// property appends one property, preceded by its annotations as Dataverse orders them.
func (rd renderer) property(o object, t *table, r *record, name string) object {
	v := r.values[name]
	c := t.column(name, false)
	if v != nil && c != nil && rd.ann.any() {
		if f, ok := rd.formatted(c, r, v); ok && rd.ann.wants(annFormatted) {
			o = append(o, field{name + "@" + annFormatted, f})
		}
		if target := r.targets[name]; c.lookup != nil && target != "" {
			if rd.ann.wants(annNavProp) {
				o = append(o, field{name + "@" + annNavProp, c.lookup.navFor[target]})
			}
			if rd.ann.wants(annLogical) {
				o = append(o, field{name + "@" + annLogical, target})
			}
		}
	}
	return append(o, field{name, v})
}

// formatted is a value's FormattedValue: a choice's label, a date in the user's time zone, a lookup's
// primary name, Yes/No, or a number with group separators.
func (rd renderer) formatted(c *column, r *record, v any) (string, bool) {
	switch x := v.(type) {
	case time.Time:
		return formattedTime(x), true
	case bool:
		if x {
			return "Yes", true
		}
		return "No", true
	case int:
		if c.labels != nil {
			label, ok := c.labels[x]
			return label, ok
		}
		return groupDigits(x), c.kind == kindInt
	case string:
		if c.lookup == nil {
			return "", false
		}
		target := rd.sc.byEntity[r.targets[c.name]]
		if target == nil || target.rows[x] == nil {
			return "", false
		}
		name, ok := target.rows[x].values[target.primaryName].(string)
		return name, ok
	}
	return "", false
}

func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// contextURL is the @odata.context of a response about a set: the $select and $expand shape in
// parentheses, and /$entity for a single row.
func contextURL(base, set string, sel []string, expand []*expandItem, single bool) string {
	u := base + "$metadata#" + set
	if shape := selectShape(sel, expand); shape != "" {
		u += "(" + shape + ")"
	}
	if single {
		u += "/$entity"
	}
	return u
}

func selectShape(sel []string, expand []*expandItem) string {
	parts := slices.Clone(sel)
	for _, e := range expand {
		parts = append(parts, e.nav.name+"("+selectShape(e.sel, e.expand)+")")
	}
	return strings.Join(parts, ",")
}
