package sap

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/schema"
)

// Function is one business function of the function map: Action on business
// objects of Kind, satisfied in company code X by a set of authorizations
// when SOME entry check holds and EVERY object check holds, each check by one
// authorization instance, the company-code field (Check.CompanyCode) = X.
type Function struct {
	ID     string        `yaml:"id"`
	Title  string        `yaml:"title"`
	Kind   string        `yaml:"kind"`   // resource kind, e.g. journal_entry
	Action schema.Action `yaml:"action"` // write, approve, export, …
	// Scope "system" puts the function on sap:SID:CLIENT:KIND instead of one
	// resource per company code (for functions with no company code, such as
	// user administration); "" or "company_code" is the default.
	Scope   string  `yaml:"scope"`
	Entries []Check `yaml:"entries"`
	Checks  []Check `yaml:"checks"`
	Source  string  `yaml:"source"` // where the transaction and object values come from
}

// Check is one authorization check: an object and the value each field must
// cover. Shorthands: TCode (S_TCODE TCD), RFCGroup (S_RFC FUGR + ACTVT 16),
// RFCFunc (S_RFC FUNC + ACTVT 16).
type Check struct {
	Object      string            `yaml:"object"`
	CompanyCode string            `yaml:"company_code"` // field that must cover the company code (BUKRS)
	Fields      map[string]string `yaml:"fields"`
	TCode       string            `yaml:"tcode"`
	RFCGroup    string            `yaml:"rfc_group"`
	RFCFunc     string            `yaml:"rfc_function"`

	order []string // Fields' names in a stable order (company code first)
}

// FunctionMap is the set of functions the transform evaluates, in order.
type FunctionMap struct {
	Functions []Function `yaml:"functions"`
}

//go:embed functions.yaml
var builtinYAML []byte

