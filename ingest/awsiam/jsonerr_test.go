package awsiam_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
)

// TestDetailsJSONErrors: a malformed authorization-details export is one
// problem with its line (or the policy's JSON pointer), in JSON terms —
// no Go type names, no "missing format/source" noise.
func TestDetailsJSONErrors(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{name: "list expected", data: `{"UserDetailList":{"UserName":"x"}}`,
			want: "a.json:1: invalid authorization-details JSON: UserDetailList: expected a list, got an object"},
		{name: "string expected", data: "{\n\"UserDetailList\":[\n{\"UserName\":5}]}",
			want: "a.json:3: invalid authorization-details JSON: UserDetailList.UserName: expected a string, got a number"},
		{name: "truncated", data: "{\"UserDetailList\":[\n{\"UserName\":\"u\",",
			want: "a.json:2: invalid authorization-details JSON: unexpected end of JSON input"},
		{name: "syntax", data: "{\"UserDetailList\":\n\n[x]}",
			want: "a.json:3: invalid authorization-details JSON: invalid character 'x' looking for beginning of value"},
		{name: "policy statement", data: `{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::123456789012:user/u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":5}}]}]}`,
			want: `a.json: /UserDetailList/0/UserPolicyList/0/PolicyDocument: policy "p": Statement 0: expected an object, got a number`},
		{name: "trust policy", data: `{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::123456789012:role/r","AssumeRolePolicyDocument":[1]}]}`,
			want: `a.json: /RoleDetailList/0/AssumeRolePolicyDocument: policy "r trust policy": expected an object, got a list`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "a.json")
			require.NoError(t, os.WriteFile(p, []byte(c.data), 0o600))
			_, err := ingest.Load(context.Background(), &storetest.Capture{}, []ingest.Source{{Path: p, Format: ingest.FormatAWSIAM}},
				ingest.Options{Readers: ingest.Readers{AWSIAM: awsiam.Read}})
			var ve *ingest.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Len(t, ve.Problems, 1, "%v", err)
			got := ve.Problems[0]
			got.File = "a.json"
			require.Equal(t, c.want, got.String())
			require.NotRegexp(t, `Go (struct|value)|awsiam\.|json\.RawMessage`, got.String())
		})
	}
}

// TestExportSizeLimit: authorization details are streamed, so they are
// capped like any streamed input file (and each list entry like a record);
// the side documents read whole keep the whole-file cap. Each excess is one
// problem naming the file, not an unbounded io.ReadAll. (RoleDetailList/0,
// line 143, is the first entry of the sample over 1 KiB: 1,392 bytes.)
func TestExportSizeLimit(t *testing.T) {
	details := "testdata/cloudsplaining-example-authz-details.json"
	policy := "testdata/resource-policies/kms-key-policy.json"
	for _, c := range []struct {
		name   string
		paths  []string
		limits ingest.Limits
		want   string
	}{
		{name: "details over the file cap", paths: []string{details}, limits: ingest.Limits{FileBytes: 4096},
			want: details + ": larger than the 4 KiB limit for an input file; nothing after it was read"},
		{name: "details entry over the record cap", paths: []string{details}, limits: ingest.Limits{RecordBytes: 1024},
			want: details + ":143: invalid authorization-details JSON: a single entry is larger than the 1 KiB limit"},
		{name: "side document over the whole-file cap", paths: []string{details, policy}, limits: ingest.Limits{WholeFileBytes: 128},
			want: policy + ": larger than the 128 bytes limit for an input read whole; nothing after it was read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var srcs []ingest.Source
			for _, p := range c.paths {
				srcs = append(srcs, ingest.Source{Path: p, Format: ingest.FormatAWSIAM})
			}
			_, err := ingest.Load(context.Background(), &storetest.Capture{}, srcs,
				ingest.Options{Readers: ingest.Readers{AWSIAM: awsiam.Read}, Limits: c.limits})
			var ve *ingest.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Len(t, ve.Problems, 1, "%v", err)
			require.Equal(t, c.want, ve.Problems[0].String())
		})
	}
}
