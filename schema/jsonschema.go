package schema

import _ "embed" // for BundleJSONSchema

// BundleJSONSchema is the JSON Schema (draft 2020-12) of a reachgraph/v1 JSON
// bundle, the file bundle.schema.json shipped with the project. It describes
// the same sections, fields, types, enums and required flags as HeaderFields
// and Sections (a test keeps them in step), with additionalProperties false
// everywhere so that misspelt fields are rejected. Callers must not modify it.
//
//go:embed bundle.schema.json
var BundleJSONSchema []byte
