package rules

import (
	"fmt"
	"slices"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/interpreter"

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
	// A constant pattern (`x.matches("^aws:[0-9]{12}$")`) is compiled once,
	// here, rather than on every evaluation (CEL's default: at tier M that
	// was 1.6 GB of garbage in three minutes of a report), and a malformed
	// one is an error when the rules load instead of at the first actor.
	prg, err := env.Program(ast, cel.OptimizeRegex(interpreter.MatchesRegexOptimization))
	return prg, ast, err
}

// guard is a top-level conjunct of a predicate that can be checked without
// building the predicate's variables: one bool field of access or identity
// (`access.critical`, `!identity.human`), `access.action == "approve"`, or
// `path.hops.exists(h, h.edge == "GRANT" && h.action == "admin" && …)` —
// some hop with the fields the body requires — or a disjunction of field
// guards (`access.action == "admin" || access.critical`). Guards are checked natively
// before the predicate runs; when one fails the predicate is false (CEL's &&
// is false when either side is false, even if the other errs), so nothing is
// built or evaluated. A hop guard is only a necessary condition: the
// predicate still runs when it holds.
type guard struct {
	op     guardOp
	want   bool    // for a bool field
	action string  // for access.action == "…"
	hop    []hopEq // for a hop guard: the equalities one hop must meet
	any    []guard // for a disjunction: field guards, one of which must hold
}

// hopEq is one field equality a hop guard requires.
type hopEq struct {
	field, value string // edge, action, kind or system
}

type guardOp uint8

const (
	gAccessCritical guardOp = iota
	gAccessEffective
	gAccessAuthorized
	gAccessSOX
	gAccessAction
	gIdentityHuman
	gIdentityNonhuman
	gIdentityAIAgent
	gIdentityActive
	gIdentityShared
	gIdentityBreakGlass
	gIdentityVendorManaged
	gIdentityOwned
	gHop
	gAny
)

// guardOps are the bool fields a guard may read.
var guardOps = map[string]map[string]guardOp{
	"access": {"critical": gAccessCritical, "effective": gAccessEffective, "authorized": gAccessAuthorized,
		"sox": gAccessSOX},
	"identity": {"human": gIdentityHuman, "nonhuman": gIdentityNonhuman, "ai_agent": gIdentityAIAgent,
		"active": gIdentityActive, "shared": gIdentityShared, "break_glass": gIdentityBreakGlass,
		"vendor_managed": gIdentityVendorManaged, "owned": gIdentityOwned},
}

// hopEqFields are the string fields of a hop a hop guard may compare.
var hopEqFields = setOf("edge", "action", "kind", "system")

func selectOf(e celast.Expr) (v, f string, ok bool) {
	if e.Kind() != celast.SelectKind {
		return "", "", false
	}
	s := e.AsSelect()
	if s.IsTestOnly() || s.Operand().Kind() != celast.IdentKind {
		return "", "", false
	}
	return s.Operand().AsIdent(), s.FieldName(), true
}

func stringLiteral(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().Value().(string)
	return s, ok
}

// equality returns the variable, field and literal of `v.f == "lit"` (either way round).
func equality(e celast.Expr) (v, f, lit string, ok bool) {
	if e.Kind() != celast.CallKind || e.AsCall().FunctionName() != operators.Equals {
		return "", "", "", false
	}
	args := e.AsCall().Args()
	for i := range 2 {
		v, f, isSel := selectOf(args[i])
		lit, isLit := stringLiteral(args[1-i])
		if isSel && isLit {
			return v, f, lit, true
		}
	}
	return "", "", "", false
}

// conjuncts calls fn on each top-level conjunct of e.
func conjuncts(e celast.Expr, fn func(celast.Expr)) {
	if e.Kind() == celast.CallKind && e.AsCall().FunctionName() == operators.LogicalAnd {
		for _, x := range e.AsCall().Args() {
			conjuncts(x, fn)
		}
		return
	}
	fn(e)
}

// guards returns the guards among the top-level conjuncts of a predicate.
func guards(a *cel.Ast) []guard {
	var out []guard
	conjuncts(a.NativeRep().Expr(), func(e celast.Expr) {
		if g, ok := fieldGuard(e); ok {
			out = append(out, g)
		} else if g, ok := anyGuard(e); ok {
			out = append(out, g)
		} else if g, ok := hopGuard(e); ok {
			out = append(out, g)
		}
	})
	return out
}

// fieldGuard recognises a guard on one field of access or identity:
// `v.f`, `!v.f` for a bool field of guardOps, or `access.action == "…"`.
func fieldGuard(e celast.Expr) (guard, bool) {
	if v, f, ok := selectOf(e); ok {
		op, ok := guardOps[v][f]
		return guard{op: op, want: true}, ok
	}
	if v, f, lit, ok := equality(e); ok {
		return guard{op: gAccessAction, action: lit}, v == "access" && f == "action"
	}
	if e.Kind() == celast.CallKind && e.AsCall().FunctionName() == operators.LogicalNot {
		if v, f, ok := selectOf(e.AsCall().Args()[0]); ok {
			op, ok := guardOps[v][f]
			return guard{op: op, want: false}, ok
		}
	}
	return guard{}, false
}

