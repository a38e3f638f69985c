package dataverse

// likeTok is one element of a T-SQL LIKE pattern: a letter, _ (any one), % (any run), or a [set].
type likeTok struct {
	any, run bool
	r        rune
	set      []runeRange
	negated  bool
}

type runeRange struct{ lo, hi rune }

func (t likeTok) matches(r rune) bool {
	switch {
	case t.any:
		return true
	case t.set != nil:
		in := false
		for _, rg := range t.set {
			in = in || r >= rg.lo && r <= rg.hi
		}
		return in != t.negated
	}
	return r == t.r
}

// compileLike parses a LIKE pattern, already folded for case and accents.
func compileLike(pattern string) []likeTok {
	rs := []rune(fold(pattern))
	var out []likeTok
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '%':
			if len(out) == 0 || !out[len(out)-1].run {
				out = append(out, likeTok{run: true})
			}
		case '_':
			out = append(out, likeTok{any: true})
		case '[':
			tok, n := compileSet(rs[i:])
			out = append(out, tok)
			i += n - 1
		default:
			out = append(out, likeTok{r: rs[i]})
		}
	}
	return out
}

// compileSet reads [abc], [a-z] or [^…] at the start of rs; a '[' with no closing ']' is a letter.
func compileSet(rs []rune) (likeTok, int) {
	end := -1
	for j := 2; j < len(rs); j++ {
		if rs[j] == ']' {
			end = j
			break
		}
	}
	if end < 0 {
		return likeTok{r: '['}, 1
	}
	body := rs[1:end]
	tok := likeTok{set: []runeRange{}}
	if len(body) > 1 && body[0] == '^' {
		tok.negated, body = true, body[1:]
	}
	for k := 0; k < len(body); k++ {
		if k+2 < len(body) && body[k+1] == '-' {
			tok.set = append(tok.set, runeRange{body[k], body[k+2]})
			k += 2
			continue
		}
		tok.set = append(tok.set, runeRange{body[k], body[k]})
	}
	return tok, end + 1
}

// matchLike reports whether s matches the whole pattern, by dynamic programming over both.
func matchLike(s []rune, pattern []likeTok) bool {
	prev := make([]bool, len(pattern)+1)
	cur := make([]bool, len(pattern)+1)
	prev[0] = true
	for j, t := range pattern {
		prev[j+1] = prev[j] && t.run
	}
	for _, r := range s {
		cur[0] = false
		for j, t := range pattern {
			if t.run {
				cur[j+1] = cur[j] || prev[j+1]
			} else {
				cur[j+1] = prev[j] && t.matches(r)
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(pattern)]
}
