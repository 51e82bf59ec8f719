package iam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema/iam"
)

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		fold bool
		want bool
	}{
		{"s3:Get*", "s3:GetObject", false, true},
		{"s3:get*", "S3:GetObject", true, true},
		{"s3:get*", "S3:GetObject", false, false},
		{"arn:aws:s3:::fin-*/*", "arn:aws:s3:::fin-ledger/2026/q1.csv", false, true},
		{"arn:aws:s3:::fin-*/*", "arn:aws:s3:::fin-ledger", false, false},
		{"s3:?etObject", "s3:GetObject", false, true},
		{"*", "", false, true},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
	} {
		assert.Equal(t, c.want, iam.Glob(c.p, c.s, c.fold), "%s ~ %s", c.p, c.s)
	}
	assert.True(t, iam.Covers("s3:*", "s3:Get*", true))
	assert.False(t, iam.Covers("s3:Get*", "s3:*", true))
	assert.True(t, iam.Overlaps("s3:Get*", "s3:*Object", true))
	assert.False(t, iam.Overlaps("s3:GetObject", "s3:PutObject", true))
}

func TestNativeRoundTrip(t *testing.T) {
	n := iam.Native{
		Allow: iam.Clause{Action: iam.One("s3:*"), Resource: iam.One("arn:aws:s3:::fin ledger/*")},
		Except: []iam.Clause{
			{Action: iam.Spec{Patterns: []string{"s3:DeleteObject", "s3:PutObject"}}, Resource: iam.One("arn:aws:s3:::fin ledger/closed/*")},
			{Action: iam.Spec{Not: true, Patterns: []string{"s3:Get*"}}, Resource: iam.Spec{Not: true, Patterns: []string{"arn:aws:s3:::fin ledger/open/*"}}, Cond: true},
		},
		Within:   []iam.Clause{{Action: iam.One("s3:*"), Resource: iam.One("*")}, {Action: iam.One("lambda:*"), Resource: iam.One("*")}},
		Evidence: "policy FinRW (via group finance), Deny in Guard",
	}
	s := n.String()
	assert.Equal(t, "s3:* on arn:aws:s3:::fin%20ledger/* except [s3:DeleteObject,s3:PutObject] on arn:aws:s3:::fin%20ledger/closed/* "+
		"except? NotAction[s3:Get*] on NotResource[arn:aws:s3:::fin%20ledger/open/*] within s3:* on * | lambda:* on * "+
		"(policy FinRW (via group finance), Deny in Guard)", s)
	back, err := iam.Parse(s)
	require.NoError(t, err)
	assert.Equal(t, n, back)
	assert.Equal(t, s[:len(s)-len(" (policy FinRW (via group finance), Deny in Guard)")], back.Machine())

	esc := iam.Escalation("role-putrolepolicy on deploy", "iam:PutRolePolicy")
	e, err := iam.Parse(esc)
	require.NoError(t, err)
	assert.Equal(t, "role-putrolepolicy on deploy", e.Escalation)
	assert.Equal(t, esc, e.String())
}

