package k8srbac_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

var kubehoundSAs = []string{"impersonate-sa", "pod-create-sa", "pod-exec-sa", "pod-patch-sa", "tokenget-sa", "tokenlist-sa"}

// KubeHound attacks (EXPECTED.md "kubehound/attacks"): each service account
// reaches exactly its own role through its binding.
func TestKubeHoundOwnRoles(t *testing.T) {
	d := load(t, td+"kubehound/attacks")
	want := map[string]string{
		"impersonate-sa": "pod-impersonate/impersonate",
		"pod-create-sa":  "pod-create-pods/create-pods",
		"pod-exec-sa":    "pod-exec-pods/exec-pods",
		"pod-patch-sa":   "pod-patch-pods/patch-pods",
		"tokenget-sa":    "pod-get-secrets/read-secrets",
		"tokenlist-sa":   "pod-list-secrets/list-secrets",
	}
	for s, bindingRole := range want {
		binding, role, _ := strings.Cut(bindingRole, "/")
		var got []string
		for _, m := range d.MembershipList {
			if m.Member == sa("default", s) {
				got = append(got, m.Group)
			}
		}
		assert.Equal(t, []string{rb("default/" + binding)}, got, s)
		assert.True(t, isMember(d, rb("default/"+binding), sys+":role:default/"+role), s)
	}
	assert.True(t, hasGrant(d, rb("default/pod-get-secrets"), schema.ActionRead, sys+":ns:default:secrets"))
	assert.True(t, hasGrant(d, rb("default/pod-list-secrets"), schema.ActionRead, sys+":ns:default:secrets"))
	for _, g := range grantsOf(d, rb("default/pod-list-secrets")) {
		assert.Contains(t, g.Native, "list secrets in ns default (Role default/list-secrets, RoleBinding default/pod-list-secrets)")
	}
}

// tokenlist-sa (list secrets) and tokenget-sa (get secrets) can obtain the
// token of every service account of default; the input has no Secret, so
// the edge says it rests on that assumption.
func TestKubeHoundTokenListAndGet(t *testing.T) {
	d := load(t, td+"kubehound/attacks")
	for _, b := range []string{"default/pod-list-secrets", "default/pod-get-secrets"} {
		del := delegationsFrom(d, rb(b))
		var to []string
		for id := range del {
			to = append(to, strings.TrimPrefix(id, sys+":sa:default/"))
		}
		slices.Sort(to)
		assert.Equal(t, kubehoundSAs, to, "%s reaches every service account of default (its own member's included)", b)
	}
	for _, x := range d.DelegationList {
		if x.From == rb("default/pod-list-secrets") {
			assert.Contains(t, x.Native, "approximated: the input has no Secret objects")
		}
	}
	// So tokenlist-sa is authorized for what pod-create-sa may do.
	who := whoCan(t, d, schema.ActionWrite, sys+":ns:default:pods")
	assert.Contains(t, who, sa("default", "tokenlist-sa"))
	assert.Equal(t, schema.EdgeCanActAs, who[sa("default", "tokenlist-sa")].Paths[0][1].Edge)
}

// pod-exec-sa can exec into, and pod-patch-sa can patch, every pod of
// default, so they act as those pods' service accounts; pod-create-sa can
// create pods running as any service account of default.
func TestKubeHoundPodAttacks(t *testing.T) {
	d := load(t, td+"kubehound/attacks")
	var podSAs []string
	for _, s := range kubehoundSAs {
		podSAs = append(podSAs, sa("default", s))
	}
	for _, tc := range []struct {
		binding, verb string
		kind          schema.DelegationKind
	}{
		{binding: "default/pod-exec-pods", verb: "create pods/exec", kind: schema.DelegRunAs},
		{binding: "default/pod-patch-pods", verb: "patch pods", kind: schema.DelegRunAs},
		{binding: "default/pod-create-pods", verb: "create pods", kind: schema.DelegRunAs},
	} {
		del := delegationsFrom(d, rb(tc.binding))
		var to []string
		for id, kinds := range del {
			assert.Equal(t, []schema.DelegationKind{tc.kind}, kinds)
			to = append(to, id)
		}
		slices.Sort(to)
		assert.Equal(t, podSAs, to, tc.binding)
		for _, x := range d.DelegationList {
			if x.From == rb(tc.binding) {
				assert.True(t, strings.HasPrefix(x.Native, tc.verb+" in ns default (Role "), x.Native)
			}
		}
	}
	// exec and patch act as the pods' accounts: the native names the pod.
	for _, x := range d.DelegationList {
		if x.From == rb("default/pod-exec-pods") && x.To == sa("default", "tokenget-sa") {
			assert.Contains(t, x.Native, "(pod default/tokenget-pod)")
		}
	}
	// pod-create-sa can create pods: write on the pods of default.
	assert.Contains(t, whoCan(t, d, schema.ActionWrite, sys+":ns:default:pods"), sa("default", "pod-create-sa"))
}

