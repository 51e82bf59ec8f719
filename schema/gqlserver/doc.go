// Package gqlserver serves the GraphQL API of SPEC §5.2: the resolvers
// (follow-schema, one file per schema/*.graphqls), the explicit mapping from
// analysis results to GraphQL models (convert.go), a cache of open snapshots
// (analysis/session sessions, whose in-memory record index the entity fields
// read directly: no dataloader is needed), and the HTTP handler (bearer-token
// auth with auditor/admin roles, depth/complexity/size/time limits, a
// per-request cost budget, per-token concurrency, the offline console,
// /healthz, /readyz and /metrics). STYLE.md's dataloader layout is deviated
// from on purpose: batching map reads only added a collection delay.
//
// Every answer is pinned to one snapshot and one instant of analysis; the
// output is deterministic (every list is sorted).
package gqlserver

//go:generate sh -c "cd ../.. && go tool gqlgen generate"
