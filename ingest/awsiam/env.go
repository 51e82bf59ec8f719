package awsiam

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Options are what the evaluator knows about requests beyond the export:
// the time conditions are evaluated at and request context given by the
// user (--collected-at, --aws-context).
type Options struct {
	// AsOf is the time date conditions are evaluated at (the snapshot's
	// collected_at); zero leaves them undecided (conditional).
	AsOf time.Time
	// Context are request-context values by condition key (keys compare
	// case-insensitively; a key may have several values).
	Context map[string][]string
}

// ParseContext reads --aws-context entries "key=value" (a key given twice
// has both values).
func ParseContext(entries []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, e := range entries {
		k, v, ok := strings.Cut(e, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--aws-context %q: want key=value, such as aws:MultiFactorAuthPresent=true", e)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		out[k] = append(out[k], v)
	}
	return out, nil
}

// env is the request context of one principal: what the export says about
// it (account, ARN, tags, user id) plus Options.
type env struct {
	opts          *Options
	acct          string
	arn, name, id string
	user, known   bool // known: a user or role of the export (not a group stand-in)
	tags          map[string]string
}

// lookup returns the request values of a condition key: known false when
// neither the export nor the context decides it; vals nil (known) when the
// key is absent from such requests.
func (e *env) lookup(key string) (vals []string, known bool) {
	k := strings.ToLower(key)
	if v, ok := e.opts.Context[k]; ok {
		return v, true
	}
	switch k {
	case "aws:currenttime", "aws:tokenissuetime":
		if e.opts.AsOf.IsZero() {
			return nil, false
		}
		return []string{e.opts.AsOf.UTC().Format(time.RFC3339)}, true
	case "aws:epochtime":
		if e.opts.AsOf.IsZero() {
			return nil, false
		}
		return []string{strconv.FormatInt(e.opts.AsOf.Unix(), 10)}, true
	}
	if !e.known {
		return nil, false
	}
	switch k {
	case "aws:principalaccount":
		return []string{e.acct}, true
	case "aws:principalarn":
		return []string{e.arn}, true
	case "aws:principaltype":
		if e.user {
			return []string{"User"}, true
		}
		return []string{"AssumedRole"}, true
	case "aws:principalisawsservice":
		return []string{"false"}, true
	case "aws:username":
		if e.user {
			return []string{e.name}, true
		}
		return nil, true
	case "aws:userid":
		if e.user && e.id != "" {
			return []string{e.id}, true
		}
		return nil, false // a role session's id names the session
	}
	if tag, ok := strings.CutPrefix(k, "aws:principaltag/"); ok {
		for tk, tv := range e.tags {
			if strings.EqualFold(tk, tag) {
				return []string{tv}, true
			}
		}
		return nil, true
	}
	return nil, false
}

// condVerdict is what a statement's conditions give for one principal.
type condVerdict struct {
	applies bool   // false: a condition is false, the statement does not apply
	cond    bool   // applies only under a condition the export cannot decide
	note    string // the conditions and how they were decided, for evidence
}

// conditions evaluates a statement's Condition block for principal e.
func (e *env) conditions(st *Statement, vars map[string]string) condVerdict {
	if !st.Conditional {
		return condVerdict{applies: true}
	}
	if e == nil {
		e = &env{opts: &Options{}}
	}
	v := condVerdict{applies: true}
	var held, open []string
	timeKey := ""
	for _, c := range st.Conditions {
		vals, known := e.lookup(c.Key)
		switch c.eval(vals, known, vars) {
		case triFalse:
			return condVerdict{note: "condition " + c.String() + " is false" + e.at(c.Key) + e.given(c.Key)}
		case triUnknown:
			v.cond = true
			open = append(open, c.String())
		default:
			held = append(held, c.String()+e.given(c.Key))
			if e.at(c.Key) != "" {
				timeKey = c.Key
			}
		}
	}
	if st.Conditions == nil { // a block we could not read
		v.cond = true
		open = append(open, "(unreadable)")
	}
	var parts []string
	if len(held) > 0 {
		parts = append(parts, "condition "+strings.Join(held, " & ")+" holds"+e.at(timeKey))
	}
	if len(open) > 0 {
		parts = append(parts, "condition "+strings.Join(open, " & ")+" not evaluated")
	}
	v.note = strings.Join(parts, ", ")
	return v
}

// at names the evaluation time when date keys were used.
func (e *env) at(key string) string {
	if e.opts.AsOf.IsZero() {
		return ""
	}
	if !strings.Contains(strings.ToLower(key), "time") {
		return ""
	}
	return " at " + e.opts.AsOf.UTC().Format(time.RFC3339)
}

// given marks a condition key whose value came from --aws-context.
func (e *env) given(key string) string {
	if _, ok := e.opts.Context[strings.ToLower(key)]; ok {
		return " (by --aws-context)"
	}
	return ""
}
