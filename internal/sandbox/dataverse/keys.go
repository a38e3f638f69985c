package dataverse

import (
	"net/http"
	"slices"
	"strings"
)

// keyRef names a row: by primary key, or by the values of an alternate key.
type keyRef struct {
	id     string
	key    *altKey
	values map[string]any // alternate key column -> value
}

func (k keyRef) notFound(t *table) *odataError {
	if k.key != nil {
		return notFoundByKey(t.entity)
	}
	return notFoundByID(t.entity, k.id)
}

// resolveKey checks a key segment against the table's primary key and alternate keys.
func (s *Server) resolveKey(t *table, spec keySpec) (keyRef, *odataError) {
	if spec.guid != "" {
		return keyRef{id: spec.guid}, nil
	}
	if len(spec.pairs) == 1 && spec.pairs[0].name == t.primaryKey {
		if spec.pairs[0].lit.lit != litGUID {
			return keyRef{}, invalidKey(t)
		}
		return keyRef{id: spec.pairs[0].lit.val.(string)}, nil
	}
	k := t.keyFor(spec.pairs)
	if k == nil {
		return keyRef{}, invalidKey(t)
	}
	ref := keyRef{key: k, values: map[string]any{}}
	for _, p := range spec.pairs {
		v, ok := keyLiteralValue(t.byName[p.name], p.lit)
		if !ok {
			return keyRef{}, invalidKey(t)
		}
		ref.values[p.name] = v
	}
	if err := keyValueProblem(spec); err != nil {
		return keyRef{}, err
	}
	if k.status != "Active" {
		return keyRef{}, invalidArgument("The entity key '%s' of entity '%s' is not active (its index status is %s), so it cannot be used to identify a record.", k.logicalName, t.entity, k.status)
	}
	return ref, nil
}

func invalidKey(t *table) *odataError {
	return badRequest("The key in the request URI is not valid for resource '%s'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource '%s'.", t.typeName(), t.typeName())
}

// keyFor finds the alternate key whose columns are exactly the pairs' names.
func (t *table) keyFor(pairs []keyPair) *altKey {
	names := make([]string, 0, len(pairs))
	for _, p := range pairs {
		names = append(names, p.name)
	}
	slices.Sort(names)
	for _, k := range t.keys {
		attrs := slices.Clone(k.attributes)
		slices.Sort(attrs)
		if slices.Equal(attrs, names) {
			return k
		}
	}
	return nil
}

func keyLiteralValue(c *column, l literal) (any, bool) {
	switch c.kind {
	case kindString:
		return l.val, l.lit == litString
	case kindInt:
		return l.val, l.lit == litInt
	case kindGUID:
		return l.val, l.lit == litGUID
	}
	return nil, false
}

// find returns the row a key names, or nil. String key values match as the database's
// case-insensitive collation matches them.
func (s *Server) find(t *table, ref keyRef) *record {
	if ref.key == nil {
		return t.rows[ref.id]
	}
	for _, r := range t.sortedRows() {
		if keyMatches(r, ref.values) {
			return r
		}
	}
	return nil
}

func keyMatches(r *record, values map[string]any) bool {
	for name, want := range values {
		got := r.values[name]
		if got == nil {
			return false
		}
		if c, ok := compareValues(got, want); !ok || c != 0 {
			return false
		}
	}
	return true
}

// checkUniqueKeys refuses a write that would give two rows the same values of an active alternate key.
func (s *Server) checkUniqueKeys(t *table, id string, values map[string]any) *odataError {
	for _, k := range t.keys {
		if k.status != "Active" {
			continue
		}
		want := map[string]any{}
		for _, a := range k.attributes {
			want[a] = values[a]
		}
		for _, r := range t.rows {
			if r.id(t) != id && keyMatches(r, want) {
				return newError(http.StatusPreconditionFailed, codeDuplicateKey,
					"A record that has the attribute values %s already exists. The entity key %s requires that this set of attributes contains unique values. Select unique values and try again.",
					strings.Join(k.attributes, ", "), k.display)
			}
		}
	}
	return nil
}
