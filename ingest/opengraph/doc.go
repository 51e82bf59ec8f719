// Package opengraph reads BloodHound OpenGraph data payloads ({"metadata":
// {"source_kind": …}, "graph": {"nodes": […], "edges": […]}}) into the model:
// `reachgraph ingest --format opengraph FILE [--opengraph-map MAP.yaml]`.
//
// The document is decoded element by element (Decode), never held whole.
// Node kinds map to node sections and edge kinds to edges through a Map:
// DefaultMap knows reachgraph's own RG_* kinds (schema.OpenGraphNodeKinds,
// OpenGraphEdgeKinds), so what graph/export writes reads back to the same
// records; ParseMap adds the kinds of other sources from a small YAML file. A
// node none of whose kinds is mapped is a problem at its position. An edge
// whose kind is not mapped cannot be represented in the model (reachgraph's
// edges all carry meaning for reach): it is counted, not imported, and
// reported through Options.Warn with the position of the first one.
//
// Properties that name a field of the target section become that field
// (identities also take owners_business, owners_technical and "key=value"
// tags); other properties are ignored, and secret-named ones are passed on so
// that ingest rejects them. A resource's system and parent and a credential's
// owner and location come from IN_SYSTEM, CHILD_OF, HAS_CREDENTIAL and
// STORED_IN edges (or the same-named properties). Edge ends are matched by id
// only (match_by "id", the default); "name" and "property" matching are
// problems. OpenGraph has no collection time: give it with --collected-at.
package opengraph