func TestNativeMatch(t *testing.T) {
	n, err := iam.Parse("s3:* on arn:aws:s3:::fin/* except s3:DeleteObject on arn:aws:s3:::fin/closed/* " +
		"except? s3:PutObject on arn:aws:s3:::fin/closed/* within s3:Get* on * | s3:PutObject on * (policy p)")
	require.NoError(t, err)
	for _, c := range []struct {
		action, res string
		ok, cond    bool
		why         string
	}{
		{"s3:GetObject", "arn:aws:s3:::fin/a.csv", true, false, "allowed and inside the boundary"},
		{"S3:getobject", "arn:aws:s3:::fin/a.csv", true, false, "actions are case-insensitive"},
		{"s3:GetObject", "arn:aws:s3:::FIN/a.csv", false, false, "ARNs are case-sensitive"},
		{"s3:ListBucket", "arn:aws:s3:::fin/a.csv", false, false, "outside the boundary"},
		{"s3:DeleteObject", "arn:aws:s3:::fin/closed/x", false, false, "denied, and outside the boundary"},
		{"s3:PutObject", "arn:aws:s3:::fin/closed/x", true, true, "conditional deny"},
		{"s3:PutObject", "arn:aws:s3:::fin/open/x", true, false, "no deny applies"},
		{"s3:GetObject", "arn:aws:s3:::other/x", false, false, "resource outside the allow"},
	} {
		ok, cond := n.Match(c.action, c.res, "123456789012")
		assert.Equal(t, c.ok, ok, c.why)
		assert.Equal(t, c.cond, cond, c.why)
	}
	all, err := iam.Parse("NotAction[iam:*] on * (policy p)")
	require.NoError(t, err)
	ok, _ := all.Match("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:f", "123456789012")
	assert.True(t, ok)
	ok, _ = all.Match("iam:CreateUser", "*", "123456789012")
	assert.False(t, ok, "NotAction excludes it")
	ok, _ = all.Match("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111111111111:function:f", "123456789012")
	assert.False(t, ok, "another account's resource needs a resource policy")
	esc, _ := iam.Parse(iam.Escalation("self-putuserpolicy", "iam:PutUserPolicy"))
	ok, _ = esc.Match("s3:GetObject", "arn:aws:s3:::fin/a.csv", "123456789012")
	assert.True(t, ok, "an escalation grant matches every request of its account")
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{
		"", "F_BKPF_BUK/ACTVT=01", "s3:GetObject", "s3:* on", "s3:* on * except", "s3:* on * within",
		"s3:* on * trailing", "s3:* on * (unterminated", "NotAction on *", "s3:* on [a", "privesc:", "privesc:x",
		"s3:* on %zz",
	} {
		_, err := iam.Parse(s)
		assert.ErrorIs(t, err, iam.ErrNotNative, "%q", s)
	}
}

func TestCheckRequest(t *testing.T) {
	require.NoError(t, iam.CheckRequest("s3:GetObject", "arn:aws:s3:::bucket/key"))
	require.NoError(t, iam.CheckRequest("iam:ListUsers", "*"))
	for _, c := range [][2]string{
		{"s3:Get*", "arn:aws:s3:::bucket/key"}, {"GetObject", "arn:aws:s3:::b"}, {"s3:", "*"},
		{"s3:GetObject", "arn:aws:s3:::bucket/*"}, {"s3:GetObject", "bucket"}, {"s3:GetObject", ""},
	} {
		assert.Error(t, iam.CheckRequest(c[0], c[1]), "%v", c)
	}
}

// FuzzNative checks that whatever Parse accepts renders back to a string that
// parses to the same value.
func FuzzNative(f *testing.F) {
	for _, s := range []string{
		"s3:* on * (policy p)", "NotAction[iam:*] on NotResource[arn:a,arn:b] except? s3:x on * within a:b on c | d:e on f",
		"privesc:self-putuserpolicy (iam:PutUserPolicy)", "[a,b] on [] (x)",
		"[NotAction] on 0", "s3:x on [NotResourcey]", // a pattern spelled like the negation
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := iam.Parse(s)
		if err != nil {
			return
		}
		back, err := iam.Parse(n.String())
		require.NoError(t, err, "%q rendered as %q", s, n.String())
		assert.Equal(t, n.String(), back.String())
	})
}

// TestNativeMatchCrossAccount: a request on another account's resource
// matches only a grant whose Allow clause names that account's resources
// (written from that account's resource policy), never an identity-policy
// grant on "*" or a wildcard account.
func TestNativeMatchCrossAccount(t *testing.T) {
	const fn = "arn:aws:lambda:eu-west-1:111111111111:function:helloworld"
	for _, c := range []struct {
		res  string
		want bool
	}{
		{res: fn, want: true},
		{res: "arn:aws:lambda:eu-west-1:111111111111:function:*", want: true},
		{res: "*", want: false},
		{res: "arn:aws:lambda:eu-west-1:*:function:helloworld", want: false},
	} {
		n := iam.Native{Allow: iam.Clause{Action: iam.One("lambda:InvokeFunction"), Resource: iam.One(c.res)}}
		ok, _ := n.Match("lambda:InvokeFunction", fn, "123456789012")
		assert.Equal(t, c.want, ok, c.res)
	}
	esc := iam.Native{Escalation: "self-putuserpolicy", Evidence: "iam:PutUserPolicy"}
	ok, _ := esc.Match("lambda:InvokeFunction", fn, "123456789012")
	assert.False(t, ok, "escalation grants stay in their account")
}