// anyGuard recognises a disjunction of field guards, such as
// `(access.action == "admin" || access.critical)`: it holds when one of
// them does. A disjunct that is not a field guard (it reads the path, a
// tag …) makes the disjunction no guard at all.
func anyGuard(e celast.Expr) (guard, bool) {
	if e.Kind() != celast.CallKind || e.AsCall().FunctionName() != operators.LogicalOr {
		return guard{}, false
	}
	var alts []guard
	ok := true
	var walk func(celast.Expr)
	walk = func(e celast.Expr) {
		if e.Kind() == celast.CallKind && e.AsCall().FunctionName() == operators.LogicalOr {
			for _, x := range e.AsCall().Args() {
				walk(x)
			}
			return
		}
		g, isField := fieldGuard(e)
		ok = ok && isField
		alts = append(alts, g)
	}
	walk(e)
	return guard{op: gAny, any: alts}, ok
}

// hopGuard recognises `path.hops.exists(h, body)` where body's top-level
// conjuncts include equalities of h's string fields with literals (the
// macro expands to a comprehension over path.hops whose step is
// `accu || body`).
func hopGuard(e celast.Expr) (guard, bool) {
	if e.Kind() != celast.ComprehensionKind {
		return guard{}, false
	}
	c := e.AsComprehension()
	if v, f, ok := selectOf(c.IterRange()); !ok || v != "path" || f != "hops" || c.HasIterVar2() {
		return guard{}, false
	}
	step := c.LoopStep()
	if step.Kind() != celast.CallKind || step.AsCall().FunctionName() != operators.LogicalOr {
		return guard{}, false
	}
	args := step.AsCall().Args()
	if len(args) != 2 || args[0].Kind() != celast.IdentKind || args[0].AsIdent() != c.AccuVar() {
		return guard{}, false
	}
	// exists starts from false and stops at true: its result is the OR of
	// body over the hops, whatever the loop condition.
	if init := c.AccuInit(); init.Kind() != celast.LiteralKind || init.AsLiteral().Value() != false {
		return guard{}, false
	}
	var eqs []hopEq
	conjuncts(args[1], func(b celast.Expr) {
		if v, f, lit, ok := equality(b); ok && v == c.IterVar() && hopEqFields[f] {
			eqs = append(eqs, hopEq{field: f, value: lit})
		}
	})
	return guard{op: gHop, hop: eqs}, len(eqs) > 0
}

// requires reports whether gs hold the guard op == want (a bool field).
func requires(gs []guard, op guardOp) bool {
	return slices.ContainsFunc(gs, func(g guard) bool { return g.op == op && g.want })
}

// identityFacts are the bool fields of an identity the guards read.
type identityFacts struct {
	human, nonhuman, aiAgent, active, shared, breakGlass, vendorManaged, owned bool
}

// passAccess reports whether every guard on identity i and access a holds
// (hop guards are checked per path by passPath).
func passAccess(gs []guard, i *identityFacts, a *analysis.Access, sox func() bool) bool {
	for k := range gs {
		if !guardHolds(&gs[k], i, a, sox) {
			return false
		}
	}
	return true
}

// guardHolds reports whether guard g holds on identity i and access a (a hop
// guard always does here: passPath checks it).
func guardHolds(g *guard, i *identityFacts, a *analysis.Access, sox func() bool) bool {
	var got bool
	switch g.op {
	case gHop:
		return true
	case gAny:
		for k := range g.any {
			if guardHolds(&g.any[k], i, a, sox) {
				return true
			}
		}
		return false
	case gAccessAction:
		return string(a.Action) == g.action
	case gAccessCritical:
		got = a.Critical
	case gAccessEffective:
		got = a.Effective
	case gAccessAuthorized:
		got = a.Authorized
	case gAccessSOX:
		got = sox()
	case gIdentityHuman:
		got = i.human
	case gIdentityNonhuman:
		got = i.nonhuman
	case gIdentityAIAgent:
		got = i.aiAgent
	case gIdentityActive:
		got = i.active
	case gIdentityShared:
		got = i.shared
	case gIdentityBreakGlass:
		got = i.breakGlass
	case gIdentityVendorManaged:
		got = i.vendorManaged
	case gIdentityOwned:
		got = i.owned
	}
	return got == g.want
}

// passPath reports whether p has, for every hop guard of gs, a hop that
// meets its equalities.
func passPath(gs []guard, p analysis.Path) bool {
	for _, g := range gs {
		if g.op == gHop && !slices.ContainsFunc(p, func(h analysis.Hop) bool { return hopMeets(h, g.hop) }) {
			return false
		}
	}
	return true
}

func hopMeets(h analysis.Hop, eqs []hopEq) bool {
	for _, q := range eqs {
		var got string
		switch q.field {
		case "edge":
			got = string(h.Edge)
		case "action":
			got = string(h.Action)
		case "kind":
			got = string(h.Kind)
		case "system":
			got = h.System
		}
		if got != q.value {
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
