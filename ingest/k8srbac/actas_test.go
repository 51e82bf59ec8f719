package k8srbac_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

// The act-as and escalation rules on small hand-written clusters.
const actAsCluster = `kind: List
items:
- kind: ClusterRole
  metadata: {name: cluster-admin}
  rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: ["*"], verbs: ["*"]}]
- kind: ClusterRole
  metadata: {name: impersonate-bob}
  rules: [{apiGroups: [""], resources: [users], resourceNames: [bob], verbs: [impersonate]}]
- kind: ClusterRoleBinding
  metadata: {name: alice-impersonates}
  roleRef: {kind: ClusterRole, name: impersonate-bob}
  subjects: [{kind: User, name: alice}]
- kind: ClusterRoleBinding
  metadata: {name: bob-and-carol}
  roleRef: {kind: ClusterRole, name: nothing-here}
  subjects: [{kind: User, name: bob}, {kind: User, name: carol}]
- kind: Role
  metadata: {name: binder, namespace: apps}
  rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
- kind: RoleBinding
  metadata: {name: binder, namespace: apps}
  roleRef: {kind: Role, name: binder}
  subjects: [{kind: ServiceAccount, name: deployer}]
- kind: Role
  metadata: {name: self-editor, namespace: apps}
  rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, update]}
- kind: RoleBinding
  metadata: {name: self-editor, namespace: apps}
  roleRef: {kind: Role, name: self-editor}
  subjects: [{kind: ServiceAccount, name: editor}]
- kind: Role
  metadata: {name: exec, namespace: apps}
  rules:
  - {apiGroups: [""], resources: [pods/exec], verbs: [create]}
  - {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [web], verbs: [create]}
- kind: RoleBinding
  metadata: {name: exec, namespace: apps}
  roleRef: {kind: Role, name: exec}
  subjects: [{kind: User, name: dave}]
- kind: Pod
  metadata: {name: web-1, namespace: apps}
  spec: {serviceAccountName: web}
- kind: ServiceAccount
  metadata: {name: idle, namespace: apps}
`

func TestActAsRules(t *testing.T) {
	d := load(t, write(t, t.TempDir(), "c.yaml", actAsCluster))

	// impersonate users (cluster-wide, named): bob only.
	assert.Equal(t, map[string][]schema.DelegationKind{user("bob"): {schema.DelegImpersonate}}, delegationsFrom(d, crb("alice-impersonates")))

	// bind clusterroles + create rolebindings in apps: may bind
	// cluster-admin there, so admin on the namespace, not on the cluster.
	var esc []string
	for _, g := range grantsOf(d, rb("apps/binder")) {
		if strings.HasPrefix(g.Native, "escalation:") {
			esc = append(esc, string(g.Action)+" "+g.Resource)
			assert.Contains(t, g.Native, "escalation: may bind ClusterRole cluster-admin (bind + create rolebindings, Role apps/binder, RoleBinding apps/binder): * * in ns apps")
		}
	}
	assert.Equal(t, []string{"admin " + ns("apps")}, esc)
	who := whoCan(t, d, schema.ActionAdmin, ns("apps"))
	assert.Contains(t, who, sa("apps", "deployer"))
	assert.NotContains(t, whoCan(t, d, schema.ActionAdmin, sys), sa("apps", "deployer"))

	// escalate + update on its own Role: admin on the namespace.
	require.True(t, hasGrant(d, rb("apps/self-editor"), schema.ActionAdmin, ns("apps")))
	assert.Contains(t, who, sa("apps", "editor"))

	// pods/exec: the pod's service account only (Pods are in the input);
	// serviceaccounts/token named web: web only.
	del := delegationsFrom(d, rb("apps/exec"))
	assert.ElementsMatch(t, []schema.DelegationKind{schema.DelegRunAs, schema.DelegOther}, del[sa("apps", "web")])
	assert.NotContains(t, del, sa("apps", "idle"))
	assert.NotContains(t, del, sa("apps", "deployer"))
}
