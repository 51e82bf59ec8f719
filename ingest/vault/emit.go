package vault

import (
	"github.com/reachgraph/reachgraph/ingest"
)

// emit hands the records of res to f: placeholders first (so a regular
// record of another source can supersede them), then the export's own.
func emit(f *ingest.File, res *Result) {
	n := f.Emit(&res.Placeholders, ingest.EmitOptions{Placeholders: true})
	f.Emit(&res.Records, ingest.EmitOptions{Start: n})
}
