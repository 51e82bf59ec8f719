package ingest

import (
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/schema"
)

// Declared lists, sorted, the ids of kind declared so far in this load (by
// regular records, not by placeholders) that start with prefix. Sources are
// read in order, so it sees the sources given before the caller's; a reader
// uses it to expand a wildcard over another source's nodes, e.g. the
// Kubernetes service accounts a Vault kubernetes auth role binds with "*".
func (in *Input) Declared(kind schema.NodeKind, prefix string) []string {
	bit := kindBit(kind)
	var out []string
	for id, v := range in.l.ids {
		if uint8(v) == bit && strings.HasPrefix(id, prefix) && in.l.placeholders[id] == nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
