package schema_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

// TestOpenGraphVocabulary keeps the OpenGraph kinds in step with the model:
// every identity type and action has a kind, every edge kind is exported,
// and every name is namespaced and valid as a BloodHound edge kind.
func TestOpenGraphVocabulary(t *testing.T) {
	valid := regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	seen := map[string]bool{}
	check := func(name string) {
		require.True(t, strings.HasPrefix(name, schema.OpenGraphNamespace+"_"), name)
		require.Regexp(t, valid, name)
		require.False(t, seen[name], "duplicate kind %s", name)
		seen[name] = true
	}
	for _, k := range schema.OpenGraphNodeKinds {
		check(k.Name)
		require.Regexp(t, `^#[0-9A-F]{6}$`, k.Color, k.Name)
		require.NotEmpty(t, k.Icon, k.Name)
	}
	for _, typ := range schema.IdentityTypes {
		require.True(t, seen[schema.OpenGraphIdentityKind(typ)], "identity type %s has no kind", typ)
	}
	edges := map[schema.EdgeKind]bool{}
	for _, k := range schema.OpenGraphEdgeKinds {
		check(k.Name)
		edges[k.Edge] = true
	}
	for _, a := range schema.Actions {
		require.True(t, seen[schema.OpenGraphGrantKind(a)], "action %s has no grant kind", a)
	}
	for _, e := range schema.EdgeKinds {
		require.True(t, edges[e], "edge kind %s is not exported", e)
	}
	require.Empty(t, schema.OpenGraphGrantKind("delete"))
}
