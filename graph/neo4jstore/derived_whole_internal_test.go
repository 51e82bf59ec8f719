package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"

	"github.com/reachgraph/reachgraph/graph"
)

// The derived data whole, as the ingest paths made it before they cut it
// into spilled parts (derived_spill.go): the tests' reference for the rows
// and files the spilled parts give.

// derive runs each of fns over the spooled records of a snapshot. A
// derivation that fails is left out (the data is derived: readers rebuild
// it); only ctx's end is an error.
func derive(ctx context.Context, fns map[string]graph.DeriveFunc, meta graph.SnapshotMeta, d *graph.Dataset) (map[string][]byte, error) {
	if len(fns) == 0 {
		return nil, nil
	}
	out := make(map[string][]byte, len(fns))
	for _, name := range slices.Sorted(maps.Keys(fns)) {
		data, err := graph.DeriveBytes(ctx, fns[name], metaReader{Dataset: d, meta: meta})
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if err == nil {
			out[name] = data
		}
	}
	return out, nil
}

// derivedRows returns the :Derived node properties of every part of
// derived, names in order (without snapshot, which the query or the CSV
// column adds). A part's base64 text is made when its row is asked for, so
// only the parts being written are held twice.
func derivedRows(derived map[string][]byte) rowSource {
	type part struct {
		name           string
		n, parts, size int
		body           []byte
		sum            string
	}
	var all []part
	for _, name := range slices.Sorted(maps.Keys(derived)) {
		data := derived[name]
		sum := sha256.Sum256(data)
		parts := max(1, (len(data)+derivedPart-1)/derivedPart)
		for n := range parts {
			all = append(all, part{name: name, n: n, parts: parts, size: len(data),
				body: data[n*derivedPart : min(len(data), (n+1)*derivedPart)], sum: hex.EncodeToString(sum[:])})
		}
	}
	return rowSource{n: len(all), at: func(i int) map[string]any {
		p := all[i]
		return derivedPartRow(p.name, p.n, p.parts, p.size, p.sum, p.body)
	}}
}
