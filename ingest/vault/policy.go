package vault

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Rule is one path block of a policy, with capabilities merged when the
// policy names the same path twice (Vault merges them too).
type Rule struct {
	// Path is the API path pattern as written: "secret/data/sap/*".
	Path string
	// Capabilities are the capabilities in the order written, deduplicated
	// ("read", "list", "deny" …); a legacy `policy = "write"` is expanded.
	Capabilities []string
	// Line is the path block's line in the policy text (1-based).
	Line int
	// Params names the parameter constraints of the block
	// (allowed_parameters, denied_parameters, required_parameters): the
	// grant then holds only for some request bodies.
	Params []string
	// ControlGroup is set when the block requires control-group approval.
	ControlGroup bool
}

// Denies reports whether the rule carries the deny capability.
func (r *Rule) Denies() bool { return slices.Contains(r.Capabilities, "deny") }

// PolicyProblem is a problem in a policy's text at Line (1-based, 0 when
// unknown).
type PolicyProblem struct {
	Line int
	Msg  string
}

// knownCaps are the capabilities Vault and OpenBao accept.
var knownCaps = map[string]bool{"create": true, "read": true, "update": true, "patch": true, "delete": true,
	"list": true, "sudo": true, "deny": true, "subscribe": true, "recover": true, "scan": true}

// legacyPolicy expands the pre-0.5 `policy = "…"` shorthand.
var legacyPolicy = map[string][]string{
	"deny":  {"deny"},
	"read":  {"read", "list"},
	"write": {"create", "read", "update", "delete", "list"},
	"sudo":  {"create", "read", "update", "delete", "list", "sudo"},
}

// paramNames are the path-block keys that constrain request parameters.
var paramNames = []string{"allowed_parameters", "denied_parameters", "required_parameters"}

type policyDoc struct {
	Paths []pathBlock `hcl:"path,block"`
	Rest  hcl.Body    `hcl:",remain"`
}

type pathBlock struct {
	Path         string         `hcl:"path,label"`
	Capabilities *hcl.Attribute `hcl:"capabilities,optional"`
	Policy       *hcl.Attribute `hcl:"policy,optional"`
	Rest         hcl.Body       `hcl:",remain"`
	Range        hcl.Range      `hcl:",def_range"`
}

// ParsePolicy parses a policy's text, HCL or (when it starts with '{')
// JSON, as Vault's `vault policy write` accepts it. name is used in
// positions. It returns the rules in order of first appearance; every
// problem names its line. Unknown keys are ignored (newer servers add some).
func ParsePolicy(name string, src []byte) ([]Rule, []PolicyProblem) {
	p := hclparse.NewParser()
	var f *hcl.File
	var diags hcl.Diagnostics
	if t := strings.TrimSpace(string(src)); strings.HasPrefix(t, "{") {
		f, diags = p.ParseJSON(src, name)
	} else {
		f, diags = p.ParseHCL(blankNested(src), name)
	}
	if diags.HasErrors() {
		return nil, diagProblems(diags)
	}
	var doc policyDoc
	if diags := gohcl.DecodeBody(f.Body, nil, &doc); diags.HasErrors() {
		return nil, diagProblems(diags)
	}
	var rules []Rule
	var probs []PolicyProblem
	at := map[string]int{}
	for _, b := range doc.Paths {
		r, ps := ruleOf(b)
		probs = append(probs, ps...)
		if i, ok := at[r.Path]; ok {
			rules[i].Capabilities = union(rules[i].Capabilities, r.Capabilities)
			rules[i].Params = union(rules[i].Params, r.Params)
			rules[i].ControlGroup = rules[i].ControlGroup || r.ControlGroup
			continue
		}
		at[r.Path] = len(rules)
		rules = append(rules, r)
	}
	return rules, probs
}

