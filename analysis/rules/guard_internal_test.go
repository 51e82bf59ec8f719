package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGuards: only top-level conjuncts reading one access or identity field
// are guards; anything under ||, a test-only has(), or a comparison with a
// non-literal is left to the predicate.
func TestGuards(t *testing.T) {
	for _, tc := range []struct {
		when string
		want []guard
	}{
		{`access.critical && path.through_exposure`, []guard{{v: "access", field: "critical", want: true}}},
		{`identity.nonhuman && access.effective && access.critical && access.action == "approve"`, []guard{
			{v: "identity", field: "nonhuman", want: true}, {v: "access", field: "effective", want: true},
			{v: "access", field: "critical", want: true}, {v: "access", field: "action", action: "approve"}}},
		{`"admin" == access.action && !identity.human`, []guard{
			{v: "access", field: "action", action: "admin"}, {v: "identity", field: "human", want: false}}},
		{`access.critical || identity.nonhuman`, nil},
		{`has(access.critical) && path.length > 1`, nil},
		{`access.action == identity.id`, nil},
		{`access.resource == "x" && identity.tags["a"] == "b"`, nil},
		{`(access.sox && identity.vendor_managed) && !(access.effective && path.length > 2)`, []guard{
			{v: "access", field: "sox", want: true}, {v: "identity", field: "vendor_managed", want: true}}},
	} {
		_, ast, err := compile(tc.when)
		require.NoError(t, err, tc.when)
		require.Equal(t, tc.want, guards(ast), tc.when)
	}
}
