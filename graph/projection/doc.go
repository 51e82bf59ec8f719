// Package projection builds the compact in-memory projection of one snapshot
// that every analysis runs on: dense int32 node ids shared by all node kinds,
// CSR adjacency (forward and reverse) per edge kind, and the few node, grant,
// credential and delegation attributes the reach engine needs.
//
// A Projection is immutable once built and safe for concurrent readers.
// Membership cycles need no condensation: the engine's searches settle each
// node once. Where gonum algorithms run (k-shortest paths, cuts), the engine
// adapts the small pruned subgraph it needs, never the whole projection.
package projection
