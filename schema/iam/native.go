package iam

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Spec is the action or the resource side of a clause: a list of patterns or,
// with Not, everything but them (NotAction / NotResource).
type Spec struct {
	Not      bool
	Patterns []string
}

// One is the spec of a single pattern.
func One(p string) Spec { return Spec{Patterns: []string{p}} }

func (s Spec) matches(v string, fold bool) bool { return AnyGlob(s.Patterns, v, fold) != s.Not }

// namesAccount reports whether every pattern of s is an ARN of account acct
// (written literally, not as a wildcard).
func (s Spec) namesAccount(acct string) bool {
	if s.Not || len(s.Patterns) == 0 {
		return false
	}
	for _, p := range s.Patterns {
		if ARNAccount(p) != acct {
			return false
		}
	}
	return true
}

// Clause is the set of requests (action, resource) an action spec and a
// resource spec match together.
type Clause struct {
	Action, Resource Spec
	// Cond marks an exception that applies only when its statement's
	// Condition holds (a conditional Deny).
	Cond bool
}

// Matches reports whether the concrete request falls in the clause.
func (c Clause) Matches(action, resource string) bool {
	return c.Action.matches(action, true) && c.Resource.matches(resource, false)
}

// Native is the parsed native string of a grant written by the aws-iam
// ingester: either a policy grant (an Allow clause, minus the clauses of
// partly overlapping Denies, and inside a partly covering permissions
// boundary) or a privilege-escalation admin grant.
type Native struct {
	// Escalation is the technique of an escalation grant ("self-putuserpolicy",
	// "role-attachrolepolicy on R" …); such a grant matches every request in
	// its account. Empty for a policy grant.
	Escalation string
	Allow      Clause
	// Except are Deny clauses that overlap Allow in part: a request matching
	// one is denied (or, when the clause is Cond, allowed only conditionally).
	Except []Clause
	// Within, when not empty, are the Allow clauses of a permissions boundary
	// that covers Allow only in part: a request must match one of them.
	Within []Clause
	// Evidence is free text for people: the policies and groups it came from.
	Evidence string
}

const escalationPrefix = "privesc:"

// Escalation returns the native string of an escalation grant.
func Escalation(technique string, actions ...string) string {
	return escalationPrefix + technique + " (" + strings.Join(actions, "+") + ")"
}

// Match reports whether the grant allows the concrete request (IAM action,
// resource ARN or "*") in account acct, and whether that hangs on a Condition
// of a Deny. A request whose ARN names another account matches only a grant
// whose Allow clause names that account's resources explicitly (written from
// a resource policy of that account): an identity policy alone never
// reaches across accounts.
func (n *Native) Match(action, resource, acct string) (ok, cond bool) {
	if a := ARNAccount(resource); a != "" && acct != "" && a != acct && !n.Allow.Resource.namesAccount(a) {
		return false, false
	}
	if n.Escalation != "" {
		return true, false
	}
	if !n.Allow.Matches(action, resource) {
		return false, false
	}
	for _, e := range n.Except {
		if e.Matches(action, resource) {
			if !e.Cond {
				return false, false
			}
			cond = true
		}
	}
	if len(n.Within) == 0 {
		return true, cond
	}
	for _, w := range n.Within {
		if w.Matches(action, resource) {
			return true, cond
		}
	}
	return false, false
}

// String renders n in the grammar Parse reads:
//
//	ACTIONS on RESOURCES [except[?] ACTIONS on RESOURCES]… [within ACTIONS on RESOURCES [| …]] (EVIDENCE)
//
// where ACTIONS is a pattern, [p,q…] or NotAction[p,q…] and RESOURCES a
// pattern, [p,q…] or NotResource[p,q…].
func (n *Native) String() string {
	if n.Escalation != "" {
		return escalationPrefix + n.Escalation + " (" + n.Evidence + ")"
	}
	var b strings.Builder
	n.Allow.write(&b)
	for _, e := range n.Except {
		b.WriteString(" except")
		if e.Cond {
			b.WriteByte('?')
		}
		b.WriteByte(' ')
		e.write(&b)
	}
	for i, w := range n.Within {
		if i == 0 {
			b.WriteString(" within ")
		} else {
			b.WriteString(" | ")
		}
		w.write(&b)
	}
	if n.Evidence != "" {
		b.WriteString(" (" + n.Evidence + ")")
	}
	return b.String()
}

// Machine is n's string without its evidence: two grants with equal
// Machine strings allow the same requests.
func (n *Native) Machine() string {
	m := *n
	m.Evidence = ""
	return m.String()
}

// String renders the clause as Native.String does.
func (c Clause) String() string {
	var b strings.Builder
	c.write(&b)
	return b.String()
}

