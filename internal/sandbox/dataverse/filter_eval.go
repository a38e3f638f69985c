package dataverse

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// evalCtx is what evaluating a $filter needs besides the row: the other tables and the caller.
type evalCtx struct {
	sc     *schema
	userID string
}

// boolNode is a compiled $filter expression.
type boolNode interface {
	eval(ctx *evalCtx, r *record) bool
}

// operand is a value in a comparison: a literal or a column, possibly of a related row.
type operand interface {
	value(ctx *evalCtx, r *record) any
}

type litKind int

const (
	litNull litKind = iota
	litString
	litInt
	litFloat
	litGUID
	litTime
	litBool
)

type literal struct {
	val  any
	lit  litKind
	text string
}

func (l literal) value(*evalCtx, *record) any { return l.val }

func (l literal) edmName() string {
	switch l.lit {
	case litString:
		return "Edm.String"
	case litInt:
		return "Edm.Int32"
	case litFloat:
		return "Edm.Decimal"
	case litGUID:
		return "Edm.Guid"
	case litTime:
		if len(l.text) == len("2006-01-02") {
			return "Edm.Date"
		}
		return "Edm.DateTimeOffset"
	case litBool:
		return "Edm.Boolean"
	}
	return "<null>"
}

func literalOf(tok token) literal {
	kinds := map[tokKind]litKind{tString: litString, tInt: litInt, tFloat: litFloat, tGUID: litGUID, tTime: litTime}
	return literal{val: tok.val, lit: kinds[tok.kind], text: tok.text}
}

// coerce checks that a literal fits the column it is compared with. A GUID may be written quoted,
// as the Dataverse docs' own example does.
func coerce(c *column, l literal, op string) (literal, *odataError) {
	if l.lit == litNull || c.kind == kindDynamic {
		return l, nil
	}
	ok := false
	switch c.kind {
	case kindGUID:
		if s, isString := l.val.(string); l.lit == litString && isString && guidRE.MatchString(s) {
			return literal{val: strings.ToLower(s), lit: litGUID, text: l.text}, nil
		}
		ok = l.lit == litGUID
	case kindString:
		ok = l.lit == litString
	case kindInt:
		ok = l.lit == litInt
	case kindTime:
		ok = l.lit == litTime
	case kindBool:
		ok = l.lit == litBool
	}
	if !ok {
		return l, incompatible(c.kind.edmName(), l.edmName(), op)
	}
	return l, nil
}

// propRef is a column of the row, or of a row it points to through navigation properties.
type propRef struct {
	navs []*navigation
	col  *column
}

func (p propRef) value(ctx *evalCtx, r *record) any {
	for _, nav := range p.navs {
		r = ctx.sc.related(r, nav)
		if r == nil {
			return nil
		}
	}
	return r.values[p.col.name]
}

// related follows a navigation property to the row it points to, or nil.
func (sc *schema) related(r *record, nav *navigation) *record {
	id, _ := r.values[nav.lookup].(string)
	if id == "" || r.targets[nav.lookup] != nav.target {
		return nil
	}
	return sc.byEntity[nav.target].rows[id]
}

type andNode struct{ l, r boolNode }

func (n andNode) eval(ctx *evalCtx, r *record) bool { return n.l.eval(ctx, r) && n.r.eval(ctx, r) }

type orNode struct{ l, r boolNode }

func (n orNode) eval(ctx *evalCtx, r *record) bool { return n.l.eval(ctx, r) || n.r.eval(ctx, r) }

type notNode struct{ x boolNode }

func (n notNode) eval(ctx *evalCtx, r *record) bool { return !n.x.eval(ctx, r) }

type boolProp struct{ prop propRef }

func (n boolProp) eval(ctx *evalCtx, r *record) bool { return n.prop.value(ctx, r) == true }

// cmpNode is a comparison. As in SQL, a null only equals null: ne and the orderings leave null rows out.
type cmpNode struct {
	op          string
	left, right operand
}

func (n cmpNode) eval(ctx *evalCtx, r *record) bool {
	a, b := n.left.value(ctx, r), n.right.value(ctx, r)
	if a == nil || b == nil {
		switch n.op {
		case "eq":
			return a == nil && b == nil
		case "ne":
			return (a == nil) != (b == nil) && a != nil
		}
		return false
	}
	c, ok := compareValues(a, b)
	switch n.op {
	case "eq":
		return ok && c == 0
	case "ne":
		return !ok || c != 0
	case "gt":
		return ok && c > 0
	case "ge":
		return ok && c >= 0
	case "lt":
		return ok && c < 0
	}
	return ok && c <= 0
}

// userNode is EqualUserId and its kin. The sandbox has no teams, so EqualUserTeams matches nothing.
type userNode struct {
	name string
	prop propRef
}

func (n userNode) eval(ctx *evalCtx, r *record) bool {
	v, _ := n.prop.value(ctx, r).(string)
	switch n.name {
	case "EqualUserId", "EqualUserOrUserTeams":
		return v != "" && strings.EqualFold(v, ctx.userID)
	case "NotEqualUserId":
		return v != "" && !strings.EqualFold(v, ctx.userID)
	}
	return false
}

type likeNode struct {
	prop    propRef
	pattern []likeTok
}

func (n likeNode) eval(ctx *evalCtx, r *record) bool {
	s, ok := n.prop.value(ctx, r).(string)
	return ok && matchLike([]rune(fold(s)), n.pattern)
}

// compareValues orders two non-null values of the same family. Strings compare as the database's
// case- and accent-insensitive collation does.
func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return strings.Compare(fold(x), fold(y)), ok
	case time.Time:
		y, ok := b.(time.Time)
		return x.Compare(y), ok
	case bool:
		y, ok := b.(bool)
		return boolRank(x) - boolRank(y), ok
	}
	x, ok1 := number(a)
	y, ok2 := number(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := strconv.ParseFloat(x.String(), 64)
		return f, err == nil
	}
	return 0, false
}

// accentBase folds the accented Latin letters of the seed's names onto their base letters, as the
// Latin1_General_CI_AI collation does.
var accentBase = func() map[rune]rune {
	m := map[rune]rune{}
	for _, group := range []string{"aàáâãäåāăą", "cçćč", "eèéêëēėęě", "iìíîïīį", "nñńň", "oòóôõöøō", "uùúûüūůű", "yýÿ", "sśš", "zźżž", "lł", "dđď", "gğ", "rř", "tť"} {
		rs := []rune(group)
		for _, r := range rs[1:] {
			m[r] = rs[0]
		}
	}
	return m
}()

// fold lowers case and drops accents.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = unicode.ToLower(r)
		if base, ok := accentBase[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return b.String()
}
