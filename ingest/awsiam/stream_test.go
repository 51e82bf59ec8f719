package awsiam_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/awsiam"
)

// TestStreamedDetails: the streamed decoder reads what json.Unmarshal read
// (keys in any case, null lists, other keys skipped) and rejects what it
// rejected (trailing data, a truncated list) with the problem's message.
func TestStreamedDetails(t *testing.T) {
	for _, c := range []struct {
		name, data string
		users      int
		roles      int
		err        string
	}{
		{name: "keys in any case, other keys skipped", users: 2,
			data: `{"Marker":{"a":[1,2]},"userdetaillist":[{"UserName":"a","Arn":"arn:aws:iam::123456789012:user/a"},{"UserName":"b"}],"IsTruncated":false}`},
		{name: "null list", data: `{"UserDetailList":null,"RoleDetailList":[{"RoleName":"r"}]}`, roles: 1},
		{name: "not details: nothing", data: `{"Other":[1]}`},
		{name: "trailing data", data: `{"UserDetailList":[]} x`, err: "invalid character 'x' looking for beginning of value"},
		{name: "truncated", data: `{"RoleDetailList":[{"RoleName":"r"}`, err: "unexpected end of JSON input"},
		{name: "entry not an object", data: `{"RoleDetailList":[5]}`, err: "RoleDetailList: expected an object, got a number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, _, err := awsiam.ParseDetails([]byte(c.data))
			if c.err != "" {
				require.EqualError(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, d.Users, c.users)
			require.Len(t, d.Roles, c.roles)
		})
	}
}

// FuzzDetails: the streamed decoder never panics, and an object that is
// not valid JSON is never accepted.
func FuzzDetails(f *testing.F) {
	f.Add([]byte(`{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::123456789012:user/u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[]}}]}]}`))
	f.Add([]byte(`{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B%7D"}],"Policies":[{"Arn":"a","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","Document":{}}]}]}`))
	f.Add([]byte(`{"GroupDetailList":[{"GroupName":1}]}`))
	f.Add([]byte(`{"UserDetailList":[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := awsiam.ParseDetails(data)
		if !json.Valid(data) && len(data) > 0 && data[0] == '{' {
			require.Error(t, err)
		}
	})
}
