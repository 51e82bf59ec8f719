package awsiam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/schema/iam"
)

// Condition is one (operator, key, values) test of a statement's Condition
// block; the tests of a block must all hold.
type Condition struct {
	Op     string // as written: "ForAnyValue:StringLikeIfExists"
	Key    string
	Values []string
}

// String is the condition as evidence: `DateLessThan aws:TokenIssueTime 2020-01-01`.
func (c Condition) String() string {
	v := strings.Join(c.Values, ",")
	if len(c.Values) > 1 {
		v = "[" + v + "]"
	}
	return c.Op + " " + c.Key + " " + v
}

// parseConditions reads a Condition block: {operator: {key: value(s)}}.
// Values may be strings, numbers or booleans, alone or in a list. Operators
// it does not know are kept: they evaluate as undecided.
func parseConditions(raw json.RawMessage) ([]Condition, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var block map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &block); err != nil {
		return nil, fmt.Errorf("want {operator: {key: value}}: %w", err)
	}
	var out []Condition
	for op, keys := range block {
		for k, v := range keys {
			vals, err := conditionValues(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", op, k, err)
			}
			out = append(out, Condition{Op: op, Key: k, Values: vals})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

func conditionValues(raw json.RawMessage) ([]string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	scalar := func(x any) (string, error) {
		switch x := x.(type) {
		case string:
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
		return "", fmt.Errorf("want a string, number or boolean, or a list of them")
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, err := scalar(x)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(v)
	return []string{s}, err
}

// opSpec is a parsed condition operator.
type opSpec struct {
	base     string // "StringLike", "DateLessThan", "Null" …
	ifExists bool
	set      string // "", "ForAllValues", "ForAnyValue"
}

func operator(op string) (opSpec, bool) {
	var o opSpec
	if set, rest, ok := strings.Cut(op, ":"); ok {
		if set != "ForAllValues" && set != "ForAnyValue" {
			return o, false
		}
		o.set, op = set, rest
	}
	if b, ok := strings.CutSuffix(op, "IfExists"); ok && op != "IfExists" {
		o.ifExists, op = true, b
	}
	o.base = op
	_, known := compare[op]
	return o, known || op == "Null"
}

// negated are the operators that hold when no value matches.
var negated = map[string]string{
	"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike": "StringLike", "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals",
	"NotIpAddress": "IpAddress", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
}

// compare holds, per positive operator, whether request value v matches
// policy value p; ok is false when either cannot be read as the type.
var compare = map[string]func(v, p string) (match, ok bool){
	"StringEquals":             func(v, p string) (bool, bool) { return v == p, true },
	"StringEqualsIgnoreCase":   func(v, p string) (bool, bool) { return strings.EqualFold(v, p), true },
	"StringLike":               func(v, p string) (bool, bool) { return iam.Glob(p, v, false), true },
	"ArnEquals":                func(v, p string) (bool, bool) { return iam.Glob(p, v, false), true },
	"ArnLike":                  func(v, p string) (bool, bool) { return iam.Glob(p, v, false), true },
	"Bool":                     func(v, p string) (bool, bool) { return strings.EqualFold(v, p), true },
	"BinaryEquals":             func(v, p string) (bool, bool) { return v == p, true },
	"NumericEquals":            numeric(func(c int) bool { return c == 0 }),
	"NumericLessThan":          numeric(func(c int) bool { return c < 0 }),
	"NumericLessThanEquals":    numeric(func(c int) bool { return c <= 0 }),
	"NumericGreaterThan":       numeric(func(c int) bool { return c > 0 }),
	"NumericGreaterThanEquals": numeric(func(c int) bool { return c >= 0 }),
	"DateEquals":               date(func(c int) bool { return c == 0 }),
	"DateLessThan":             date(func(c int) bool { return c < 0 }),
	"DateLessThanEquals":       date(func(c int) bool { return c <= 0 }),
	"DateGreaterThan":          date(func(c int) bool { return c > 0 }),
	"DateGreaterThanEquals":    date(func(c int) bool { return c >= 0 }),
	"IpAddress":                ipMatch,
}

func init() {
	for neg, pos := range negated {
		compare[neg] = compare[pos]
	}
}

func numeric(ok func(int) bool) func(v, p string) (bool, bool) {
	return func(v, p string) (bool, bool) {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(p, 64)
		if err1 != nil || err2 != nil {
			return false, false
		}
		switch {
		case a < b:
			return ok(-1), true
		case a > b:
			return ok(1), true
		}
		return ok(0), true
	}
}

func date(ok func(int) bool) func(v, p string) (bool, bool) {
	return func(v, p string) (bool, bool) {
		a, ok1 := parseDate(v)
		b, ok2 := parseDate(p)
		if !ok1 || !ok2 {
			return false, false
		}
		return ok(a.Compare(b)), true
	}
}

// parseDate reads an IAM date condition value: ISO 8601 (date, or date and
// time) or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	return time.Time{}, false
}

func ipMatch(v, p string) (bool, bool) {
	addr, err := netip.ParseAddr(v)
	if err != nil {
		return false, false
	}
	if !strings.Contains(p, "/") {
		pa, err := netip.ParseAddr(p)
		return err == nil && pa == addr, err == nil
	}
	pre, err := netip.ParsePrefix(p)
	if err != nil {
		return false, false
	}
	return pre.Contains(addr), true
}

// tri is a three-valued truth: the answer, or unknown when the export and the
// given context cannot decide it.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// eval decides the condition for the request values of its key: vals nil
// with known true means the key is absent from the request.
func (c Condition) eval(vals []string, known bool, vars map[string]string) tri {
	o, ok := operator(c.Op)
	if !known || !ok { // unknown operators stay undecided

		return triUnknown
	}
	policy := subst(c.Values, vars)
	for _, p := range policy {
		if strings.Contains(p, "${") {
			return triUnknown // a policy variable the export cannot resolve
		}
	}
	if o.base == "Null" {
		want := len(policy) > 0 && strings.EqualFold(policy[0], "true")
		return boolTri((vals == nil) == want)
	}
	_, neg := negated[o.base]
	if vals == nil { // absent key
		switch {
		case o.ifExists, o.set == "ForAllValues":
			return triTrue
		case o.set == "ForAnyValue":
			return triFalse
		}
		return boolTri(neg)
	}
	cmp := compare[o.base]
	one := func(v string) tri { // does v match one of the policy values?
		for _, p := range policy {
			m, ok := cmp(v, p)
			if !ok {
				return triUnknown
			}
			if m {
				return triTrue
			}
		}
		return triFalse
	}
	all := o.set == "ForAllValues"
	if !all && neg && o.set == "" {
		all = true // a negated operator on a key: no request value may match
	}
	// all: every request value must pass; else one passing is enough. A
	// value passes when it matches a policy value (negated: matches none).
	for _, v := range vals {
		r := one(v)
		if r == triUnknown {
			return r
		}
		pass := (r == triTrue) != neg
		if all && !pass {
			return triFalse
		}
		if !all && pass {
			return triTrue
		}
	}
	return boolTri(all)
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}
