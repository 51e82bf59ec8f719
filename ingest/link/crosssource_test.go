package link_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/ingest/link"
)

// The chain does not depend on the order of the sources: the Vault reader's
// placeholder for the service account gives way to the Kubernetes reader's
// identity whichever comes first.
func TestEstateChainAnySourceOrder(t *testing.T) {
	dir := copyEstate(t)
	srcs := estateSources(dir)
	slices.Reverse(srcs)
	st := &storetest.Capture{}
	_, err := ingest.Load(context.Background(), st, srcs, ingest.Options{
		Readers: estateReaders(dir), CollectedAt: asOf, Now: func() time.Time { return asOf },
		Link: link.New(filepath.Join(dir, "links.yaml")),
	})
	require.NoError(t, err)
	a, ok := access(t, st.Data, ciSA, "approve", journal)
	require.True(t, ok && a.Effective)
	sa := identity(st.Data, ciSA)
	require.Equal(t, "ci/ledger-sync", sa.Name, "the Kubernetes reader's record, not the placeholder")
}

// stored_in to a Kubernetes Secret: whoever may get secrets in its namespace
// can log in as the database user whose password the Secret holds (the
// Kubernetes exposure rule, with the Secret named by a link file).
func TestKubernetesSecretHoldsDatabaseLogin(t *testing.T) {
	dir := t.TempDir()
	k8s := filepath.Join(dir, "cluster.yaml")
	require.NoError(t, os.WriteFile(k8s, []byte(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  type: Opaque
  metadata: {name: ledger-db, namespace: finance}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: secret-reader, namespace: finance}
  rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: oncall, namespace: finance}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
  subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: carol@example.com}
`), 0o600))
	db := filepath.Join(dir, "db.yaml")
	require.NoError(t, os.WriteFile(db, []byte(`format: reachgraph/v1
source: ledger-db
systems: [{id: "postgres:ledger", kind: database, sox_scope: true}]
resources: [{id: "postgres:ledger:public.journal", system: "postgres:ledger", kind: journal_entry}]
identities: [{id: "postgres:ledger:role:app_writer", type: service_account}]
credentials: [{id: "postgres:ledger:role:app_writer:password", identity: "postgres:ledger:role:app_writer", type: password, systems: ["postgres:ledger"]}]
grants: [{principal: "postgres:ledger:role:app_writer", action: write, resource: "postgres:ledger:public.journal", native: "INSERT ON public.journal"}]
`), 0o600))
	links := filepath.Join(dir, "links.yaml")
	require.NoError(t, os.WriteFile(links, []byte(`stored_in:
  - credential: "postgres:ledger:role:app_writer:password"
    resource: "k8s:cluster:ns:finance:secrets:ledger-db"
`), 0o600))
	load := func(linkFiles ...string) (bool, bool) {
		st := &storetest.Capture{}
		_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: k8s}, {Path: db}}, ingest.Options{
			Readers: ingest.Readers{Bundle: bundle.Read, K8sRBAC: k8srbac.Read}, Link: link.New(linkFiles...),
		})
		require.NoError(t, err)
		a, ok := access(t, st.Data, "k8s:cluster:user:carol@example.com", "write", "postgres:ledger:public.journal")
		return ok, a.Effective
	}
	ok, eff := load(links)
	require.True(t, ok && eff, "carol reads the Secret, logs in as app_writer, writes journal rows")
	ok, _ = load()
	require.False(t, ok, "without the link the Secret holds nothing known")
}
