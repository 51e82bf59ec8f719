package k8srbac

import (
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}

// emit hands every record of ds to f (the shared loader validates them).
func emit(f *ingest.File, ds *graph.Dataset) { f.Emit(ds, ingest.EmitOptions{}) }
