// Package graph holds reachgraph's property graph: the typed records of a
// snapshot (systems, resources, identities, groups, credentials, memberships,
// grants, delegations), snapshot metadata, and the small role interfaces every
// store backend implements (Writer, Reader, SnapshotStore, Store).
//
// Reads are pinned to one immutable snapshot; writes happen inside one Ingest
// callback that commits only when the callback returns nil.
package graph
