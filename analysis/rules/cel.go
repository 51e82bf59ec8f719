package rules

import (
	"fmt"
	"slices"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
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

// requiresCritical reports whether access.critical is a top-level conjunct of
// the predicate: then it is false on every access that is not critical (CEL's
// && is false when either side is false, even if the other errs).
func requiresCritical(a *cel.Ast) bool {
	var walk func(e celast.Expr) bool
	walk = func(e celast.Expr) bool {
		switch e.Kind() {
		case celast.CallKind:
			c := e.AsCall()
			return c.FunctionName() == operators.LogicalAnd && slices.ContainsFunc(c.Args(), walk)
		case celast.SelectKind:
			s := e.AsSelect()
			return !s.IsTestOnly() && s.FieldName() == "critical" && s.Operand().Kind() == celast.IdentKind &&
				s.Operand().AsIdent() == "access"
		}
		return false
	}
	return walk(a.NativeRep().Expr())
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
