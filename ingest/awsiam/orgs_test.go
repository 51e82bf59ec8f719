package awsiam_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
)

// accountDir copies files (paths relative to testdata, or name → content
// for inline documents) into one account directory.
func accountDir(t *testing.T, files []string, inline map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600))
	}
	for name, content := range inline {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	return dir
}

// principalsOf lists the users and roles of account acct in a native answer.
func principalsOf(got map[string]struct{}, acct string) []string {
	var out []string
	for id := range got {
		if rest, ok := strings.CutPrefix(id, "aws:"+acct+":"); ok && (strings.HasPrefix(rest, "user/") || strings.HasPrefix(rest, "role/")) {
			out = append(out, rest)
		}
	}
	slices.Sort(out)
	return out
}

// TestIAMSpyResourcePolicies: IAMSpy's resource-policy cases (EXPECTED.md):
// a cross-account resource policy naming our account lets role/name invoke
// the other account's function (its identity policy allows it too); a
// same-account bucket policy naming role/testing is enough by itself; a
// bucket policy Deny for role/testing2 wins over its identity Allow.
func TestIAMSpyResourcePolicies(t *testing.T) {
	const other = "arn:aws:lambda:eu-west-1:111111111111:function:helloworld"
	for _, c := range []struct {
		name, action, resource, acct string
		files                        []string
		want                         []string
	}{
		{name: "cross-account lambda", action: "lambda:InvokeFunction", resource: other, acct: "123456789012",
			files: []string{"iamspy/basic-allow.json", "iamspy/cross-account-rp.json"}, want: []string{"role/name"}},
		{name: "no resource policy", action: "lambda:InvokeFunction", resource: other, acct: "123456789012",
			files: []string{"iamspy/basic-allow.json"}},
		{name: "bucket policy allows testing", action: "s3:ListBucket", resource: "arn:aws:s3:::bucket", acct: "111111111111",
			files: []string{"iamspy/allow-testing-s3.json", "iamspy/resource-s3-allow-testing.json"}, want: []string{"role/testing", "role/testing2"}},
		{name: "bucket policy denies testing2", action: "s3:ListBucket", resource: "arn:aws:s3:::bucket", acct: "111111111111",
			files: []string{"iamspy/allow-testing-s3.json", "iamspy/resource-s3-deny-testing2.json"}},
		{name: "identity policy only", action: "s3:ListBucket", resource: "arn:aws:s3:::bucket", acct: "111111111111",
			files: []string{"iamspy/allow-testing-s3.json"}, want: []string{"role/testing2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := engine(t, load(t, accountDir(t, c.files, nil)))
			got := map[string]struct{}{}
			for id := range nativeWho(t, e, c.action, c.resource) {
				got[id] = struct{}{}
			}
			assert.Equal(t, c.want, principalsOf(got, c.acct))
		})
	}
}

