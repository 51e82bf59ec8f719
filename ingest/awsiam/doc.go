// Package awsiam is the aws-iam ingester: AWS get-account-authorization-details
// JSON and IAM credential reports (CSV, told apart by their header), with the
// resource-based policies and organizations SCPs of the same account
// directory, mapped onto reachgraph records and handed to the shared loader
// (ingest.File.Add).
//
// Read, NewReader and NewReaderWith are ingest.ReadFuncs; ParseDetails,
// ParseReport, ParsePolicy, ParseResourcePolicies, ParseSCP and the pure
// Transform/TransformWith are exported so the mapping is unit-testable
// without a store. The mapping, the action classification, condition
// evaluation (env.go, condition.go), Deny/NotAction/boundary/SCP handling
// (evaluate.go, orgs.go), trust (trust.go) and the escalation closure
// (closure.go, techniques.go, condhops.go) are documented in
// docs/ingest-aws.md.
package awsiam
