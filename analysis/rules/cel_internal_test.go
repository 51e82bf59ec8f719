package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestToxicRegexCompiledOnce: a constant pattern in a toxic predicate is
// compiled when the rules load — a malformed one is a load error naming the
// rule — and evaluating the predicate does not compile it again.
func TestToxicRegexCompiledOnce(t *testing.T) {
	_, err := Load([]byte(`rules:
  - id: TEST-BAD-RE
    kind: toxic_path
    title: a malformed pattern
    severity: low
    when: 'access.effective && access.resource.matches("^fin:[")'
`))
	require.ErrorContains(t, err, "TEST-BAD-RE")
	require.ErrorContains(t, err, "missing closing ]")

	prg, _, err := compile(`access.resource.matches("^fin:[a-z]+-[0-9]{3}$")`)
	require.NoError(t, err)
	vars := map[string]any{"access": map[string]any{"resource": "fin:je-001"}, "identity": map[string]any{}, "path": map[string]any{}}
	out, _, err := prg.Eval(vars)
	require.NoError(t, err)
	require.Equal(t, true, out.Value())
	// Compiling this pattern allocates a few kilobytes; matching it against
	// a short string, a few hundred bytes.
	allocs := testing.AllocsPerRun(100, func() { _, _, _ = prg.Eval(vars) })
	require.Less(t, allocs, 40.0, "allocations per evaluation: the pattern is compiled each time")
}