func (c Clause) write(b *strings.Builder) {
	writeSpec(b, c.Action, "NotAction")
	b.WriteString(" on ")
	writeSpec(b, c.Resource, "NotResource")
}

func writeSpec(b *strings.Builder, s Spec, not string) {
	if s.Not {
		b.WriteString(not)
	}
	// A lone pattern is written bare unless it would read back as the
	// negated form ("NotAction…" is a pattern, not a negation, once bracketed).
	bracket := s.Not || len(s.Patterns) != 1 || strings.HasPrefix(s.Patterns[0], not)
	if bracket {
		b.WriteByte('[')
	}
	for i, p := range s.Patterns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(escape(p))
	}
	if bracket {
		b.WriteByte(']')
	}
}

// escape percent-encodes the characters the grammar uses as delimiters.
func escape(p string) string {
	if !strings.ContainsAny(p, "% ,[]()|") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if c := p[i]; strings.IndexByte("% ,[]()|", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ErrNotNative is returned by Parse for a string outside the grammar (a grant
// of another source, or free text).
var ErrNotNative = errors.New("not an aws-iam native string")

// Parse reads a native string written by String.
func Parse(s string) (Native, error) {
	var n Native
	if rest, ok := strings.CutPrefix(s, escalationPrefix); ok {
		tech, ev, ok := strings.Cut(rest, " (")
		if !ok || !strings.HasSuffix(ev, ")") || tech == "" {
			return n, ErrNotNative
		}
		n.Escalation, n.Evidence = tech, strings.TrimSuffix(ev, ")")
		return n, nil
	}
	machine := s
	if i := strings.Index(s, " ("); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return n, ErrNotNative
		}
		machine, n.Evidence = s[:i], s[i+2:len(s)-1]
	}
	toks := strings.Split(machine, " ")
	clause := func() (Clause, bool) {
		if len(toks) < 3 || toks[1] != "on" {
			return Clause{}, false
		}
		a, ok1 := parseSpec(toks[0], "NotAction")
		r, ok2 := parseSpec(toks[2], "NotResource")
		toks = toks[3:]
		return Clause{Action: a, Resource: r}, ok1 && ok2
	}
	var ok bool
	if n.Allow, ok = clause(); !ok {
		return Native{}, ErrNotNative
	}
	for len(toks) > 0 && (toks[0] == "except" || toks[0] == "except?") {
		cond := toks[0] == "except?"
		toks = toks[1:]
		c, ok := clause()
		if !ok {
			return Native{}, ErrNotNative
		}
		c.Cond = cond
		n.Except = append(n.Except, c)
	}
	if len(toks) > 0 && toks[0] == "within" {
		for sep := "within"; len(toks) > 0 && toks[0] == sep; sep = "|" {
			toks = toks[1:]
			c, ok := clause()
			if !ok {
				return Native{}, ErrNotNative
			}
			n.Within = append(n.Within, c)
		}
	}
	if len(toks) > 0 {
		return Native{}, ErrNotNative
	}
	return n, nil
}

func parseSpec(tok, not string) (Spec, bool) {
	var s Spec
	if rest, ok := strings.CutPrefix(tok, not); ok {
		s.Not, tok = true, rest
	}
	if strings.HasPrefix(tok, "[") {
		if !strings.HasSuffix(tok, "]") {
			return s, false
		}
		tok = tok[1 : len(tok)-1]
		if tok != "" {
			for _, p := range strings.Split(tok, ",") {
				u, err := url.PathUnescape(p)
				if err != nil {
					return s, false
				}
				s.Patterns = append(s.Patterns, u)
			}
		}
		return s, true
	}
	if s.Not || tok == "" || strings.ContainsAny(tok, "[]") {
		return s, false
	}
	u, err := url.PathUnescape(tok)
	if err != nil {
		return s, false
	}
	s.Patterns = []string{u}
	return s, true
}

// CheckRequest validates a native query: a concrete IAM action
// ("service:Operation", no wildcard) and a concrete resource (an ARN without
// wildcards, or "*" for actions that take no resource).
func CheckRequest(action, resource string) error {
	svc, op, ok := strings.Cut(action, ":")
	if !ok || svc == "" || op == "" || strings.ContainsAny(action, "*? ") {
		return fmt.Errorf("native action %q: want a concrete IAM action such as s3:GetObject (service:Operation, no wildcard)", action)
	}
	if resource == "*" {
		return nil
	}
	if strings.ContainsAny(resource, "*? ") || len(strings.SplitN(resource, ":", 6)) < 6 || !strings.HasPrefix(resource, "arn:") {
		return fmt.Errorf("native resource %q: want a concrete ARN such as arn:aws:s3:::bucket/key (no wildcard), or *", resource)
	}
	return nil
}
