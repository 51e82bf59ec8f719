package k8srbac_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/schema"
)

const financeInput = `kind: List
items:
- kind: Role
  metadata: {name: poster, namespace: finance-gl}
  rules:
  - {apiGroups: [""], resources: [configmaps, secrets], verbs: [update]}
- kind: RoleBinding
  metadata: {name: poster, namespace: finance-gl}
  roleRef: {kind: Role, name: poster}
  subjects: [{kind: ServiceAccount, name: gl-batch}]
- kind: RoleBinding
  metadata: {name: poster, namespace: dev}
  roleRef: {kind: ClusterRole, name: missing}
  subjects: [{kind: User, name: dana}]
`

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	in := write(t, dir, "in/rbac.yaml", financeInput)
	cfg := write(t, dir, "k8s.yaml", `cluster: prod-eu
name: Production EU
owner: platform-team
sox_scope: false
namespaces:
  - match: "finance-*"
    kind: journal_entry
    types: [configmaps]
    sox_scope: true
`)
	st, err := tryLoad(cfg, in)
	require.NoError(t, err)
	d := st.Data
	require.Equal(t, "k8s:prod-eu", d.SystemList[0].ID)
	assert.Equal(t, "Production EU", d.SystemList[0].Name)
	kinds := map[string]string{}
	for _, r := range d.ResourceList {
		kinds[r.ID] = r.Kind
		if r.ID == "k8s:prod-eu:ns:finance-gl" {
			require.NotNil(t, r.SOXScope)
			assert.True(t, *r.SOXScope)
		}
	}
	assert.Equal(t, "journal_entry", kinds["k8s:prod-eu:ns:finance-gl:configmaps"])
	assert.Equal(t, "secret", kinds["k8s:prod-eu:ns:finance-gl:secrets"], "types limits the rule")
	assert.Equal(t, "namespace", kinds["k8s:prod-eu:ns:dev"])
	acc, err := engine(t, d).WhoCanKind(context.Background(), "journal_entry", "k8s:prod-eu", schema.ActionWrite, false)
	require.NoError(t, err)
	require.Len(t, acc, 1)
	assert.Equal(t, "k8s:prod-eu:sa:finance-gl/gl-batch", acc[0].Identity)
	assert.True(t, acc[0].Critical, "write on a SOX-scoped namespace is critical")
	for _, g := range d.GrantList {
		assert.NotEqual(t, "k8s:prod-eu:rolebinding:dev/poster", g.Principal, "a binding to a missing role grants nothing")
	}
}

func TestConfigProblems(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
	}{
		{
			name:   "unknown key",
			config: "cluster: prod\nnamespace:\n  - match: x\n",
			want:   []string{"k8s.yaml:2: field namespace not found in type Config"},
		},
		{
			name:   "unknown key in a rule",
			config: "namespaces:\n  - match: x\n    kind: secret\n    scope: true\n",
			want:   []string{"k8s.yaml:4: field scope not found in type NamespaceRule"},
		},
		{
			name:   "bad values",
			config: "cluster: a:b\nnamespaces:\n  - match: '[x'\n    kind: secret\n  - kind: journal_entry\n  - match: y\n",
			want: []string{
				`k8s.yaml:1: cluster "a:b": a name without ':', '/' or spaces (it is part of every id)`,
				`k8s.yaml:3: match "[x": syntax error in pattern`,
				"k8s.yaml:5: match is required (a namespace name or glob such as finance-*)",
				"k8s.yaml:6: give kind (e.g. journal_entry, secret) or sox_scope",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := write(t, dir, "rbac.yaml", financeInput)
			cfg := write(t, dir, "k8s.yaml", tc.config)
			probs := render(problems(t, cfg, in))
			var got []string
			for _, p := range probs {
				if strings.HasPrefix(p, "k8s.yaml") {
					got = append(got, p)
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestConfigSizeCap: a configuration over 1 MiB is one problem, not decoded.
func TestConfigSizeCap(t *testing.T) {
	cfg, probs, err := k8srbac.ParseConfig(strings.NewReader("cluster: a\n" + strings.Repeat("#", 1<<20)))
	require.NoError(t, err)
	require.Nil(t, cfg)
	require.Equal(t, []k8srbac.Problem{{Msg: "configuration larger than 1 MiB"}}, probs)
}
