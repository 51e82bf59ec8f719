// Package schema is reachgraph's vocabulary: the node and edge kinds, the enum
// types (actions, identity types, credential types, delegation kinds, severities,
// finding categories) and the field specs of every bundle section.
//
// It is a leaf package (standard library only). Everything else — bundle
// validation, the JSON Schema, Cypher generation, GraphQL enums and docs — is
// driven from the declarations here, so a new field or enum value is added in
// exactly one place.
package schema
