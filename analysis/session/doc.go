// Package session is the one application layer under both front ends (the
// CLI and the GraphQL server): it opens a snapshot, holds its projection and
// its records indexed by id, hands out engines per instant of analysis (the
// only place where as_of defaults to the snapshot's collected_at), checks a
// question against the snapshot (unknown kinds, resources, identities and
// systems are errors with suggestions, never an empty answer) and caches the
// findings of a ruleset per instant.
//
// Every method that can run long takes a context and stops when it ends: the
// engine checks it between resources and actors, so cancelled work stops
// promptly instead of burning CPU after the caller has gone.
package session