// TestResourcePolicyShapes: the AWS CLI shapes of resource policies and
// their evidence; a foreign principal gets a conditional grant; "*" with
// no attached resource is refused with its pointer.
func TestResourcePolicyShapes(t *testing.T) {
	bucket := `{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::111111111111:role/testing\",\"arn:aws:iam::999999999999:root\"]},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::fin-ledger/*\"}]}"}`
	secret := `{"ARN":"arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf","Name":"db","ResourcePolicy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:role/testing\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"}`
	queue := `{"Attributes":{"QueueArn":"arn:aws:sqs:eu-west-1:111111111111:q","Policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2020-01-01\"}}}]}"}}`
	ds := loadAt(t, optsAsOf(), accountDir(t, []string{"iamspy/allow-testing-s3.json"}, map[string]string{"bucket.json": bucket, "secret.json": secret, "queue.json": queue}))
	testing := "aws:111111111111:role/testing"
	g := hasGrant(ds, testing, schema.ActionExport, "arn:aws:s3:::fin-ledger/*")
	require.NotNil(t, g)
	assert.Equal(t, "s3:GetObject on arn:aws:s3:::fin-ledger/* (resource policy of arn:aws:s3:::fin-ledger/*)", g.Native)
	assert.False(t, g.Conditional)
	ext := hasGrant(ds, "aws:111111111111:external/arn:aws:iam::999999999999:root", schema.ActionExport, "arn:aws:s3:::fin-ledger/*")
	require.NotNil(t, ext)
	assert.True(t, ext.Conditional)
	assert.Contains(t, ext.Native, "needs the principal's own identity policies too")
	sg := hasGrant(ds, testing, schema.ActionExport, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf")
	require.NotNil(t, sg)
	// The queue's "*" Allow expired in 2020: nobody gets it.
	for _, gr := range ds.GrantList {
		assert.NotContains(t, gr.Native, "sqs:SendMessage")
	}

	_, err := loadErr(t, accountDir(t, []string{"iamspy/allow-testing-s3.json"}, map[string]string{
		"key.json": `{"Policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}`}))
	require.ErrorContains(t, err, "key.json")
	require.ErrorContains(t, err, "/Policy: Statement 0: Resource \"*\", but the document does not say which resource")
}

// TestSCPs: the account's organization chain from --aws-config, SCP
// documents among the inputs. A deny-list SCP removes the escalation it
// denies and leaves an except clause on admin; an allow-list SCP at one
// level keeps only what it allows (for the root user too); a conditional
// SCP Deny makes grants conditional; a missing SCP is an error naming the
// configuration entry.
func TestSCPs(t *testing.T) {
	details := `{"UserDetailList":[
	  {"UserName":"boss","Arn":"arn:aws:iam::111111111111:user/boss","AttachedManagedPolicies":[{"PolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}]},
	  {"UserName":"v","Arn":"arn:aws:iam::111111111111:user/v","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[
	    {"Effect":"Allow","Action":["iam:PutUserPolicy","s3:GetObject"],"Resource":"*"}]}}]}],
	  "GroupDetailList":[],"RoleDetailList":[],"Policies":[]}`
	files := []string{"scp/deny-iam-changes.json", "scp/deny-leave-org.json", "scp/region-lock.json", "scp/allow-s3-ec2.json"}
	runWith := func(t *testing.T, chain string, opts awsiam.Options) (*graph.Dataset, error) {
		dir := accountDir(t, files, map[string]string{"details.json": details})
		cfg := filepath.Join(t.TempDir(), "cfg.yaml")
		require.NoError(t, os.WriteFile(cfg, []byte("accounts:\n  \"111111111111\":\n    scp: "+chain+"\n"), 0o600))
		return loadOpts(t, cfg, opts, dir)
	}
	run := func(t *testing.T, chain string) (*graph.Dataset, error) { return runWith(t, chain, optsAsOf()) }
	const a = "aws:111111111111"
	boss, v := a+":user/boss", a+":user/v"

	ds, err := run(t, "[[FullAWSAccess], [FullAWSAccess, p-denyiamchg, DenyLeaveOrganization], [p-FullAWSAccess]]")
	require.NoError(t, err)
	assert.Nil(t, hasGrant(ds, v, schema.ActionAdmin, a), "the SCP denies iam:PutUserPolicy: no self-escalation")
	require.NotNil(t, hasGrant(ds, v, schema.ActionExport, on111("s3")))
	assert.False(t, hasGrant(ds, v, schema.ActionExport, on111("s3")).Conditional)
	g := hasGrant(ds, boss, schema.ActionAdmin, a)
	require.NotNil(t, g)
	assert.Contains(t, g.Native, "except [iam:PutUserPolicy,")
	assert.Contains(t, g.Native, "Deny in the SCPs of OU level 1")
	e := engine(t, ds)
	assert.NotContains(t, nativeWho(t, e, "iam:PutUserPolicy", "arn:aws:iam::111111111111:user/v"), boss)
	assert.Contains(t, nativeWho(t, e, "iam:CreateUser", "*"), boss)
	assert.NotContains(t, nativeWho(t, e, "organizations:LeaveOrganization", "*"), a+":root", "SCPs bind the root user")

	ds, err = run(t, "[[FullAWSAccess], [p-allows3ec2]]")
	require.NoError(t, err)
	assert.Nil(t, hasGrant(ds, boss, schema.ActionAdmin, a), "the allow-list SCP keeps s3 and ec2 only")
	require.NotNil(t, hasGrant(ds, boss, schema.ActionWrite, on111("s3")))
	assert.Nil(t, hasGrant(ds, a+":root", schema.ActionAdmin, a))
	e = engine(t, ds)
	assert.Empty(t, principalsOf(keys(nativeWho(t, e, "iam:CreateUser", "*")), "111111111111"))
	assert.Equal(t, []string{"user/boss", "user/v"}, principalsOf(keys(nativeWho(t, e, "s3:GetObject", "arn:aws:s3:::b/k")), "111111111111"))

	ds, err = run(t, "[[FullAWSAccess, DenyOutsideEU]]")
	require.NoError(t, err)
	g = hasGrant(ds, v, schema.ActionExport, on111("s3"))
	require.NotNil(t, g)
	assert.True(t, g.Conditional, "the region condition cannot be decided from the export")
	ds, err = runWith(t, "[[FullAWSAccess, DenyOutsideEU]]", awsiam.Options{AsOf: asOf, Context: map[string][]string{"aws:requestedregion": {"eu-west-1"}}})
	require.NoError(t, err)
	assert.False(t, hasGrant(ds, v, schema.ActionExport, on111("s3")).Conditional, "--aws-context decides it: inside the EU")

	_, err = run(t, "[[FullAWSAccess], [p-nosuch]]")
	require.ErrorContains(t, err, `/accounts/111111111111/scp/1/0: SCP "p-nosuch" is not among the inputs`)
}

func on111(svc string) string { return "aws:111111111111:resources/" + svc }

func keys[V any](m map[string]V) map[string]struct{} {
	out := map[string]struct{}{}
	for k := range m {
		out[k] = struct{}{}
	}
	return out
}

// FuzzSideDocs: the resource-policy and SCP parsers never panic, and what
// they accept has a document.
func FuzzSideDocs(f *testing.F) {
	for _, p := range []string{"iamspy/cross-account-rp.json", "iamspy/resource-s3-deny-testing2.json", "scp/region-lock.json", "scp/allow-s3-ec2.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"Attributes":{"TopicArn":"arn:aws:sns:eu-west-1:1:t","Policy":"{\"Statement\":[]}"}}`))
	f.Add([]byte(`{"ARN":"a","ResourcePolicy":"{}"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if rps, err := awsiam.ParseResourcePolicies(data); err == nil {
			for _, rp := range rps {
				require.NotNil(t, rp.Doc)
			}
		}
		if s, err := awsiam.ParseSCP(data); err == nil {
			require.NotNil(t, s.Doc)
			require.NotEmpty(t, s.ID)
		}
	})
}

