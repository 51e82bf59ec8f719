// Package vault reads a Vault or OpenBao export — a directory of what
// `vault read -format=json` prints for sys/policy, sys/auth, the roles of the
// kubernetes, approle and jwt/oidc auth methods and KV v2 metadata — and
// turns it into reachgraph records (docs/ingest-vault.md).
//
// It follows get → transform → load: read.go walks the directory and decodes
// each file (policy.go parses HCL policies with hashicorp/hcl/v2, envelope.go
// the JSON envelopes), Transform maps the decoded export to records without
// any I/O, and emit hands them to the shared loader. Secret values are never
// read: KV v2 data paths are refused unopened and a KV metadata envelope that
// carries a data.data field is rejected without keeping its bytes.
package vault
