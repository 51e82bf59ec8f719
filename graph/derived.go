package graph

import "context"

// DerivedReader is implemented by the Reader of a store that keeps data
// derived from a snapshot's records next to them (the embedded store keeps
// the projection, so that opening a snapshot does not rebuild it).
type DerivedReader interface {
	// Derived returns the data stored under name for this snapshot; found
	// is false when there is none. Data that does not pass the store's
	// integrity check is an error, never returned.
	Derived(ctx context.Context, name string) (data []byte, found bool, err error)
}

// DeriveFunc computes the data stored under a name from a snapshot's
// records at ingest.
type DeriveFunc func(ctx context.Context, r Reader) ([]byte, error)

// DeriveCheck tells, from data stored under a name, whether it is what that
// name's DeriveFunc gives now for the same records — its format is the
// current one — without computing it. A re-ingest of a snapshot that exists
// already uses it to skip the derivation when the stored data is current.
type DeriveCheck func(stored []byte) bool
