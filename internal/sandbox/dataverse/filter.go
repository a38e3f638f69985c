package dataverse

import (
	"strings"
)

// maxFilterDepth bounds the nesting of a $filter, as ODataLib's recursion limit does.
const maxFilterDepth = 100

const crmNamespace = "Microsoft.Dynamics.CRM."

// comparison operators, with the names ODataLib gives them in messages.
var comparisons = map[string]string{
	"eq": "Equal", "ne": "NotEqual", "gt": "GreaterThan", "ge": "GreaterThanOrEqual", "lt": "LessThan", "le": "LessThanOrEqual",
}

// userFunctions are the Dataverse query functions on the caller's id that the sandbox evaluates.
var userFunctions = map[string]bool{"EqualUserId": true, "NotEqualUserId": true, "EqualUserOrUserTeams": true, "EqualUserTeams": true}

// filterParser turns a $filter into a tree of boolNodes, checking names and types against the table.
type filterParser struct {
	sc      *schema
	t       *table
	expr    string
	toks    []token
	i       int
	depth   int
	aliases map[string]string
}

// parseFilter parses and checks a $filter expression.
func (sc *schema) parseFilter(t *table, expr string, aliases map[string]string) (boolNode, *odataError) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &filterParser{sc: sc, t: t, expr: expr, toks: toks, aliases: aliases}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if tok := p.peek(); tok.kind != tEOF {
		return nil, p.syntax(tok)
	}
	return n, nil
}

func (p *filterParser) peek() token { return p.toks[p.i] }

func (p *filterParser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *filterParser) next() token {
	tok := p.toks[p.i]
	if tok.kind != tEOF {
		p.i++
	}
	return tok
}

func (p *filterParser) expect(k tokKind) (token, *odataError) {
	tok := p.next()
	if tok.kind != k {
		return tok, p.syntax(tok)
	}
	return tok, nil
}

func (p *filterParser) syntax(tok token) *odataError {
	return badRequest("Syntax error at position %d in '%s'.", tok.pos, p.expr)
}

func (p *filterParser) isWord(tok token, word string) bool {
	return tok.kind == tIdent && tok.text == word
}

func (p *filterParser) enter() *odataError {
	p.depth++
	if p.depth > maxFilterDepth {
		return badRequest("The recursion limit has been exceeded.")
	}
	return nil
}

func (p *filterParser) or() (boolNode, *odataError) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	left, err := p.and()
	for err == nil && p.isWord(p.peek(), "or") {
		p.next()
		var right boolNode
		if right, err = p.and(); err == nil {
			left = orNode{left, right}
		}
	}
	return left, err
}

func (p *filterParser) and() (boolNode, *odataError) {
	left, err := p.not()
	for err == nil && p.isWord(p.peek(), "and") {
		p.next()
		var right boolNode
		if right, err = p.not(); err == nil {
			left = andNode{left, right}
		}
	}
	return left, err
}