// TestAWSDocResourcePolicies: the AWS documentation's example resource
// policies, in the CLI's shapes.
func TestAWSDocResourcePolicies(t *testing.T) {
	const a = "aws:111122223333:"
	const obj = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"
	load := func(ctx map[string][]string) (*graph.Dataset, map[string]analysis.Access) {
		ds := loadAt(t, awsiam.Options{AsOf: asOf, Context: ctx}, "testdata/resource-policies")
		return ds, nativeWho(t, engine(t, ds), "s3:GetObject", obj)
	}
	ds, who := load(nil)
	// The KMS default key policy names the account: it defers to IAM, so
	// role/app (no identity policy) gets nothing on the key.
	for _, g := range ds.GrantList {
		if g.Principal == a+"role/app" {
			assert.NotContains(t, g.Native, "kms:")
		}
	}
	// The IP restriction is a Deny under a condition the export cannot decide.
	require.Contains(t, who, a+"user/ops")
	assert.True(t, who[a+"user/ops"].Conditional)
	_, who = load(map[string][]string{"aws:sourceip": {"192.0.2.10"}})
	require.Contains(t, who, a+"user/ops")
	assert.False(t, who[a+"user/ops"].Conditional, "inside 192.0.2.0/24 the Deny does not apply")
	_, who = load(map[string][]string{"aws:sourceip": {"203.0.113.7"}})
	assert.NotContains(t, who, a+"user/ops", "outside it the Deny wins")

	ext := hasGrant(ds, a+"external/arn:aws:iam::444455556666:root", schema.ActionExport, "arn:aws:s3:::amzn-s3-demo-bucket2/*")
	require.NotNil(t, ext)
	assert.True(t, ext.Conditional)
	fn := hasGrant(ds, a+"external/arn:aws:iam::222222222222:root", schema.ActionWrite, "arn:aws:lambda:us-east-2:111122223333:function:my-function")
	require.NotNil(t, fn)
	assert.Equal(t, "lambda:InvokeFunction on arn:aws:lambda:us-east-2:111122223333:function:my-function (resource policy of arn:aws:lambda:us-east-2:111122223333:function:my-function, needs the principal's own identity policies too)", fn.Native)
	sec := hasGrant(ds, a+"role/app", schema.ActionExport, "arn:aws:secretsmanager:us-west-2:111122223333:secret:MyTestSecret-a1b2c3")
	require.NotNil(t, sec, "a same-account resource policy naming the role is enough")
	assert.False(t, sec.Conditional)
}
