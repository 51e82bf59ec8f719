package rules

import (
	"fmt"
	"slices"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"

	"github.com/reachgraph/reachgraph/analysis"
)

var (
	envOnce sync.Once
	envVal  *cel.Env
	envErr  error
)

// celEnv is the environment of toxic_path predicates: the variables identity,
// access and path, each a map (docs/reports.md lists their fields).
func celEnv() (*cel.Env, error) {
	envOnce.Do(func() {
		m := cel.MapType(cel.StringType, cel.DynType)
		envVal, envErr = cel.NewEnv(
			cel.Variable("identity", m),
			cel.Variable("access", m),
			cel.Variable("path", m),
		)
	})
	return envVal, envErr
}

// compile type-checks a predicate and returns its program; the result must be bool.
func compile(expr string) (cel.Program, *cel.Ast, error) {
	env, err := celEnv()
	if err != nil {
		return nil, nil, err
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, nil, iss.Err()
	}
	if !ast.OutputType().IsExactType(cel.BoolType) && !ast.OutputType().IsExactType(cel.DynType) {
		return nil, nil, fmt.Errorf("predicate yields %s, want bool", ast.OutputType())
	}
	prg, err := env.Program(ast)
	return prg, ast, err
}

// guard is a top-level conjunct of a predicate that reads one field of
// access or identity and nothing else: `access.critical`, `!identity.human`,
// `access.action == "approve"`. Guards are checked natively before the
// predicate runs; when one fails the predicate is false on every path of the
// access (CEL's && is false when either side is false, even if the other
// errs), so no path variables are built and nothing is evaluated.
type guard struct {
	v, field string // variable ("access" or "identity") and field
	want     bool   // for a bool field
	action   string // for access.action == "…"; "" for a bool field
}

// guardFields are the bool fields a guard may read.
var guardFields = map[string]map[string]bool{
	"access":   setOf("critical", "effective", "authorized", "sox"),
	"identity": setOf("human", "nonhuman", "ai_agent", "active", "shared", "break_glass", "vendor_managed", "owned"),
}

// guards returns the guards among the top-level conjuncts of a predicate.
func guards(a *cel.Ast) []guard {
	var out []guard
	field := func(e celast.Expr) (v, f string, ok bool) {
		if e.Kind() != celast.SelectKind {
			return "", "", false
		}
		s := e.AsSelect()
		if s.IsTestOnly() || s.Operand().Kind() != celast.IdentKind {
			return "", "", false
		}
		return s.Operand().AsIdent(), s.FieldName(), true
	}
	literal := func(e celast.Expr) (string, bool) {
		if e.Kind() != celast.LiteralKind {
			return "", false
		}
		s, ok := e.AsLiteral().Value().(string)
		return s, ok
	}
	var walk func(e celast.Expr)
	walk = func(e celast.Expr) {
		if v, f, ok := field(e); ok && guardFields[v][f] {
			out = append(out, guard{v: v, field: f, want: true})
			return
		}
		if e.Kind() != celast.CallKind {
			return
		}
		c := e.AsCall()
		switch args := c.Args(); c.FunctionName() {
		case operators.LogicalAnd:
			for _, x := range args {
				walk(x)
			}
		case operators.LogicalNot:
			if v, f, ok := field(args[0]); ok && guardFields[v][f] {
				out = append(out, guard{v: v, field: f, want: false})
			}
		case operators.Equals:
			for i := range 2 {
				v, f, ok := field(args[i])
				lit, isLit := literal(args[1-i])
				if ok && isLit && v == "access" && f == "action" {
					out = append(out, guard{v: v, field: f, action: lit})
					return
				}
			}
		}
	}
	walk(a.NativeRep().Expr())
	return out
}

// requires reports whether gs hold the guard access.critical.
func requires(gs []guard, v, field string) bool {
	return slices.ContainsFunc(gs, func(g guard) bool { return g.v == v && g.field == field && g.action == "" && g.want })
}

// identityFacts are the bool fields of an identity the guards read.
type identityFacts struct {
	human, nonhuman, aiAgent, active, shared, breakGlass, vendorManaged, owned bool
}

// pass reports whether every guard holds on identity i and access a.
func pass(gs []guard, i *identityFacts, a *analysis.Access, sox func() bool) bool {
	for _, g := range gs {
		var got bool
		switch g.v + "." + g.field {
		case "access.action":
			if string(a.Action) != g.action {
				return false
			}
			continue
		case "access.critical":
			got = a.Critical
		case "access.effective":
			got = a.Effective
		case "access.authorized":
			got = a.Authorized
		case "access.sox":
			got = sox()
		case "identity.human":
			got = i.human
		case "identity.nonhuman":
			got = i.nonhuman
		case "identity.ai_agent":
			got = i.aiAgent
		case "identity.active":
			got = i.active
		case "identity.shared":
			got = i.shared
		case "identity.break_glass":
			got = i.breakGlass
		case "identity.vendor_managed":
			got = i.vendorManaged
		case "identity.owned":
			got = i.owned
		}
		if got != g.want {
			return false
		}
	}
	return true
}

// eval runs a compiled predicate; a non-bool result or an evaluation error
// (such as a missing key) counts as an error.
func eval(p cel.Program, vars map[string]any) (bool, error) {
	out, _, err := p.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("predicate yielded %v, want bool", out.Value())
	}
	return b, nil
}
