package sap

import (
	"strings"
)

// valueRange is one authorization field value: LOW, and HIGH for a range.
type valueRange struct{ low, high string }

// covers reports whether the value covers a requested value v: LOW = "*";
// LOW ending in "*" and a prefix of v; HIGH set and LOW ≤ v ≤ HIGH (string
// order); or LOW = v.
func (r valueRange) covers(v string) bool {
	switch {
	case r.low == "*":
		return true
	case r.high != "":
		return r.low <= v && v <= r.high
	case strings.HasSuffix(r.low, "*"):
		return strings.HasPrefix(v, r.low[:len(r.low)-1])
	}
	return r.low == v
}

// instance is one authorization: the field values of one (role, object,
// authorization) of AGR_1251 or one (object, authorization) of UST12.
type instance struct {
	holder string // role or profile name, for native strings
	object string
	auth   string
	fields map[string][]valueRange
}

// coversField reports whether the instance covers value v in field f; a
// field without values covers nothing.
func (in *instance) coversField(f, v string) bool {
	for _, r := range in.fields[f] {
		if r.covers(v) {
			return true
		}
	}
	return false
}

// covers reports whether this one instance covers every field of check c in
// company code cc (SAP never combines fields of two instances).
func (in *instance) covers(c *Check, cc string) bool {
	if c.CompanyCode != "" && !in.coversField(c.CompanyCode, cc) {
		return false
	}
	for f, v := range c.Fields {
		if !in.coversField(f, v) {
			return false
		}
	}
	return true
}

// label is how the instance is named in a native string: (ROLE/AUTH).
func (in *instance) label() string { return "(" + in.holder + "/" + in.auth + ")" }

// describe renders a check with the values asked: F_BKPF_BUK BUKRS=1000 ACTVT=01.
func (c *Check) describe(cc string) string {
	var b strings.Builder
	b.WriteString(c.Object)
	for _, f := range c.order {
		v := c.Fields[f]
		if f == c.CompanyCode {
			v = cc
		}
		b.WriteString(" " + f + "=" + v)
	}
	return b.String()
}

// buildInstances groups authorization values into instances per holder,
// replacing $VARIABLES by the holder's org-level values (vars: holder →
// variable → values; a variable without values covers nothing).
func buildInstances(values []AuthValue, holderOf func(AuthValue) []string, vars map[string]map[string][]valueRange) map[string]map[string][]*instance {
	out := map[string]map[string][]*instance{}
	byKey := map[[3]string]*instance{}
	for _, v := range values {
		for _, h := range holderOf(v) {
			key := [3]string{h, v.Object, v.Auth}
			in := byKey[key]
			if in == nil {
				in = &instance{holder: h, object: v.Object, auth: v.Auth, fields: map[string][]valueRange{}}
				byKey[key] = in
				if out[h] == nil {
					out[h] = map[string][]*instance{}
				}
				out[h][v.Object] = append(out[h][v.Object], in)
			}
			if strings.HasPrefix(v.Low, "$") {
				in.fields[v.Field] = append(in.fields[v.Field], vars[h][v.Low]...)
				continue
			}
			in.fields[v.Field] = append(in.fields[v.Field], valueRange{low: v.Low, high: v.High})
		}
	}
	return out
}
