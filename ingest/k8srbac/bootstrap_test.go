package k8srbac_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// combine copies the files of paths (files or directories, not recursive)
// into one directory: one cluster is one source.
func combine(t *testing.T, paths ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			entries, err := os.ReadDir(p)
			require.NoError(t, err)
			files = files[:0]
			for _, e := range entries {
				files = append(files, filepath.Join(p, e.Name()))
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600))
		}
	}
	return dir
}

// Bootstrap facts (EXPECTED.md "kubernetes-bootstrap"): system:masters is
// bound to cluster-admin, which is admin on the whole cluster.
func TestBootstrapSystemMasters(t *testing.T) {
	d := load(t, td+"kubernetes-bootstrap")
	require.True(t, isMember(d, group("system:masters"), crb("cluster-admin")))
	require.True(t, isMember(d, crb("cluster-admin"), sys+":clusterrole:cluster-admin"))
	assert.True(t, hasGrant(d, crb("cluster-admin"), schema.ActionAdmin, sys), "cluster-admin: * on * is admin on the cluster")
	assert.True(t, hasGrant(d, crb("cluster-admin"), schema.ActionAdmin, sys+":url:*"), "and on every non-resource URL")
	var admins []string
	for _, g := range grantsOf(d, "") {
		if g.Resource == sys && g.Action == schema.ActionAdmin {
			admins = append(admins, g.Principal)
		}
	}
	assert.Equal(t, []string{crb("cluster-admin")}, admins, "no other bootstrap binding is admin on the cluster")
}

// system:authenticated gets basic-user, discovery, public-info-viewer;
// system:unauthenticated only public-info-viewer; system:node has no
// subjects and is accepted.
func TestBootstrapGroupsAndEmptyBinding(t *testing.T) {
	d := load(t, td+"kubernetes-bootstrap")
	bindingsOf := func(g string) []string {
		var out []string
		for _, m := range d.MembershipList {
			if m.Member == group(g) {
				out = append(out, strings.TrimPrefix(m.Group, sys+":clusterrolebinding:"))
			}
		}
		slices.Sort(out)
		return out
	}
	assert.Equal(t, []string{"system:basic-user", "system:discovery", "system:public-info-viewer"}, bindingsOf("system:authenticated"))
	assert.Equal(t, []string{"system:public-info-viewer"}, bindingsOf("system:unauthenticated"))
	found := false
	for _, g := range d.GroupList {
		found = found || g.ID == crb("system:node")
	}
	assert.True(t, found, "the binding without subjects is ingested")
	// The bindings file is older than the roles file: system:monitoring is
	// a role without a binding.
	roles := map[string]bool{}
	for _, g := range d.GroupList {
		roles[g.ID] = true
	}
	for _, r := range []string{"system:monitoring", "system:service-account-issuer-discovery"} {
		assert.True(t, roles[sys+":clusterrole:"+r], r)
		assert.False(t, roles[crb(r)], r)
	}
	for _, m := range d.MembershipList {
		assert.NotEqual(t, crb("system:node"), m.Group, "system:node has no members")
	}
}

// finance is the namespace edit-binding.yaml binds admin, edit and view in.
func financeCluster(t *testing.T) *graph.Dataset {
	t.Helper()
	return load(t, combine(t, td+"kubernetes-bootstrap", "testdata/edit-binding.yaml", td+"operators/metrics-server"))
}

// grantSet is the (action, resource) pairs a binding is granted.
func grantSet(d *graph.Dataset, principal string) map[string]bool {
	out := map[string]bool{}
	for _, g := range grantsOf(d, principal) {
		out[string(g.Action)+" "+g.Resource] = true
	}
	return out
}