// ruleOf checks one path block.
func ruleOf(b pathBlock) (Rule, []PolicyProblem) {
	r := Rule{Path: strings.TrimPrefix(b.Path, "/"), Line: b.Range.Start.Line}
	var probs []PolicyProblem
	bad := func(format string, args ...any) {
		probs = append(probs, PolicyProblem{Line: r.Line, Msg: fmt.Sprintf(format, args...)})
	}
	if b.Capabilities != nil {
		var caps []string
		if diags := gohcl.DecodeExpression(b.Capabilities.Expr, nil, &caps); diags.HasErrors() {
			probs = append(probs, diagProblems(diags)...)
		}
		for _, c := range caps {
			c = strings.ToLower(strings.TrimSpace(c))
			if !knownCaps[c] {
				probs = append(probs, PolicyProblem{Line: b.Capabilities.Range.Start.Line, Msg: fmt.Sprintf(
					"path %q: unknown capability %q (allowed: create, read, update, patch, delete, list, sudo, deny, subscribe, recover)", b.Path, c)})
				continue
			}
			r.Capabilities = union(r.Capabilities, []string{c})
		}
	}
	if b.Policy != nil {
		var pol string
		if diags := gohcl.DecodeExpression(b.Policy.Expr, nil, &pol); diags.HasErrors() {
			probs = append(probs, diagProblems(diags)...)
		} else if caps, ok := legacyPolicy[strings.ToLower(pol)]; ok {
			r.Capabilities = union(r.Capabilities, caps)
		} else {
			probs = append(probs, PolicyProblem{Line: b.Policy.Range.Start.Line, Msg: fmt.Sprintf("path %q: unknown policy %q (allowed: deny, read, write, sudo)", b.Path, pol)})
		}
	}
	if b.Capabilities == nil && b.Policy == nil {
		bad("path %q: no capabilities", b.Path)
	}
	r.Params, r.ControlGroup = constraints(b.Rest)
	return r, probs
}

// constraints reports the parameter constraints and control group of a path
// block's remaining body, in native HCL or JSON.
func constraints(body hcl.Body) (params []string, controlGroup bool) {
	if sb, ok := body.(*hclsyntax.Body); ok {
		for _, n := range paramNames {
			_, attr := sb.Attributes[n]
			blk := slices.ContainsFunc(sb.Blocks, func(b *hclsyntax.Block) bool { return b.Type == n })
			if attr || blk {
				params = append(params, n)
			}
		}
		_, cg := sb.Attributes["control_group"]
		return params, cg || slices.ContainsFunc(sb.Blocks, func(b *hclsyntax.Block) bool { return b.Type == "control_group" })
	}
	schema := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "control_group"}}}
	for _, n := range paramNames {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: n})
	}
	content, _, _ := body.PartialContent(schema)
	if content == nil {
		return nil, false
	}
	for _, n := range paramNames {
		if _, ok := content.Attributes[n]; ok {
			params = append(params, n)
		}
	}
	_, cg := content.Attributes["control_group"]
	return params, cg
}

// nestedKeys are the path-block keys whose value is only noted, never
// read. Vault's docs write them in HCL 1 forms that HCL 2 rejects
// (`control_group = { factor "x" { … } }`, `allowed_parameters { "k" = [] }`).
var nestedKeys = []string{"control_group", "allowed_parameters", "denied_parameters", "required_parameters"}

// blankNested replaces the inside of every `KEY {…}` or `KEY = {…}` of
// nestedKeys with spaces (keeping newlines, so lines stay right), leaving
// an empty object or block HCL 2 parses.
func blankNested(src []byte) []byte {
	out := slices.Clone(src)
	for _, key := range nestedKeys {
		for from := 0; ; {
			i := bytes.Index(out[from:], []byte(key))
			if i < 0 {
				break
			}
			i += from
			from = i + len(key)
			if i > 0 && !isSpace(out[i-1]) {
				continue
			}
			j := from
			for j < len(out) && (isSpace(out[j]) || out[j] == '=') {
				j++
			}
			if j >= len(out) || out[j] != '{' {
				continue
			}
			if end := matchBrace(out, j); end > 0 {
				for k := j + 1; k < end; k++ {
					if out[k] != '\n' {
						out[k] = ' '
					}
				}
				from = end
			}
		}
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// matchBrace is the index of the brace closing the one at open, skipping
// quoted strings; -1 when there is none.
func matchBrace(b []byte, open int) int {
	depth, inStr := 0, false
	for k := open; k < len(b); k++ {
		switch c := b[k]; {
		case inStr && c == '\\':
			k++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

func diagProblems(diags hcl.Diagnostics) []PolicyProblem {
	var probs []PolicyProblem
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		p := PolicyProblem{Msg: d.Summary}
		if d.Detail != "" {
			p.Msg += ": " + d.Detail
		}
		if d.Subject != nil {
			p.Line = d.Subject.Start.Line
		}
		probs = append(probs, p)
	}
	return probs
}

// union appends the items of b missing from a.
func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}
