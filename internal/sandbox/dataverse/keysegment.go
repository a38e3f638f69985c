package dataverse

import "strings"

// keySpec is what the parentheses after an entity set name hold: a primary key GUID, or name=value
// pairs of the primary key or an alternate key.
type keySpec struct {
	guid  string
	pairs []keyPair
}

type keyPair struct {
	name string
	lit  literal
}

// errKeySyntax is the answer to a key segment that does not parse.
func errKeySyntax() *odataError { return badRequest("Bad Request - Error in query syntax.") }

// parseKeySegment parses the text between the parentheses of set(…).
func parseKeySegment(s string) (keySpec, *odataError) {
	toks, err := lex(s)
	if err != nil {
		return keySpec{}, errKeySyntax()
	}
	if len(toks) == 2 && toks[0].kind == tGUID {
		return keySpec{guid: toks[0].val.(string)}, nil
	}
	var spec keySpec
	seen := map[string]bool{}
	for i := 0; ; {
		if toks[i].kind != tIdent || toks[i+1].kind != tEquals {
			return keySpec{}, errKeySyntax()
		}
		name, v := toks[i].text, toks[i+2]
		switch v.kind {
		case tString, tInt, tGUID:
		default:
			return keySpec{}, errKeySyntax()
		}
		if seen[name] {
			return keySpec{}, errKeySyntax()
		}
		seen[name] = true
		spec.pairs = append(spec.pairs, keyPair{name: name, lit: literalOf(v)})
		i += 3
		if toks[i].kind == tEOF {
			return spec, nil
		}
		if toks[i].kind != tComma {
			return keySpec{}, errKeySyntax()
		}
		i++
	}
}

// badKeyChars are the characters that the Dataverse docs say break a key value in a URL.
const badKeyChars = `/<>*%&:\?+`

// keyValueProblem names a character of a string key value that Dataverse cannot take in a URL.
func keyValueProblem(spec keySpec) *odataError {
	for _, p := range spec.pairs {
		if s, ok := p.lit.val.(string); ok {
			if i := strings.IndexAny(s, badKeyChars); i >= 0 {
				return badRequest("The key value '%s' contains '%c', which cannot be used in a key in a URL.", s, s[i])
			}
		}
	}
	return nil
}
