package k8srbac_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// render is "base:line: msg" or "base: pointer: msg" without the directory.
func render(ps []ingest.Problem) []string {
	var out []string
	for _, p := range ps {
		p.File = filepath.Base(p.File)
		out = append(out, p.String())
	}
	return out
}

// Malformed input: every problem is located, and nothing is stored.
func TestMalformedInput(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{
			name: "YAML syntax", file: "bad.yaml",
			content: "kind: Role\nmetadata:\n  name: [x\n",
			want:    []string{"bad.yaml:2: invalid YAML: did not find expected ',' or ']'"},
		},
		{
			name: "rule without verbs", file: "r.yaml",
			content: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n  namespace: ns\nrules:\n- apiGroups: ['']\n  resources: [pods]\n",
			want:    []string{"r.yaml:7: Role ns/r: rule 0 has no verbs"},
		},
		{
			name: "bad roleRef kind and subject kind", file: "b.yaml",
			content: "kind: RoleBinding\nmetadata: {name: b, namespace: ns}\nroleRef:\n  kind: Roll\n  name: r\nsubjects:\n- kind: Robot\n  name: x\n",
			want: []string{
				"b.yaml:4: RoleBinding ns/b: roleRef.kind \"Roll\": want Role or ClusterRole",
				"b.yaml:7: RoleBinding ns/b: subject 0: kind \"Robot\": want User, Group or ServiceAccount",
			},
		},
		{
			name: "wrong type in YAML", file: "t.yaml",
			content: "kind: ClusterRole\nmetadata: {name: c}\nrules: everything\n",
			want:    []string{"t.yaml:3: cannot unmarshal !!str `everything` into []Rule"},
		},
		{
			name: "missing kind, not a mapping", file: "m.yaml",
			content: "metadata: {name: x}\n---\n- a\n- b\n",
			want: []string{
				"m.yaml:1: not a Kubernetes object: missing kind",
				"m.yaml:3: a document must be a Kubernetes object or list (a mapping)",
			},
		},
		{
			name: "wrong type in a JSON list", file: "l.json",
			content: `{"kind":"List","items":[{"kind":"ServiceAccount","metadata":{"name":"a","namespace":"n"}},{"kind":"ClusterRole","metadata":{"name":"c"},"rules":"all"}]}`,
			want:    []string{"l.json: /items/1/rules: cannot use a JSON string here (want a list)"},
		},
		{
			name: "JSON ClusterRoleBinding without a namespace for its service account", file: "c.json",
			content: `{"kind":"List","items":[{"kind":"ClusterRoleBinding","metadata":{"name":"x"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"ServiceAccount","name":"sa"}]}]}`,
			want:    []string{`c.json: /items/0/subjects/0: ClusterRoleBinding x: subject 0: ServiceAccount "sa" needs a namespace in a ClusterRoleBinding`},
		},
		{
			name: "truncated JSON", file: "cut.json",
			content: `{"kind":"List","items":[{"kind":"Role","metadata":{"name":"r"`,
			want:    []string{"cut.json: /items/0: invalid JSON: unexpected end of input"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, t.TempDir(), tc.file, tc.content)
			assert.Equal(t, tc.want, render(problems(t, "", p)))
		})
	}
}

// All problems of a directory are reported together, each in its file.
func TestMalformedDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", "kind: Role\nmetadata: {name: r}\nrules:\n- verbs: [get]\n")
	write(t, dir, "sub/b.json", `{"kind":"RoleBinding","metadata":{"name":"b"},"subjects":[]}`)
	write(t, dir, "README.md", "not read")
	got := render(problems(t, "", dir))
	assert.Equal(t, []string{
		"a.yaml:4: Role default/r: rule 0 names neither resources nor nonResourceURLs",
		"b.json: RoleBinding default/b: missing roleRef",
	}, got)
}

