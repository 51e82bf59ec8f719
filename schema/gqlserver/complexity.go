package gqlserver

import (
	"time"

	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/gqlserver/generated"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// Complexity weights: a list field costs its element's complexity times the
// number of elements it may return — the page size asked (first, k) where
// there is one, else an estimate — so nesting lists inside lists is what
// makes a query expensive (docs/graphql.md "Limits and errors").
const (
	// AnswerListWeight is the assumed size of an answer list (accesses of
	// whoCan/reach/whoCanNative, an identity's critical accesses, the
	// changes of a diff), which has no page size.
	AnswerListWeight = 50
	// MemberListWeight is the assumed size of a membership list (group
	// members and member groups, an identity's groups, credentials, actor).
	MemberListWeight = 10
	// defaultPage is the page size when first is not given.
	defaultPage = 50
)

// complexity returns the weights of the list fields; other fields cost one
// plus their children (gqlgen's default).
func complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	list := func(n int) func(int) int { return func(child int) int { return 1 + n*child } }
	c.AccessResult.Accesses = list(AnswerListWeight)
	c.NativeAccessResult.Accesses = list(AnswerListWeight)
	c.Identity.CriticalAccess = list(AnswerListWeight)
	for _, f := range []*func(int) int{&c.Diff.AccessesGained, &c.Diff.AccessesLost, &c.Diff.FindingsGained, &c.Diff.FindingsLost,
		&c.Diff.IdentitiesGained, &c.Diff.IdentitiesLost, &c.Diff.WindowsChanged} {
		*f = list(AnswerListWeight)
	}
	for _, f := range []*func(int) int{&c.Group.Members, &c.Group.MemberGroups, &c.Group.Groups, &c.Identity.Groups,
		&c.Identity.Credentials, &c.Identity.Actor} {
		*f = list(MemberListWeight)
	}
	// A finding lists at most 3 paths and 20 accesses (analysis/rules caps).
	c.Finding.Paths = list(3)
	c.Finding.Accesses = list(20)
	page := func(first *int) int {
		if first != nil && *first >= 0 {
			return max(*first, 1)
		}
		return defaultPage
	}
	c.Query.Identities = func(child int, _ *model.IdentityFilter, first *int, _ *string, _ *string, _ *time.Time) int {
		return 1 + page(first)*child
	}
	c.Query.Findings = func(child int, _ *schema.Severity, _ *schema.Category, _ *string, _ *string, first *int, _ *string,
		_ *string, _ *time.Time) int {
		return 1 + page(first)*child
	}
	c.Query.Paths = func(child int, _ string, _ string, _ schema.Action, k *int, _ *string, _ *time.Time) int {
		n := 1
		if k != nil && *k > 1 {
			n = *k
		}
		return 1 + n*child
	}
	return c
}