func (p *filterParser) not() (boolNode, *odataError) {
	if !p.isWord(p.peek(), "not") {
		return p.primary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.next()
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	if u, ok := x.(userNode); ok {
		return nil, badRequest("The query function %s%s can't be negated with 'not'; use its opposite function.", crmNamespace, u.name)
	}
	return notNode{x}, nil
}

func (p *filterParser) primary() (boolNode, *odataError) {
	tok := p.peek()
	switch {
	case tok.kind == tLParen:
		p.next()
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		_, err = p.expect(tRParen)
		return n, err
	case tok.kind == tIdent && p.peekAt(1).kind == tLParen:
		return p.call()
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	if op := p.peek(); op.kind == tIdent && comparisons[op.text] != "" {
		p.next()
		right, err := p.operand()
		if err != nil {
			return nil, err
		}
		return p.compare(left, op.text, right)
	}
	if prop, ok := left.(propRef); ok && (prop.col.kind == kindBool || prop.col.kind == kindDynamic) {
		return boolProp{prop}, nil
	}
	return nil, p.syntax(p.peek())
}

// operand reads a literal, a parameter alias or a property path.
func (p *filterParser) operand() (operand, *odataError) {
	tok := p.next()
	switch tok.kind {
	case tString, tInt, tFloat, tGUID, tTime:
		return literalOf(tok), nil
	case tAlias:
		return p.alias(tok)
	case tIdent:
		switch tok.text {
		case "true", "false":
			return literal{val: tok.text == "true", lit: litBool, text: tok.text}, nil
		case "null":
			return literal{lit: litNull, text: tok.text}, nil
		}
		if p.peek().kind == tLParen {
			return nil, unknownFunction(tok.text)
		}
		return p.path(tok)
	}
	return nil, p.syntax(tok)
}

// alias resolves @name to the literal given for it in the query string.
func (p *filterParser) alias(tok token) (operand, *odataError) {
	v, ok := p.aliases[tok.text]
	if !ok {
		return nil, badRequest("The parameter alias '%s' is not defined in the query string.", tok.text)
	}
	toks, err := lex(v)
	if err != nil {
		return nil, err
	}
	if len(toks) != 2 {
		return nil, badRequest("The value of the parameter alias '%s' must be a single literal: '%s'.", tok.text, v)
	}
	t := toks[0]
	switch t.kind {
	case tString, tInt, tFloat, tGUID, tTime:
		return literalOf(t), nil
	case tIdent:
		if t.text == "null" {
			return literal{lit: litNull, text: t.text}, nil
		}
		if t.text == "true" || t.text == "false" {
			return literal{val: t.text == "true", lit: litBool, text: t.text}, nil
		}
	}
	return nil, badRequest("The value of the parameter alias '%s' must be a single literal: '%s'.", tok.text, v)
}

// path resolves name or nav/…/name against the table.
func (p *filterParser) path(first token) (operand, *odataError) {
	t := p.t
	var navs []*navigation
	name := first.text
	for p.peek().kind == tSlash {
		nav, ok := t.navs[name]
		if !ok {
			return nil, unknownProperty(t, name)
		}
		navs = append(navs, nav)
		t = p.sc.byEntity[nav.target]
		p.next()
		tok, err := p.expect(tIdent)
		if err != nil {
			return nil, err
		}
		name = tok.text
	}
	c := t.column(name, false)
	if c == nil || !isIdentifier(name) {
		if _, isNav := t.navs[name]; isNav {
			return nil, badRequest("The navigation property '%s' can only be compared through one of its columns, as '%s/<column>'.", name, name)
		}
		return nil, unknownProperty(t, name)
	}
	return propRef{navs: navs, col: c}, nil
}

// compare checks the operand types of a comparison, as ODataLib does when it binds the expression.
func (p *filterParser) compare(left operand, op string, right operand) (boolNode, *odataError) {
	lp, lIsProp := left.(propRef)
	rp, rIsProp := right.(propRef)
	switch {
	case lIsProp && rIsProp:
		if lp.col.kind != rp.col.kind && lp.col.kind != kindDynamic && rp.col.kind != kindDynamic {
			return nil, incompatible(lp.col.kind.edmName(), rp.col.kind.edmName(), op)
		}
	case lIsProp:
		lit, err := coerce(lp.col, right.(literal), op)
		if err != nil {
			return nil, err
		}
		right = lit
	case rIsProp:
		lit, err := coerce(rp.col, left.(literal), op)
		if err != nil {
			return nil, err
		}
		left = lit
	default:
		return nil, badRequest("A comparison in $filter must have a column on at least one side: '%s'.", p.expr)
	}
	return cmpNode{op: op, left: left, right: right}, nil
}

// call reads a function call that yields a boolean: contains, startswith, endswith, or one of the
// Dataverse query functions on the caller's id.
func (p *filterParser) call() (boolNode, *odataError) {
	name := p.next().text
	p.next() // (
	switch {
	case name == "contains" || name == "startswith" || name == "endswith":
		return p.stringFunction(name)
	case strings.HasPrefix(name, crmNamespace) && userFunctions[strings.TrimPrefix(name, crmNamespace)]:
		return p.userFunction(strings.TrimPrefix(name, crmNamespace))
	}
	return nil, unknownFunction(name)
}

func (p *filterParser) stringFunction(name string) (boolNode, *odataError) {
	first, err := p.operand()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tComma); err != nil {
		return nil, err
	}
	second, err := p.operand()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tRParen); err != nil {
		return nil, err
	}
	prop, ok := first.(propRef)
	lit, isLit := second.(literal)
	if !ok || !isLit || lit.lit != litString || (prop.col.kind != kindString && prop.col.kind != kindDynamic) {
		return nil, badRequest("No function signature for the function with name '%s' matches the specified arguments. The function signatures considered are: %s(Edm.String Nullable=true, Edm.String Nullable=true).", name, name)
	}
	return likeNode{prop: prop, pattern: compileLike(likePattern(name, lit.val.(string)))}, nil
}

// likePattern turns contains/startswith/endswith into the LIKE pattern Dataverse runs, so the value's
// own %, _ and [ ] act as wildcards there too.
func likePattern(fn, v string) string {
	switch fn {
	case "contains":
		return "%" + v + "%"
	case "startswith":
		return v + "%"
	}
	return "%" + v
}

func (p *filterParser) userFunction(name string) (boolNode, *odataError) {
	params := map[string]literal{}
	for {
		tok, err := p.expect(tIdent)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tEquals); err != nil {
			return nil, err
		}
		v, err := p.operand()
		if err != nil {
			return nil, err
		}
		lit, ok := v.(literal)
		if !ok {
			return nil, badRequest("The value of parameter '%s' of %s%s must be a literal.", tok.text, crmNamespace, name)
		}
		params[tok.text] = lit
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tRParen); err != nil {
		return nil, err
	}
	return p.userNode(name, params)
}

func (p *filterParser) userNode(name string, params map[string]literal) (boolNode, *odataError) {
	prop, ok := params["PropertyName"]
	if !ok || len(params) != 1 || prop.lit != litString {
		return nil, badRequest("The function %s%s takes exactly one parameter, PropertyName, a string.", crmNamespace, name)
	}
	c := p.userColumn(prop.val.(string))
	if c == nil {
		return nil, badRequest("'%s' is not a lookup or unique identifier attribute of '%s'.", prop.val, p.t.entity)
	}
	return userNode{name: name, prop: propRef{col: c}}, nil
}

// userColumn finds the column a query function's PropertyName names: a lookup attribute (ownerid) or a
// unique identifier column (systemuserid).
func (p *filterParser) userColumn(name string) *column {
	for _, c := range p.t.columns {
		if c.lookup != nil && c.lookup.attribute == name || c.kind == kindGUID && c.name == name {
			return c
		}
	}
	return nil
}

func unknownFunction(name string) *odataError {
	return badRequest("An unknown function with name '%s' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.", name)
}

func incompatible(left, right, op string) *odataError {
	return badRequest("A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'.", left, right, comparisons[op])
}