func subset(a, b map[string]bool) []string {
	var missing []string
	for k := range a {
		if !b[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	return missing
}

// Aggregation: admin ⊇ edit ⊇ view ⊇ system:aggregate-to-view, and
// system:aggregated-metrics-reader (metrics-server) joins all three.
func TestBootstrapAggregation(t *testing.T) {
	d := financeCluster(t)
	admin, edit, view := grantSet(d, rb("finance/admin-ada")), grantSet(d, rb("finance/edit-alice")), grantSet(d, rb("finance/view-victor"))
	require.NotEmpty(t, view)
	assert.Empty(t, subset(view, edit), "edit ⊇ view")
	assert.Empty(t, subset(edit, admin), "admin ⊇ edit")
	assert.Greater(t, len(edit), len(view))
	assert.Greater(t, len(admin), len(edit))
	metrics := sys + ":ns:finance:pods.metrics.k8s.io"
	for _, b := range []string{"finance/admin-ada", "finance/edit-alice", "finance/view-victor"} {
		assert.True(t, hasGrant(d, rb(b), schema.ActionRead, metrics), "%s reads pod metrics through system:aggregated-metrics-reader", b)
	}
	// view carries system:aggregate-to-view's rules: read on configmaps.
	assert.True(t, hasGrant(d, rb("finance/view-victor"), schema.ActionRead, sys+":ns:finance:configmaps"))
	assert.False(t, hasGrant(d, rb("finance/view-victor"), schema.ActionRead, sys+":ns:finance:secrets"), "view cannot read secrets")
	// A RoleBinding grants inside its namespace only.
	for _, g := range grantsOf(d, rb("finance/admin-ada")) {
		assert.True(t, g.Resource == ns("finance") || strings.HasPrefix(g.Resource, ns("finance")+":"), "grant outside finance: %+v", g)
	}
}

// Through aggregation, edit can act as every service account of its
// namespace (impersonate, serviceaccounts/token, pods/exec …), and no other.
func TestBootstrapEditActsAsEveryServiceAccount(t *testing.T) {
	d := financeCluster(t)
	del := delegationsFrom(d, rb("finance/edit-alice"))
	for _, s := range []string{sa("finance", "batch"), sa("finance", "reporter")} {
		assert.Contains(t, del[s], schema.DelegImpersonate, "impersonate serviceaccounts")
		assert.Contains(t, del[s], schema.DelegRunAs, "create pods / pods/exec")
		assert.Contains(t, del[s], schema.DelegOther, "create serviceaccounts/token")
	}
	for _, typ := range []string{"serviceaccounts", "serviceaccounts/token", "pods/exec"} {
		assert.True(t, hasGrant(d, rb("finance/edit-alice"), schema.ActionWrite, sys+":ns:finance:"+typ) ||
			hasGrant(d, rb("finance/edit-alice"), schema.ActionAdmin, sys+":ns:finance:"+typ), typ)
	}
	assert.True(t, hasGrant(d, rb("finance/edit-alice"), schema.ActionRead, sys+":ns:finance:secrets"), "edit gets secrets")
	assert.NotContains(t, del, sa("other", "x"), "a RoleBinding reaches its namespace only")
	assert.Empty(t, delegationsFrom(d, rb("finance/view-victor")), "view acts as nobody")
	// alice reaches what batch alone is granted: the ledger ConfigMap.
	who := whoCan(t, d, schema.ActionWrite, sys+":ns:finance:configmaps:ledger")
	assert.Contains(t, who, sa("finance", "batch"))
	assert.Contains(t, who, user("alice@example.com"))
	assert.NotContains(t, who, user("victor@example.com"))
	assert.True(t, who[user("alice@example.com")].Effective, "users hold a federated credential")
	// The user ada is a human, system: users are service accounts.
	types := map[string]schema.IdentityType{}
	for _, id := range d.IdentityList {
		types[id.ID] = id.Type
	}
	assert.Equal(t, schema.IdentityHuman, types[user("ada@example.com")])
	assert.Equal(t, schema.IdentityServiceAccount, types[user("system:kube-scheduler")])
	assert.Equal(t, schema.IdentityWorkload, types[sa("finance", "batch")])
}
