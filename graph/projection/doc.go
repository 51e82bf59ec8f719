// Package projection builds the compact in-memory projection of one snapshot
// that every analysis runs on: dense int32 node ids shared by all node kinds,
// CSR adjacency (forward and reverse) per edge kind, and the few node, grant,
// credential and delegation attributes the reach engine needs.
//
// A Projection is immutable once built and safe for concurrent readers. It also
// exposes gonum graph interfaces over its CSR arrays (no copy into gonum's
// map-based types), so gonum algorithms run on it directly, and an iterative
// strongly-connected-components pass for membership cycles (gonum's TarjanSCC is
// recursive and overflows the stack on long chains).
package projection