// A Secret's values never reach the store: not data, not stringData, not
// kubectl's last-applied-configuration annotation that repeats them.
func TestSecretValuesNeverStored(t *testing.T) {
	const value, encoded = "hunter2-ledger-password", "aHVudGVyMi1sZWRnZXItcGFzc3dvcmQ="
	dir := t.TempDir()
	write(t, dir, "secrets.yaml", fmt.Sprintf(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  type: kubernetes.io/service-account-token
  metadata:
    name: batch-token
    namespace: finance
    annotations:
      kubernetes.io/service-account.name: batch
      kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"token":"%[1]s"}}'
  data:
    token: %[2]s
  stringData:
    password: %[1]s
- apiVersion: v1
  kind: Secret
  type: Opaque
  metadata: {name: ledger-db, namespace: finance}
  data: {password: %[2]s}
`, value, encoded))
	write(t, dir, "rbac.yaml", `kind: List
items:
- kind: Role
  metadata: {name: read-token, namespace: finance}
  rules: [{apiGroups: [""], resources: [secrets], resourceNames: [batch-token], verbs: [get]}]
- kind: RoleBinding
  metadata: {name: reader, namespace: finance}
  roleRef: {kind: Role, name: read-token}
  subjects: [{kind: User, name: rita}]
- kind: Role
  metadata: {name: ledger, namespace: finance}
  rules: [{apiGroups: [""], resources: [configmaps], verbs: [update]}]
- kind: RoleBinding
  metadata: {name: batch, namespace: finance}
  roleRef: {kind: Role, name: ledger}
  subjects: [{kind: ServiceAccount, name: batch}]
`)
	write(t, dir, "secrets.json", fmt.Sprintf(`{"kind":"Secret","type":"Opaque","metadata":{"name":"j","namespace":"finance"},"data":{"k":%q}}`, encoded))
	d := load(t, dir)
	dump := fmt.Sprintf("%+v", *d)
	assert.NotContains(t, dump, value)
	assert.NotContains(t, dump, encoded)
	assert.NotContains(t, dump, "last-applied")
	// The token secret is a credential of batch, held in the Secret's node.
	var found bool
	for _, c := range d.CredentialList {
		if c.ID == sa("finance", "batch")+":secret:batch-token" {
			found = true
			assert.Equal(t, sys+":ns:finance:secrets:batch-token", c.StoredIn)
		}
	}
	assert.True(t, found)
	// Reading that one Secret exposes batch's token: rita acts as batch.
	who := whoCan(t, d, schema.ActionWrite, sys+":ns:finance:configmaps")
	require.Contains(t, who, user("rita"))
	var edges []schema.EdgeKind
	for _, h := range who[user("rita")].Paths[0] {
		edges = append(edges, h.Edge)
	}
	assert.Contains(t, edges, schema.EdgeStoredIn)
	assert.Empty(t, d.DelegationList, "with Secrets in the input, reading them is exposure, not an assumed delegation")
}

// One cluster is one source: a second k8s-rbac source in the same load is
// reported.
func TestSecondSource(t *testing.T) {
	probs := problems(t, "", td+"rbac-tool/whocan/secret-reader.yaml", td+"rbac-tool/whocan/pod-creator.yaml")
	require.Len(t, probs, 1)
	assert.Contains(t, probs[0].Msg, "one cluster is one source")
}

// Every shape of kubectl output gives the same records: multi-document
// YAML, a YAML List, a JSON List, single JSON objects, typed lists.
func TestShapes(t *testing.T) {
	role := map[string]string{
		"yaml": "kind: Role\nmetadata: {name: r, namespace: n}\nrules:\n- {apiGroups: [''], resources: [secrets], verbs: [get]}\n",
		"json": `{"kind":"Role","metadata":{"name":"r","namespace":"n"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]}`,
	}
	binding := map[string]string{
		"yaml": "kind: RoleBinding\nmetadata: {name: b, namespace: n}\nroleRef: {kind: Role, name: r}\nsubjects:\n- {kind: User, name: u}\n",
		"json": `{"kind":"RoleBinding","metadata":{"name":"b","namespace":"n"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"}]}`,
	}
	indent := func(s string) string {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		for i := range lines {
			if i == 0 {
				lines[i] = "- " + lines[i]
			} else {
				lines[i] = "  " + lines[i]
			}
		}
		return strings.Join(lines, "\n") + "\n"
	}
	shapes := map[string]map[string]string{
		"multi-document YAML": {"all.yaml": "# comment\n---\n" + role["yaml"] + "---\n" + binding["yaml"] + "---\n"},
		"YAML List":           {"list.yaml": "apiVersion: v1\nkind: List\nitems:\n" + indent(role["yaml"]) + indent(binding["yaml"])},
		"typed YAML lists":    {"r.yml": "kind: RoleList\nitems:\n" + indent(role["yaml"]), "b.yml": "kind: RoleBindingList\nitems:\n" + indent(binding["yaml"])},
		"JSON List":           {"list.json": "\ufeff" + `{"apiVersion":"v1","items":[` + role["json"] + "," + binding["json"] + `],"kind":"List","metadata":{"resourceVersion":""}}`},
		"JSON objects":        {"role.json": role["json"], "binding.JSON": "\n" + binding["json"] + "\n"},
		"JSON stream":         {"s.json": role["json"] + "\n" + binding["json"]},
	}
	var want []string
	for _, name := range []string{"multi-document YAML", "YAML List", "typed YAML lists", "JSON List", "JSON objects", "JSON stream"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, c := range shapes[name] {
				write(t, dir, f, c)
			}
			d := load(t, dir)
			var got []string
			for _, g := range d.GrantList {
				got = append(got, g.Principal+" "+string(g.Action)+" "+g.Resource+" "+g.Native)
			}
			for _, m := range d.MembershipList {
				got = append(got, m.Member+" in "+m.Group)
			}
			slices.Sort(got)
			require.Contains(t, got, user("u")+" in "+rb("n/b"))
			require.Contains(t, got, rb("n/b")+" read "+sys+":ns:n:secrets get secrets in ns n (Role n/r, RoleBinding n/b)")
			if want == nil {
				want = got
			}
			assert.Equal(t, want, got)
		})
	}
}
