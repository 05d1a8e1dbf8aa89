package luapat

import "strings"

// Capture is one capture of a match: the subject's bytes [Start, End), or
// for a position capture (Position) the 0-based offset Start (End ==
// Start).
type Capture struct {
	Start, End int
	Position   bool
}

// Match is a match of a pattern: the subject's bytes [Start, End) and the
// captures in the order of their '('.
type Match struct {
	Start, End int
	Captures   []Capture
}

// choice is a choice point: the quantified item at pc, tried from the
// subject's offset sp with n repetitions.
type choice struct {
	pc, sp, n int
}

// Matcher runs one pattern, reusing its memory from one match to the next.
// It is not safe for concurrent use.
type Matcher struct {
	p     *Pattern
	check func() error
	steps int
	stack []choice
	m     Match
}

// Matcher returns a matcher of p that calls check (unless nil) every
// CheckEvery steps and stops with its error.
func (p *Pattern) Matcher(check func() error) *Matcher {
	return &Matcher{p: p, check: check, m: Match{Captures: make([]Capture, p.ncap)}}
}

// SetCheck replaces the matcher's check function.
func (m *Matcher) SetCheck(check func() error) { m.check = check }

// Find is p.Matcher(check).Find(subject, init), with a match of its own.
func (p *Pattern) Find(subject string, init int, check func() error) (*Match, error) {
	m, err := p.Matcher(check).Find(subject, init)
	if m == nil {
		return nil, err
	}
	c := *m
	return &c, nil
}

// Find returns the first match of the pattern in subject that begins at
// offset init (0-based) or after it — only at init when the pattern is
// anchored — or nil when there is none. The match, and its captures, are
// valid until the next call of Find.
func (m *Matcher) Find(subject string, init int) (*Match, error) {
	if init < 0 {
		init = 0
	}
	if init > len(subject) {
		return nil, nil
	}
	nodes := m.p.nodes
	var first *node
	if len(nodes) > 0 && nodes[0].op == opChar && (nodes[0].q == qOne || nodes[0].q == qPlus) {
		first = &nodes[0]
	}
	lit := -1
	if first != nil {
		lit = single(&first.set)
	}
	for start := init; ; start++ {
		if first != nil && !m.p.anchored {
			// Skip the offsets where the first item cannot match.
			if lit >= 0 {
				k := strings.IndexByte(subject[start:], byte(lit))
				if k < 0 {
					return nil, nil
				}
				m.steps += k / 16
				start += k
			} else {
				from := start
				for start < len(subject) && !first.set.has(subject[start]) {
					start++
				}
				m.steps += start - from
				if start == len(subject) {
					return nil, nil
				}
			}
		}
		end, ok, err := m.try(subject, start)
		if err != nil {
			return nil, err
		}
		if ok {
			m.m.Start, m.m.End = start, end
			return &m.m, nil
		}
		if m.p.anchored || start >= len(subject) {
			return nil, nil
		}
	}
}

// MatchAt returns the match of the pattern that begins at offset at, as an
// anchored Find does, or nil.
func (m *Matcher) MatchAt(subject string, at int) (*Match, error) {
	if at < 0 || at > len(subject) {
		return nil, nil
	}
	end, ok, err := m.try(subject, at)
	if err != nil || !ok {
		return nil, err
	}
	m.m.Start, m.m.End = at, end
	return &m.m, nil
}

// single is the only byte of s, or -1.
func single(s *set) int {
	found := -1
	for w, bits := range s {
		for bits != 0 {
			if found >= 0 {
				return -1
			}
			b := 0
			for bits&(1<<b) == 0 {
				b++
			}
			found = w*64 + b
			bits &^= 1 << b
		}
	}
	return found
}

// tick counts steps and calls the check function every CheckEvery steps.
func (m *Matcher) tick() error {
	if m.steps < CheckEvery {
		return nil
	}
	m.steps = 0
	if m.check != nil {
		return m.check()
	}
	return nil
}