// Builtin returns the shipped function map (functions.yaml).
func Builtin() (*FunctionMap, error) {
	var m FunctionMap
	dec := yaml.NewDecoder(bytes.NewReader(builtinYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("sap: built-in functions.yaml: %w", err)
	}
	for i := range m.Functions {
		if err := m.Functions[i].normalize(); err != nil {
			return nil, fmt.Errorf("sap: built-in functions.yaml: %w", err)
		}
	}
	return &m, nil
}

// Merge returns m with extra: a function with the id of a built-in one
// replaces it, others are appended.
func (m *FunctionMap) Merge(extra []Function) *FunctionMap {
	out := &FunctionMap{Functions: slices.Clone(m.Functions)}
	for _, f := range extra {
		i := slices.IndexFunc(out.Functions, func(g Function) bool { return g.ID == f.ID })
		if i >= 0 {
			out.Functions[i] = f
		} else {
			out.Functions = append(out.Functions, f)
		}
	}
	return out
}

// normalize expands the shorthands and checks the definition.
func (f *Function) normalize() error {
	if f.ID == "" || f.Kind == "" {
		return fmt.Errorf("function %q: id and kind are required", f.ID)
	}
	if !slices.Contains(schema.Actions, f.Action) {
		return fmt.Errorf("function %s: action %q: want one of %s", f.ID, f.Action, strings.Join(schema.Strings(schema.Actions), ", "))
	}
	if f.Scope != "" && f.Scope != "system" && f.Scope != "company_code" {
		return fmt.Errorf("function %s: scope %q: want company_code or system", f.ID, f.Scope)
	}
	if len(f.Entries) == 0 {
		return fmt.Errorf("function %s: at least one entry (tcode, rfc_group, rfc_function or object) is required", f.ID)
	}
	for i := range f.Entries {
		if err := f.Entries[i].normalize(); err != nil {
			return fmt.Errorf("function %s: entries[%d]: %w", f.ID, i, err)
		}
	}
	for i := range f.Checks {
		if err := f.Checks[i].normalize(); err != nil {
			return fmt.Errorf("function %s: checks[%d]: %w", f.ID, i, err)
		}
		if f.Scope == "system" && f.Checks[i].CompanyCode != "" {
			return fmt.Errorf("function %s: checks[%d]: a system-scope function has no company code field", f.ID, i)
		}
	}
	return nil
}

func (c *Check) normalize() error {
	set := func(obj string, fields ...string) {
		c.Object = obj
		if c.Fields == nil {
			c.Fields = map[string]string{}
		}
		for i := 0; i < len(fields); i += 2 {
			c.Fields[fields[i]] = fields[i+1]
		}
	}
	n := 0
	for _, s := range []string{c.TCode, c.RFCGroup, c.RFCFunc} {
		if s != "" {
			n++
		}
	}
	if n > 1 || (n == 1 && c.Object != "") {
		return fmt.Errorf("give one of object, tcode, rfc_group, rfc_function")
	}
	switch {
	case c.TCode != "":
		set("S_TCODE", "TCD", c.TCode)
	case c.RFCGroup != "":
		set("S_RFC", "RFC_TYPE", "FUGR", "RFC_NAME", c.RFCGroup, "ACTVT", "16")
	case c.RFCFunc != "":
		set("S_RFC", "RFC_TYPE", "FUNC", "RFC_NAME", c.RFCFunc, "ACTVT", "16")
	}
	c.TCode, c.RFCGroup, c.RFCFunc = "", "", ""
	if c.Object == "" {
		return fmt.Errorf("object is required")
	}
	if len(c.Fields) == 0 && c.CompanyCode == "" {
		return fmt.Errorf("check on %s names no field", c.Object)
	}
	c.order = c.order[:0]
	for k := range c.Fields {
		c.order = append(c.order, k)
	}
	slices.SortFunc(c.order, func(a, b string) int { return strings.Compare(fieldRank(c.Object, a), fieldRank(c.Object, b)) })
	if c.CompanyCode != "" {
		c.order = append([]string{c.CompanyCode}, c.order...)
	}
	return nil
}

// fieldRank orders the fields of a check as SAP's own displays do for the
// common objects (S_RFC: type, name, activity); others by name with ACTVT last.
func fieldRank(obj, field string) string {
	switch field {
	case "RFC_TYPE":
		return "0"
	case "RFC_NAME":
		return "1"
	case "ACTVT":
		return "~"
	}
	return field
}

// interest is what the rows of AGR_1251/UST12 must look like to matter: the
// objects and fields the function map checks, with the constant values
// requested (nil = any value, for the company code and S_BTCH_NAM).
type interest struct {
	fields map[string]map[string]map[string]bool // object → field → values (nil: any)
}

// newInterest collects the checks of m plus S_BTCH_NAM BTCUNAME (run-as).
func newInterest(m *FunctionMap) *interest {
	in := &interest{fields: map[string]map[string]map[string]bool{}}
	add := func(obj, field, value string, any bool) {
		fm := in.fields[obj]
		if fm == nil {
			fm = map[string]map[string]bool{}
			in.fields[obj] = fm
		}
		vals, seen := fm[field]
		switch {
		case any:
			fm[field] = nil
		case !seen:
			fm[field] = map[string]bool{value: true}
		case vals != nil:
			vals[value] = true
		}
	}
	for _, f := range m.Functions {
		for _, c := range slices.Concat(f.Entries, f.Checks) {
			if c.CompanyCode != "" {
				add(c.Object, c.CompanyCode, "", true)
			}
			for k, v := range c.Fields {
				add(c.Object, k, v, false)
			}
		}
	}
	add(objBatchName, fieldBatchUser, "", true)
	return in
}

// wants reports whether a row (object, field, LOW, HIGH) can help cover a
// check: its field is checked and its value is a pattern, a range, an
// org-level variable or one of the values requested.
func (in *interest) wants(obj, field, low, high string) bool {
	fm, ok := in.fields[obj]
	if !ok {
		return false
	}
	vals, ok := fm[field]
	if !ok {
		return false
	}
	return vals == nil || high != "" || strings.HasPrefix(low, "$") || strings.HasSuffix(low, "*") || vals[low]
}

// The run-as object: S_BTCH_NAM BTCUNAME = the user a job step runs as.
const (
	objBatchName   = "S_BTCH_NAM"
	fieldBatchUser = "BTCUNAME"
)
