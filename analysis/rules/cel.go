package rules

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
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
func compile(expr string) (cel.Program, error) {
	env, err := celEnv()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if !ast.OutputType().IsExactType(cel.BoolType) && !ast.OutputType().IsExactType(cel.DynType) {
		return nil, fmt.Errorf("predicate yields %s, want bool", ast.OutputType())
	}
	return env.Program(ast)
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
