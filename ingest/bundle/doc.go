// Package bundle reads and writes reachgraph's native bundle format,
// reachgraph/v1 (SPEC §3.1), as YAML, JSON or a directory of CSV files, and
// hands the records to the shared loader in package ingest, which validates
// them and lands them as one snapshot.
//
// JSON and CSV are streamed: memory grows with the graph, not with the file.
// YAML is parsed whole (the YAML library builds a node tree of the entire
// document), so use JSON or CSV for large inputs. Problems carry lines for YAML
// and CSV and JSON pointers for JSON.
//
// JSONWriter writes a reachgraph/v1 JSON document from graph records; the data
// generator and exports use it, and what it writes reads back to the same
// records.
package bundle