// try matches the pattern at subject[sp:], returning the match's end.
func (m *Matcher) try(s string, sp int) (int, bool, error) {
	nodes := m.p.nodes
	caps := m.m.Captures
	stack := m.stack[:0]
	defer func() { m.stack = stack[:0] }()
	pc := 0
	for {
		m.steps++
		if m.steps >= CheckEvery {
			if err := m.tick(); err != nil {
				return 0, false, err
			}
		}
		if pc == len(nodes) {
			return sp, true, nil
		}
		n := &nodes[pc]
		ok := true
		switch n.op {
		case opChar:
			switch n.q {
			case qOne:
				if sp < len(s) && n.set.has(s[sp]) {
					sp++
				} else {
					ok = false
				}
			case qStar, qPlus:
				i := sp
				for i < len(s) && n.set.has(s[i]) {
					i++
				}
				m.steps += i - sp
				count, least := i-sp, 0
				if n.q == qPlus {
					least = 1
				}
				count = m.fit(s, pc, sp, count, least)
				if count < least {
					ok = false
					break
				}
				if count > least {
					if len(stack) >= MaxDepth {
						return 0, false, ErrTooComplex
					}
					stack = append(stack, choice{pc, sp, count})
				}
				sp += count
			case qLazy:
				if len(stack) >= MaxDepth {
					return 0, false, ErrTooComplex
				}
				stack = append(stack, choice{pc, sp, 0})
			case qOpt:
				if sp < len(s) && n.set.has(s[sp]) {
					if len(stack) >= MaxDepth {
						return 0, false, ErrTooComplex
					}
					stack = append(stack, choice{pc, sp, 1})
					sp++
				}
			}
		case opOpen:
			caps[n.cap] = Capture{Start: sp, End: -1}
		case opPos:
			caps[n.cap] = Capture{Start: sp, End: sp, Position: true}
		case opClose:
			caps[n.cap].End = sp
		case opBalance:
			ok = false
			if sp < len(s) && s[sp] == n.a {
				depth := 1
				for i := sp + 1; i < len(s); i++ {
					if c := s[i]; c == n.b {
						if depth--; depth == 0 {
							m.steps += i - sp
							sp, ok = i+1, true
							break
						}
					} else if c == n.a {
						depth++
					}
				}
				if !ok {
					m.steps += len(s) - sp
				}
			}
		case opBackref:
			if n.cap < 0 {
				return 0, false, ErrCaptureIndex
			}
			c := caps[n.cap]
			if n.unfinished {
				if c.Start > 0 {
					return 0, false, ErrUnfinishedRef
				}
				c.End = 0
			}
			if c.Position && c.Start >= len(s) {
				return 0, false, ErrPositionAtEnd
			}
			if !c.Position {
				sub := s[c.Start:c.End]
				if strings.HasPrefix(s[sp:], sub) {
					sp += len(sub)
					m.steps += len(sub) / 16
				} else {
					ok = false
				}
			}
		case opEnd:
			ok = sp == len(s)
		case opNever:
			ok = false
		}
		if ok {
			pc++
			continue
		}
		// Backtrack to the latest choice point that has an alternative.
		for {
			if len(stack) == 0 {
				return 0, false, nil
			}
			top := &stack[len(stack)-1]
			n := &nodes[top.pc]
			m.steps++
			switch n.q {
			case qStar, qPlus:
				least := 0
				if n.q == qPlus {
					least = 1
				}
				top.n = m.fit(s, top.pc, top.sp, top.n-1, least)
				if top.n < least {
					stack = stack[:len(stack)-1]
					continue
				}
				pc, sp = top.pc+1, top.sp+top.n
				if top.n == least {
					stack = stack[:len(stack)-1]
				}
			case qLazy:
				i := top.sp + top.n
				if i >= len(s) || !n.set.has(s[i]) {
					stack = stack[:len(stack)-1]
					continue
				}
				top.n++
				pc, sp = top.pc+1, i+1
			case qOpt:
				pc, sp = top.pc+1, top.sp
				stack = stack[:len(stack)-1]
			}
			break
		}
	}
}

// fit lowers count, the repetitions of the greedy item at pc from sp, to
// the greatest one at least least after which the next item, a single
// byte, can match (count unchanged when the next item is another).
func (m *Matcher) fit(s string, pc, sp, count, least int) int {
	nodes := m.p.nodes
	if pc+1 >= len(nodes) {
		return count
	}
	next := &nodes[pc+1]
	if next.op != opChar || (next.q != qOne && next.q != qPlus) {
		return count
	}
	from := count
	for count >= least && (sp+count >= len(s) || !next.set.has(s[sp+count])) {
		count--
	}
	m.steps += from - count
	return count
}
