package gqlserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// operationGuard is a gqlgen extension run once per operation after
// validation: it records the operation name for the request log, rejects
// operations nested deeper than maxDepth, and rejects mutations from a
// principal without the admin role (the handler then answers 403).
type operationGuard struct {
	maxDepth int
}

var (
	_ graphql.HandlerExtension        = operationGuard{}
	_ graphql.OperationContextMutator = operationGuard{}
)

// ExtensionName names the extension.
func (operationGuard) ExtensionName() string { return "ReachgraphOperationGuard" }

// Validate accepts any schema.
func (operationGuard) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext checks the operation.
func (g operationGuard) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	rq := requestFrom(ctx)
	if rq != nil {
		name := rc.OperationName
		if name == "" && rc.Operation != nil {
			name = rc.Operation.Name
		}
		rq.setOperation(name)
	}
	if rc.Operation == nil {
		return nil
	}
	if d := selectionDepth(rc.Operation.SelectionSet, 0, map[string]bool{}); d > g.maxDepth {
		return gqlerror.Errorf("query is nested %d levels deep; the limit is %d", d, g.maxDepth)
	}
	if rc.Operation.Operation == ast.Mutation && rq != nil && rq.principal.Role != RoleAdmin {
		rq.setForbidden()
		return gqlerror.Errorf("forbidden: role %s may not run mutations; the admin role is required", rq.principal.Role)
	}
	return nil
}

// relayPlumbing reports whether f is the edges of a connection or the node
// of an edge: Relay's wrappers add no depth, so paging an answer costs the
// same depth as listing it.
func relayPlumbing(f *ast.Field) bool {
	if f.ObjectDefinition == nil {
		return false
	}
	on := f.ObjectDefinition.Name
	return f.Name == "edges" && strings.HasSuffix(on, "Connection") || f.Name == "node" && strings.HasSuffix(on, "Edge")
}

// selectionDepth is the deepest field nesting under set; fragments count
// through to their fields, and a fragment cycle (rejected by validation
// anyway) stops the walk.
func selectionDepth(set ast.SelectionSet, depth int, inFragment map[string]bool) int {
	best := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			step := 1
			if relayPlumbing(s) {
				step = 0
			}
			d = selectionDepth(s.SelectionSet, depth+step, inFragment)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth, inFragment)
		case *ast.FragmentSpread:
			if s.Definition == nil || inFragment[s.Name] {
				continue
			}
			inFragment[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, depth, inFragment)
			delete(inFragment, s.Name)
		default:
			panic(fmt.Sprintf("unknown selection %T", sel))
		}
		best = max(best, d)
	}
	return best
}
