package awsiam

import (
	"fmt"
	"sort"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
)

// flush writes the merged grants and the delegations in a stable order.
func (t *transformer) flush() {
	keys := make([]grantKey, 0, len(t.grants))
	for k := range t.grants {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.principal != b.principal {
			return a.principal < b.principal
		}
		if a.resource != b.resource {
			return a.resource < b.resource
		}
		if a.action != b.action {
			return a.action.Index() < b.action.Index()
		}
		if a.conditional != b.conditional {
			return !a.conditional
		}
		return a.machine < b.machine
	})
	for _, k := range keys {
		t.out.GrantList = append(t.out.GrantList, graph.Grant{Principal: k.principal, Action: k.action, Resource: k.resource,
			Native: t.grants[k].String(), Conditional: k.conditional})
	}
	ds := make([]graph.Delegation, 0, len(t.delegs))
	for d, natives := range t.delegs {
		d.Native = strings.Join(natives, "; ")
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Native < b.Native
	})
	t.out.DelegationList = append(t.out.DelegationList, ds...)
}

// maxEvidence caps the evidence part of a grant's native string (many
// policies can give the same clause); the rest is counted. The clauses are
// never cut: native queries match them.
const maxEvidence = 400

// String is the grant's native string with its evidence merged.
func (g *grantVal) String() string {
	n := g.native
	n.Evidence = strings.Join(g.evidence, "; ")
	if len(n.Evidence) > maxEvidence {
		cut := strings.LastIndex(n.Evidence[:maxEvidence], "; ")
		if cut <= 0 {
			cut = maxEvidence
		}
		n.Evidence = n.Evidence[:cut] + fmt.Sprintf(" … (+%d more)", strings.Count(n.Evidence[cut:], "; "))
	}
	return n.String()
}
