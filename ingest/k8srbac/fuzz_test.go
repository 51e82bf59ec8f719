package k8srbac_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/reachgraph/reachgraph/ingest/k8srbac"
)

// FuzzDecode feeds arbitrary bytes to the reader and the transform: they
// must not panic, every problem must be located in the file, and every
// object handed out must be of a used kind with a position.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{
		td + "kubehound/attacks/POD_EXEC.yaml",
		td + "rbac-tool/whocan/clusterrole-aggregate.yaml",
		td + "kubehound/kubectl-json-test-cluster/namespace-1/rolebindings.rbac.authorization.k8s.io.json",
		td + "kubescape-regolibrary/rule-can-bind-escalate/test/role-rolebinding/input/role.yaml",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"kind":"List","items":[{"kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"t","annotations":{"kubernetes.io/service-account.name":"a"}}}]}`))
	f.Add([]byte("kind: ClusterRole\nmetadata: {name: a, labels: {x: y}}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {x: y}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var objs []*k8srbac.Object
		err := k8srbac.Decode(bytes.NewReader(data), "in.yaml", func(o *k8srbac.Object) {
			if o.Kind == "" || o.Pos.File != "in.yaml" {
				t.Fatalf("object without kind or position: %+v", o)
			}
			objs = append(objs, o)
		}, func(p k8srbac.Problem, _ bool) {
			if p.File != "in.yaml" || p.Msg == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		})
		if err != nil {
			t.Fatalf("Decode of in-memory bytes returned an I/O error: %v", err)
		}
		d := k8srbac.Transform(objs, nil)
		if len(d.SystemList) != 1 {
			t.Fatalf("want one system, got %d", len(d.SystemList))
		}
	})
}

// FuzzParseConfig: the configuration parser never panics and reports
// problems or a configuration, never both.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("cluster: prod\nnamespaces:\n  - match: finance-*\n    kind: journal_entry\n"))
	f.Add([]byte("namespaces: [{match: '[', kind: x}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, probs, err := k8srbac.ParseConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if (cfg == nil) == (len(probs) == 0) {
			t.Fatalf("config %v with problems %v", cfg, probs)
		}
	})
}
