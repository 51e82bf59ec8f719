package graph

import (
	"bytes"
	"context"
	"io"
)

// DerivedReader is implemented by the Reader of a store that keeps data
// derived from a snapshot's records next to them (the embedded store keeps
// the projection, so that opening a snapshot does not rebuild it).
type DerivedReader interface {
	// Derived returns the data stored under name for this snapshot; found
	// is false when there is none. Data that does not pass the store's
	// integrity check is an error, never returned.
	Derived(ctx context.Context, name string) (data []byte, found bool, err error)
}

// DerivedViewer is implemented by a DerivedReader that can lend the stored
// data where it lies (the embedded store: in its memory-mapped file) instead
// of copying it, for a short-lived process that uses a small part of a
// large stored projection. The parts are the stored chunks, in order; they
// must not be modified, and stay valid until release is called, which the
// caller must do (the store may hold its file's lock until then). With
// check, the data's integrity is checked as Derived checks it (damage is
// an error); without, only its structure (sizes) is, and the caller takes
// what it reads as it lies.
type DerivedViewer interface {
	DerivedView(ctx context.Context, name string, check bool) (parts [][]byte, release func(), found bool, err error)
}

// DeriveFunc computes the data stored under a name from a snapshot's
// records at ingest, writing it to w as it goes, so that a store can keep
// it on disk until it commits instead of in memory beside whatever the
// function holds (the projection of a ten-million-identity estate is about
// 4 GB, and so is its stored form). The data is what was written to w, and
// only when the function returns nil; a store never reads it back before.
type DeriveFunc func(ctx context.Context, r Reader, w io.Writer) error

// DeriveData is the DeriveFunc of a function that returns its data whole.
func DeriveData(fn func(ctx context.Context, r Reader) ([]byte, error)) DeriveFunc {
	return func(ctx context.Context, r Reader, w io.Writer) error {
		data, err := fn(ctx, r)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
}

// DeriveBytes runs fn over r and returns the data it wrote.
func DeriveBytes(ctx context.Context, fn DeriveFunc, r Reader) ([]byte, error) {
	var b bytes.Buffer
	if err := fn(ctx, r, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DeriveCheck tells, from data stored under a name, whether it is what that
// name's DeriveFunc gives now for the same records — its format is the
// current one — without computing it. A re-ingest of a snapshot that exists
// already uses it to skip the derivation when the stored data is current.
type DeriveCheck func(stored []byte) bool
