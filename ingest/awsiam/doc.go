// Package awsiam is the aws-iam ingester: AWS get-account-authorization-details
// JSON and IAM credential reports (CSV, told apart by their header) mapped onto
// reachgraph records and handed to the shared loader (ingest.File.Add).
//
// Read is the ingest.ReadFunc; ParseDetails, ParseReport, ParsePolicy and the
// pure Transform are exported so the mapping is unit-testable without a store.
// The mapping, the action classification, Deny/NotAction/condition/boundary
// handling and the escalation edges are documented in docs/ingest-aws.md.
package awsiam
