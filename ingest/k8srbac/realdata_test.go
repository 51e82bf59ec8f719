package k8srbac_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// rbac-tool who-can answers (EXPECTED.md "rbac-tool", each file's header).
func TestRBACToolWhoCan(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		action   schema.Action
		resource string
		want     []string // identities (whocan)
		groups   []string // groups bound to a binding granting it
	}{
		{
			name: "secret-reader", file: "whocan/secret-reader.yaml", action: schema.ActionRead,
			resource: sys + ":ns:test:secrets",
			want:     []string{sa("test", "test-secret-reader-sa"), user("test-secret-reader")},
		},
		{
			name: "pod-creator", file: "whocan/pod-creator.yaml", action: schema.ActionWrite,
			resource: sys + ":ns:test:pods",
			want:     []string{sa("test", "test-pod-creator-sa"), user("test-pod-creator-user")},
			groups:   []string{"test-pod-creator-group"},
		},
		{
			name: "impersonator (serviceaccounts in test only)", file: "whocan/impersonator.yaml", action: schema.ActionAdmin,
			resource: sys + ":ns:test:serviceaccounts",
			want:     []string{user("test-impersonator-user")},
		},
		{
			name: "aggregate get pods", file: "whocan/clusterrole-aggregate.yaml", action: schema.ActionRead,
			resource: sys + ":cluster:pods",
			want:     []string{sa("test", "test-aggregate-sa"), user("test-aggregate-user")},
			groups:   []string{"test-aggregate-group"},
		},
		{
			name: "aggregate create pods", file: "whocan/clusterrole-aggregate.yaml", action: schema.ActionWrite,
			resource: sys + ":ns:test:pods",
			want:     []string{sa("test", "test-aggregate-sa"), user("test-aggregate-user")},
			groups:   []string{"test-aggregate-group"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := load(t, td+"rbac-tool/"+tc.file)
			assert.Equal(t, tc.want, reachtest.IDs(whoCan(t, d, tc.action, tc.resource)))
			for _, g := range tc.groups {
				assert.True(t, authorized(d, group(g), tc.action, tc.resource), "group %s is bound to a grant of %s on %s", g, tc.action, tc.resource)
			}
		})
	}
}

// A RoleBinding to a ClusterRole naming users and groups cannot grant
// them: they are cluster-scoped (impersonator.yaml).
func TestRBACToolImpersonatorNotUsers(t *testing.T) {
	d := load(t, td+"rbac-tool/whocan/impersonator.yaml")
	assert.Empty(t, d.DelegationList, "no user to impersonate from a RoleBinding, and no service account in test")
	for _, g := range grantsOf(d, "") {
		assert.False(t, strings.HasPrefix(g.Resource, sys+":cluster:"), "no cluster-scoped grant from a RoleBinding: %+v", g)
		assert.True(t, strings.HasPrefix(g.Resource, ns("test")), "grants stay in namespace test: %+v", g)
	}
}

// policy-rules of ServiceAccount the-test-user: both Roles, through both
// bindings, with the verbs, resources and names in the evidence.
func TestRBACToolPolicyRules(t *testing.T) {
	d := load(t, td+"rbac-tool/policyrules/multiple-role-bindings.yaml")
	u := sa("policyrules", "the-test-user")
	assert.True(t, isMember(d, u, rb("policyrules/some-rules-binding")))
	assert.True(t, isMember(d, u, rb("policyrules/more-rules-binding")))
	var natives []string
	for _, b := range []string{"policyrules/some-rules-binding", "policyrules/more-rules-binding"} {
		for _, g := range grantsOf(d, rb(b)) {
			natives = append(natives, string(g.Action)+" "+strings.TrimPrefix(g.Resource, sys+":")+" | "+g.Native)
		}
	}
	slices.Sort(natives)
	assert.Equal(t, []string{
		"read ns:policyrules:* | get * in ns policyrules (Role policyrules/more-rules, RoleBinding policyrules/more-rules-binding)",
		"read ns:policyrules:* | get * in ns policyrules (Role policyrules/some-rules, RoleBinding policyrules/some-rules-binding)",
		"read ns:policyrules:secrets | get secrets in ns policyrules (Role policyrules/more-rules, RoleBinding policyrules/more-rules-binding)",
		"read ns:policyrules:secrets:some-secret | get,watch,list secrets some-secret in ns policyrules (Role policyrules/some-rules, RoleBinding policyrules/some-rules-binding)",
	}, natives)
	who := whoCan(t, d, schema.ActionRead, sys+":ns:policyrules:secrets:some-secret")
	assert.Equal(t, []string{u}, reachtest.IDs(who))
}

