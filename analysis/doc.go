// Package analysis holds the result types every analysis returns — Access,
// Path, Hop, Authentication — and their stable JSON shapes (SPEC §5.1). The
// engine that computes them lives in analysis/reach.
package analysis