// IDENTITY_IMPERSONATE: a namespaced Role granting impersonate on users and
// groups allows nothing (they are cluster-scoped).
func TestKubeHoundNoNamespacedImpersonation(t *testing.T) {
	d := load(t, td+"kubehound/attacks/IDENTITY_IMPERSONATE.yaml")
	assert.Empty(t, grantsOf(d, rb("default/pod-impersonate")))
	assert.Empty(t, delegationsFrom(d, rb("default/pod-impersonate")))
	for _, x := range d.DelegationList {
		assert.NotEqual(t, schema.DelegImpersonate, x.Kind, "%+v", x)
	}
	all := load(t, td+"kubehound/attacks")
	assert.Empty(t, delegationsFrom(all, rb("default/pod-impersonate")))
	for _, x := range all.DelegationList {
		assert.NotEqual(t, schema.DelegImpersonate, x.Kind, "no impersonation edge in the attack files: %+v", x)
	}
}

// The kubectl -o json test cluster: JSON `kind: List` files in folders.
func TestKubeHoundJSONCluster(t *testing.T) {
	d := load(t, td+"kubehound/kubectl-json-test-cluster")
	require.NotEmpty(t, d.GrantList)
	who := whoCan(t, d, schema.ActionRead, sys+":ns:test-app:pods")
	assert.Contains(t, who, sa("test-app", "app-monitors"))
}

// Operators (EXPECTED.md "operators").
func TestOperators(t *testing.T) {
	t.Run("flux reconciler is cluster-admin", func(t *testing.T) {
		d := load(t, combine(t, td+"kubernetes-bootstrap", td+"operators/flux2"))
		who := whoCan(t, d, schema.ActionAdmin, sys)
		for _, s := range []string{"kustomize-controller", "helm-controller"} {
			require.Contains(t, who, sa("flux-system", s))
			p := who[sa("flux-system", s)].Paths[0]
			require.Len(t, p, 2, "bound directly")
			assert.Equal(t, crb("cluster-reconciler"), p[0].To)
			assert.Equal(t, "* * cluster-wide (ClusterRole cluster-admin, ClusterRoleBinding cluster-reconciler)", p[1].Native)
		}
		// The other controllers read every Secret; with no Secret in the
		// input, the token secrets of the two above are assumed.
		p := who[sa("flux-system", "source-controller")].Paths[0]
		require.Len(t, p, 4)
		assert.Equal(t, schema.EdgeCanActAs, p[1].Edge)
		assert.Contains(t, p[1].Native, "get secrets cluster-wide (ClusterRole crd-controller, ClusterRoleBinding crd-controller) (approximated: the input has no Secret objects")
	})
	t.Run("flux controllers mint tokens of any service account", func(t *testing.T) {
		d := load(t, combine(t, td+"operators/flux2", td+"operators/kube-prometheus"))
		del := delegationsFrom(d, crb("crd-controller"))
		require.Contains(t, del, sa("monitoring", "prometheus-k8s"))
		assert.Contains(t, del[sa("monitoring", "prometheus-k8s")], schema.DelegOther)
		n := 0
		for _, m := range d.MembershipList {
			if m.Group == crb("crd-controller") {
				n++
			}
		}
		assert.Equal(t, 7, n, "seven flux-system service accounts")
		assert.Contains(t, whoCan(t, d, schema.ActionWrite, sys+":ns:monitoring:serviceaccounts/token"), sa("flux-system", "source-watcher"))
	})
	t.Run("kube-prometheus RoleBindingList", func(t *testing.T) {
		d := load(t, td+"operators/kube-prometheus")
		for _, n := range []string{"default", "kube-system", "monitoring"} {
			assert.True(t, isMember(d, sa("monitoring", "prometheus-k8s"), rb(n+"/prometheus-k8s")), n)
			assert.True(t, hasGrant(d, rb(n+"/prometheus-k8s"), schema.ActionRead, sys+":ns:"+n+":pods"), n)
		}
	})
}
