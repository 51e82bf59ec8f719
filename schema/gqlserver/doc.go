// Package gqlserver serves the GraphQL API of SPEC §5.2: the resolvers
// (follow-schema, one file per schema/*.graphqls), the explicit mapping from
// analysis results to GraphQL models (convert.go), a cache of snapshot
// projections, per-request dataloaders, and the HTTP handler (bearer-token
// auth with auditor/admin roles, depth/complexity/size/time limits, the
// offline console, /healthz, /readyz and /metrics).
//
// Every answer is pinned to one snapshot and one instant of analysis; the
// output is deterministic (every list is sorted).
package gqlserver

//go:generate sh -c "cd ../.. && go tool gqlgen generate"
