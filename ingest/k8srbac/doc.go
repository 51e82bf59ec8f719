// Package k8srbac is the k8s-rbac ingester: Kubernetes RBAC objects as
// `kubectl get … -o json|yaml` prints them (single objects, multi-document
// YAML, `kind: List` and typed lists such as RoleBindingList, in YAML or JSON),
// mapped onto reachgraph records and handed to the shared loader
// (ingest.File.Add).
//
// Read and NewReader are the ingest.ReadFunc; Decode (the streaming reader of
// one file), Check (per-object validation) and the pure Transform are
// exported so the mapping is unit-testable without a store. Roles, bindings,
// service accounts, token secrets and pods are used; every other kind is
// skipped. Secret values (data, stringData) are never decoded.
//
// The mapping (ids, scopes, verbs, act-as and escalation edges, what is
// approximated and what is not modelled) is documented in
// docs/ingest-kubernetes.md.
package k8srbac
