package ingest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// TestLongIDRefused: an id over MaxIDBytes is a located problem (both stores
// accept the same ids), one at the limit is fine.
func TestLongIDRefused(t *testing.T) {
	for _, n := range []int{ingest.MaxIDBytes, ingest.MaxIDBytes + 1} {
		d := doc{header: header("t"), recs: []ingest.Record{
			rec("systems", 0, fld("id", str(strings.Repeat("x", n))), fld("name", str("S"))),
		}}
		_, _, err := run(t, ingest.Options{}, "b.json", d)
		if n <= ingest.MaxIDBytes {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, ingest.ErrInvalid)
		require.Equal(t, []string{fmt.Sprintf("f: /systems/0/id: an id of %d bytes: ids are at most %d bytes (every store indexes them; Neo4j refuses longer keys)", n, ingest.MaxIDBytes)},
			messages(t, err))
	}
}
