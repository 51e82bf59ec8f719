// Package gen generates deterministic synthetic estates for tests and
// performance work (shared/PERFORMANCE.md "Workloads").
//
// Generate writes one estate into a graph.Writer, section by section in load
// order — all systems, then resources, identities, groups, memberships,
// grants, credentials and delegations — so a streaming bundle writer can sit
// downstream. The same Tier and seed always yield the byte-identical record
// stream; a different seed yields a different one.
//
// The estate looks like a real one: tens to hundreds of systems (ERP, bank,
// vault, BI, CI, database, cloud; some in SOX scope), resources in trees two to
// four levels deep with the well-known finance kinds, vault systems whose
// resources are secret paths, a large majority of non-human identities, groups
// and roles nested five levels deep with some cycles, many roles with few
// grants each, credentials (some expired, revoked, never rotated, some stored in
// vault paths so that exposure chains exist) and delegations with and without a
// system. Like a real estate it is sparsely connected: system-wide and
// tree-root grants belong to a few administrators, vault paths are read by one
// or two principals each, delegations are rare and lead mostly to service
// accounts, and small principal sets keep who-can answers to a small share of
// the identities. Every reference resolves and every id is unique across kinds.
//
// Memory does not grow with the output: every id is derived from an index
// ("id-0001234", "grp-0000042", "res-0000815", "cred-0012345", "sys-007"), and
// every structural fact a later section needs about an earlier record (an
// identity's type, a group's level and parents, a resource's parent) is a pure
// function of the seed and the index. Only per-system tables are kept. Records
// draw their attributes from a math/rand/v2 PCG reseeded per entity, so one
// record never depends on how many random numbers another consumed.
//
// All times are relative to CollectedAt, so analyses of a generated estate are
// deterministic.
package gen
