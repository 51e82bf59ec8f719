// Package ingest is reachgraph's shared loader (SPEC §3.3). Every source reader —
// the native bundle in YAML, JSON or CSV, and the AWS IAM, Kubernetes RBAC and
// PostgreSQL ingesters — hands it raw records (a section name, field values and
// a position), and ingest validates them against the field specs of
// schema.Sections, converts them to graph records and lands them in one atomic
// snapshot through graph.Ingester.
//
// Validation is complete before anything is committed: unknown fields, missing
// required fields, bad enum values, times, integers, booleans, lists and maps,
// secret-bearing fields, duplicate ids across all node kinds, dangling references
// and cycles in resource parent chains are all collected, with their file and
// position (a line for YAML and CSV, a JSON pointer for JSON), up to a cap per
// file, and returned together as one *ValidationError. On any problem the store
// is not touched.
//
// A reader may declare a node it only knows exists — such as the users of an
// AWS IAM credential report read as a source of its own next to the
// authorization details that declare them — with File.AddPlaceholder instead
// of File.Add: the node is declared unless another record of the same load
// declares the same id. A regular record with that id wins whatever the order
// of sources and records, and the placeholder is dropped silently; of several
// placeholders with one id the first in load order is kept; the kinds must
// agree (a placeholder Identity and a System with one id are a duplicate id,
// reported at the later one and naming the earlier one's file, and its
// position when it is a placeholder). Placeholders are validated like any
// record, and the snapshot — so its id — is what the kept records alone would
// give, in the same order. Only node sections take placeholders.
//
// Sources are joined by an optional pass over the whole load, Options.Link
// (ingest/link implements it): it runs once every source has been read without
// a problem and before references are resolved, reads the buffered records
// through a Linker, opens link files of its own (hashed into the snapshot and
// refused node records), amends identities and credentials in place (same_as,
// stored_in, accepted systems) and adds delegations. Its problems fail the load
// like any other.
//
// Memory grows with the graph, not with the input text: readers stream their
// input, and ingest keeps the id namespace plus the validated records in their
// compact canonical encoding (graph.AppendGrant …) until the commit. The limit
// table of limits.go (Options.Limits) caps files, records and values; a read
// past a cap is a *LimitError that Load reports as a problem of the file.
//
// Secrets: field, tag and column names are checked by pattern (IsSecretName)
// and every text value by shape (SecretShape: PEM private keys, JWTs, AWS
// secret keys); a hit is a problem that never echoes the value.
//
// A source that is a pipe or another stream (/dev/stdin, <(…)) is read once:
// Input.Peek buffers the head that format and syntax detection look at, and
// Input.Open replays it in front of the rest.
//
// Readers' own YAML configuration files (--aws-config, --pg-config,
// --k8s-config, vault.yaml, sap.yaml) are decoded by one strict decoder,
// ReadConfig / DecodeConfig: an unknown key, a value of the wrong type or
// unreadable YAML is a ConfigProblem with its line, and ConfigLines gives the
// line of each top-level key, list item and map key for the checks a reader
// makes of the values. YAMLLine and YAMLMessage split a YAML decoder's
// message into its line and the rest.
//
// ingest cannot import the readers (they import ingest), so Load dispatches on
// the format with a plain switch over the ReadFuncs the caller wires in
// Options.Readers (the CLI sets every one; ingest/bundle.Load sets the bundle
// reader).
package ingest
