// Package export writes one snapshot in formats other tools load: BloodHound
// OpenGraph JSON (WriteOpenGraph, plus the extension definition schema that
// tells BloodHound which edge kinds are traversable, WriteOpenGraphExtension)
// and GraphML (WriteGraphML) for networkx, Gephi and other graph tools.
//
// Both formats carry the same graph (Walk): one node per system, resource,
// identity, group and credential, one edge per membership, grant, delegation,
// and per credential owner, credential location, resource system and resource
// parent. Node and edge kinds are the schema.OG* vocabulary; properties use the
// bundle's field names. Output is deterministic: nodes in section order
// (systems, resources, identities, groups, credentials) and by id, edges in
// kind order (schema.OpenGraphEdgeKinds) and by start, end and properties.
// Writing streams: the output is never held in memory, only the records of
// the section being written, to sort them.
//
// reachgraph never stores secret values, so none can be exported: a
// credential node is metadata only.
package export
