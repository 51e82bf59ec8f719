// Package storetest is the conformance suite every graph.Store backend must
// pass: Run drives a backend through ingest, snapshot listing and lookup, and
// read-back of every record kind, using the fixtures in this package.
//
// Backends call it from their own _test.go files only:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) graph.Store { … a fresh, empty store … })
//	}
//
// # Normalisation
//
// A store must give back exactly what was written, up to these documented
// normalisations (Normalize applies them to an expected dataset):
//
//   - times come back in UTC with the same instant and full nanosecond
//     precision, without a monotonic clock reading; the zero time stays zero;
//   - empty lists (CompensatingControls, SameAs, Systems) and empty maps (Tags)
//     come back as nil — nil and empty are the same value;
//   - Resource.SOXScope keeps the difference between nil, false and true;
//   - strings, ids included, come back byte for byte (any valid UTF-8).
//
// Snapshot metadata follows the same rules: CollectedAt and IngestedAt in UTC,
// an empty Files list as nil; ID and Counts are always filled in by the store.
//
// Records come back in the order they were written, kind by kind.
package storetest
