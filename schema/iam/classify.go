package iam

import (
	"strings"

	"github.com/reachgraph/reachgraph/schema"
)

// readVerbs are the IAM action-name prefixes classified as read.
var readVerbs = []string{"get", "list", "describe", "batchget", "head", "view", "search", "query", "scan", "select", "lookup", "read", "download", "filter", "check", "preview", "estimate", "validate"}

// writeVerbs are the common write prefixes; any action that is not read is
// write, this list only tells "De*" (Describe or Delete) apart.
var writeVerbs = []string{"put", "create", "update", "delete", "attach", "detach", "set", "add", "remove", "tag", "untag", "modify", "run", "start", "stop", "invoke", "send", "pass", "upload", "enable", "disable", "associate", "disassociate", "change", "reset", "replace", "restore", "copy", "import", "export", "register", "deregister", "terminate", "reboot", "publish", "execute", "assume", "authorize", "revoke", "accept", "reject", "cancel", "deactivate", "activate", "generate", "issue", "sign", "encrypt", "decrypt", "apply", "write", "submit", "rotate", "purchase", "allocate", "release"}

// exportActions are the concrete actions classified export: they move data
// (object contents, secrets, parameters, decrypted keys, table contents) out.
var exportActions = []string{
	"s3:GetObject", "s3:GetObjectVersion",
	"secretsmanager:GetSecretValue",
	"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
	"kms:Decrypt",
	"dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem",
	"rds:CreateDBSnapshot", "ec2:CreateSnapshot", "ec2:ModifySnapshotAttribute",
	"redshift:GetClusterCredentials",
}

// Classify maps one IAM action pattern of an Allow statement onto reachgraph
// actions (docs/ingest-aws.md "Action classification"):
//
//   - "*", "*:*" and "iam:*" → admin;
//   - a pattern matching one of exportActions → export (plus read/write as below);
//   - a pattern whose operation is a wildcard or a prefix compatible with both
//     read and write verbs ("s3:*", "ec2:De*") → read and write;
//   - Get/List/Describe/… → read; everything else (Put/Create/Update/Delete/
//     Attach/Invoke/Pass …) → write.
func Classify(pattern string) []schema.Action {
	p := strings.ToLower(strings.TrimSpace(pattern))
	if p == "*" || p == "*:*" || p == "iam:*" {
		return []schema.Action{schema.ActionAdmin}
	}
	svc, op, ok := strings.Cut(p, ":")
	if !ok {
		return []schema.Action{schema.ActionWrite} // malformed: treat as the stronger one
	}
	if strings.ContainsAny(svc, "*?") && op == "*" {
		return []schema.Action{schema.ActionAdmin}
	}
	var read, write, export bool
	for _, e := range exportActions {
		if Glob(p, e, true) {
			export = true
		}
	}
	prefix, wild := LiteralPrefix(op)
	if !wild {
		read = hasVerb(readVerbs, op, false)
		write = !read
	} else {
		read = hasVerb(readVerbs, prefix, true)
		write = hasVerb(writeVerbs, prefix, true) || !read
	}
	var out []schema.Action
	if read {
		out = append(out, schema.ActionRead)
	}
	if write {
		out = append(out, schema.ActionWrite)
	}
	if export {
		out = append(out, schema.ActionExport)
	}
	return out
}

// hasVerb reports whether op starts with one of verbs; with prefixOnly, also
// whether a verb starts with op (op is the literal part of a wildcard pattern).
func hasVerb(verbs []string, op string, prefixOnly bool) bool {
	for _, v := range verbs {
		if strings.HasPrefix(op, v) || prefixOnly && strings.HasPrefix(v, op) {
			return true
		}
	}
	return false
}

// Request checks a native query (CheckRequest) and returns the matcher of
// grant native strings for it, and the reachgraph class of the action (the
// strongest of Classify: export before write before read). A grant matches
// when its system is an AWS account ("aws:<id>") and its native string, in
// the grammar of this package, allows the request there (Native.Match).
func Request(action, resource string) (match func(native, system string) (ok, cond bool), class schema.Action, err error) {
	if err := CheckRequest(action, resource); err != nil {
		return nil, "", err
	}
	cls := Classify(action)
	class = cls[len(cls)-1]
	match = func(native, system string) (bool, bool) {
		acct, ok := strings.CutPrefix(system, "aws:")
		if !ok {
			return false, false
		}
		n, err := Parse(native)
		if err != nil {
			return false, false
		}
		return n.Match(action, resource, acct)
	}
	return match, class, nil
}

// CoversARN reports whether id, a resource id written by the aws-iam
// ingester (an ARN or ARN pattern), covers the concrete ARN arn.
func CoversARN(id, arn string) bool { return strings.HasPrefix(id, "arn:") && Glob(id, arn, false) }