// kubescape regolibrary rule tests (EXPECTED.md "kubescape-regolibrary"):
// each case's expected subjects hold the right, and a case expecting none
// holds none.
func TestKubescapeRules(t *testing.T) {
	groups := []string{group("dev"), group("manager")}
	jane := []string{user("jane")}
	tests := []struct {
		rule, tcase string
		action      schema.Action
		resource    string   // where the right is checked
		want        []string // principals (groups or users) expected; nil: none
	}{
		{"cluster-admin-role", "clusterrole-clusterrolebinding", schema.ActionAdmin, sys, groups},
		{"cluster-admin-role", "clusterrole-rolebinding", schema.ActionAdmin, sys, nil},
		{"cluster-admin-role", "role-clusterrolebinding", schema.ActionAdmin, sys, nil},
		{"rule-can-bind-escalate", "clusterrole-clusterrolebinding", schema.ActionAdmin, sys + ":cluster:roles.rbac.authorization.k8s.io", groups},
		{"rule-can-bind-escalate", "role-rolebinding", schema.ActionAdmin, sys + ":ns:default:clusterroles.rbac.authorization.k8s.io", jane},
		{"rule-can-create-pod", "clusterrole-clusterrolebinding", schema.ActionWrite, sys + ":cluster:pods", nil},
		// The rule names pods of the rbac API group, which are not Pods.
		{"rule-can-create-pod", "clusterrole-clusterrolebinding", schema.ActionWrite, sys + ":cluster:pods.rbac.authorization.k8s.io", groups},
		{"rule-can-create-pod", "clusterrole-rolebinding", schema.ActionWrite, sys + ":ns:kube-system:pods", jane},
		{"rule-can-create-pod", "role-rolebinding", schema.ActionWrite, sys + ":ns:kube-system:pods", jane},
		{"rule-can-impersonate-users-groups-v1", "clusterrole-clusterrolebinding", schema.ActionAdmin, sys + ":cluster:users", groups},
		{"rule-can-impersonate-users-groups-v1", "clusterrole-rolebinding", schema.ActionAdmin, sys + ":ns:kube-system:serviceaccounts", jane},
		{"rule-can-impersonate-users-groups-v1", "role-rolebinding", schema.ActionAdmin, sys + ":ns:kube-system:serviceaccounts", jane},
		{"rule-can-list-get-secrets-v1", "clusterrole-clusterrolebinding", schema.ActionRead, sys + ":cluster:secrets", groups},
		{"rule-can-list-get-secrets-v1", "clusterrole-rolebinding", schema.ActionRead, sys + ":ns:kube-system:secrets", jane},
		{"rule-can-list-get-secrets-v1", "role-rolebinding", schema.ActionRead, sys + ":ns:kube-system:secrets", jane},
		{"rule-excessive-delete-rights-v1", "clusterrole-clusterrolebinding", schema.ActionWrite, sys + ":cluster:secrets", groups},
		{"rule-excessive-delete-rights-v1", "clusterrole-rolebinding", schema.ActionWrite, sys + ":ns:kube-system:pods", jane},
		{"rule-excessive-delete-rights-v1", "role-rolebinding", schema.ActionWrite, sys + ":ns:kube-system:secrets", jane},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.tcase, func(t *testing.T) {
			d := load(t, td+"kubescape-regolibrary/"+tc.rule+"/test/"+tc.tcase+"/input")
			var got []string
			for _, p := range []string{group("dev"), group("manager"), user("jane")} {
				if authorized(d, p, tc.action, tc.resource) {
					got = append(got, p)
				}
			}
			assert.Equal(t, tc.want, got)
			if tc.want == nil {
				return
			}
			for _, p := range tc.want {
				if strings.Contains(p, ":user:") {
					assert.Contains(t, whoCan(t, d, tc.action, tc.resource), p, "the engine agrees")
				}
			}
		})
	}
}

// authorized reports whether principal p holds action on res or an
// ancestor of it through a binding it is a member of (R2 without act-as:
// kubescape's question).
func authorized(ds *graph.Dataset, p string, a schema.Action, res string) bool {
	parents := map[string]string{}
	for _, r := range ds.ResourceList {
		parents[r.ID] = r.Parent
	}
	for _, m := range ds.MembershipList {
		if m.Member != p {
			continue
		}
		for r := res; r != ""; r = parents[r] {
			if hasGrant(ds, m.Group, a, r) {
				return true
			}
		}
		if hasGrant(ds, m.Group, a, sys) {
			return true
		}
	}
	return false
}

// cluster-admin-role/role-clusterrolebinding: a ClusterRoleBinding naming a
// Role (which the API server rejects) grants nothing, and its group says why.
func TestKubescapeClusterRoleBindingToRole(t *testing.T) {
	d := load(t, td+"kubescape-regolibrary/cluster-admin-role/test/role-clusterrolebinding/input")
	assert.Empty(t, grantsOf(d, crb("read-secrets-global")))
	assert.Empty(t, grantsOf(d, ""), "the Role is bound by nothing else")
	assert.True(t, isMember(d, group("dev1"), crb("read-secrets-global")))
	for _, g := range d.GroupList {
		if g.ID == crb("read-secrets-global") {
			assert.Contains(t, g.Name, "grants nothing: a ClusterRoleBinding cannot refer to Role test")
		}
	}
}
